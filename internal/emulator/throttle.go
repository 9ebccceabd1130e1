package emulator

import (
	"net/http"
	"strconv"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// Throttle is the load model of Options.Throttle (see kit.Throttle): every top-level Graph
// request takes one token; POST /$batch takes none itself while each of its sub-requests takes
// one, as Graph evaluates the requests of a batch individually against its limits [BAT, THR].
type Throttle = kit.Throttle

// DefaultBurst is the burst a Throttle with Burst 0 gets: a fifth of a second's worth of
// requests, at least one.
func DefaultBurst(rps float64) int { return kit.DefaultBurst(rps) }

// retryAfter formats a wait as Graph's fractional Retry-After [THR] ("2.128"): seconds with
// millisecond precision, rounded up so a client that waits exactly that long finds a token.
func retryAfter(d time.Duration) string {
	ms := max(1, (d+time.Millisecond-1)/time.Millisecond)
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// throttle takes a token for r, or sets Retry-After on w and returns the 429. OneDrive's error
// list names activityLimitReached for "the app or user has been throttled" [ERR]; the gateway's
// TooManyRequests [THR] is what 429 faults send, so clients meet both codes.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request) *apiError {
	wait, ok := s.limiter.Take(kit.ClientKey(r), s.now())
	if ok {
		return nil
	}
	s.countStat(func(st *Stats) { st.Throttled++ })
	if s.opts.Throttle.WholeSeconds {
		w.Header().Set("Retry-After", kit.RetryAfterSeconds(wait))
	} else {
		w.Header().Set("Retry-After", retryAfter(wait))
	}
	return errf(http.StatusTooManyRequests, codeActivityLimit,
		"The request has been throttled. Retry after the time given in the Retry-After header.")
}

// Stats counts what the emulator did since it started or since ResetStats, so tests and
// benchmarks can prove that nothing was lost or done twice.
type Stats struct {
	// Requests counts Graph requests as recorded: top-level requests (a POST /$batch included)
	// and each sub-request of a batch that ran. Requests - Batches is the number of operations.
	Requests int64 `json:"requests"`
	// Batches counts POST /$batch requests.
	Batches int64 `json:"batches"`
	// Throttled counts the 429s of the throttle model (Options.Throttle) and of the resource-unit
	// budget (Options.Budget); faults don't count.
	Throttled int64 `json:"throttled"`
	// ResourceUnits counts the units requests cost (Budget's costs; counted with or without a
	// budget), throttled requests included, as SharePoint counts them.
	ResourceUnits int64 `json:"resourceUnits"`
	// CreateLink counts successful createLink calls: 201 Created (a new link) and 200 OK (an
	// existing link of the same type, scope and recipients returned again).
	CreateLink CreateLinkStats `json:"createLink"`
	// DownloadBytes counts the content bytes the download origin sent (of GET answers, whole or
	// partial; a truncated one counts what went out), so a test can tell a resume fetched only
	// the rest.
	DownloadBytes int64 `json:"downloadBytes"`
}

// CreateLinkStats splits createLink successes into new and existing links.
type CreateLinkStats struct {
	Created  int64 `json:"created"`
	Existing int64 `json:"existing"`
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.stats
}

// ResetStats sets every counter to zero.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	s.stats = Stats{}
	s.statsMu.Unlock()
}

func (s *Server) countStat(f func(*Stats)) {
	s.statsMu.Lock()
	f(&s.stats)
	s.statsMu.Unlock()
}
