package emulator

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Throttle is a load model: a token bucket per client that refills at RatePerSecond up to Burst
// tokens. Every top-level Graph request takes one token; POST /$batch takes none itself while
// each of its sub-requests takes one, as Graph evaluates the requests of a batch individually
// against its limits [BAT, THR]. A request that finds no token answers 429 with Retry-After
// (the time until a token is available) and takes none.
type Throttle struct {
	RatePerSecond float64 `json:"ratePerSecond"` // > 0
	Burst         int     `json:"burst"`         // bucket size; 0 = max(1, RatePerSecond/5)
	// WholeSeconds rounds Retry-After up to whole seconds ("1"), as Graph documents the header
	// (delay-seconds, RFC 9110) and as real tenants send it; false sends the exact wait in
	// fractional seconds ("0.020", the form [THR]'s "2.128" sample shows).
	WholeSeconds bool `json:"wholeSeconds,omitempty"`
}

// DefaultBurst is the burst a Throttle with Burst 0 gets: a fifth of a second's worth of
// requests, at least one.
func DefaultBurst(rps float64) int { return max(1, int(rps/5)) }

func (t *Throttle) validate() error {
	if t == nil {
		return nil
	}
	if !(t.RatePerSecond > 0) || math.IsInf(t.RatePerSecond, 0) {
		return fmt.Errorf("emulator: throttle rate %v must be a positive number of requests per second", t.RatePerSecond)
	}
	if t.Burst < 0 {
		return fmt.Errorf("emulator: throttle burst %d must not be negative", t.Burst)
	}
	return nil
}

// limiter holds the buckets, keyed by client.
type limiter struct {
	rate  float64
	burst float64
	whole bool // Retry-After in whole seconds
	mu    sync.Mutex
	b     map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(t *Throttle) *limiter {
	if t == nil {
		return nil
	}
	burst := t.Burst
	if burst == 0 {
		burst = DefaultBurst(t.RatePerSecond)
	}
	return &limiter{rate: t.RatePerSecond, burst: float64(burst), whole: t.WholeSeconds, b: map[string]*bucket{}}
}

// take takes a token from key's bucket at now. Without one it reports how long until one is
// available and takes nothing.
func (l *limiter) take(key string, now time.Time) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.b[key] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	const eps = 1e-9
	if b.tokens >= 1-eps {
		b.tokens = max(0, b.tokens-1)
		return 0, true
	}
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
}

// retryAfter formats a wait as Graph's fractional Retry-After [THR] ("2.128"): seconds with
// millisecond precision, rounded up so a client that waits exactly that long finds a token.
func retryAfter(d time.Duration) string {
	ms := max(1, (d+time.Millisecond-1)/time.Millisecond)
	return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
}

// retryAfterSeconds formats a wait as whole seconds, rounded up and at least 1, so a client
// that waits that long always finds the budget or token it waited for.
func retryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(max(1, int64((d+time.Second-1)/time.Second)), 10)
}

// clientKey names the bucket of a request: its Authorization header, else its remote IP.
func clientKey(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		return "auth:" + a
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host
}

// throttle takes a token for r, or sets Retry-After on w and returns the 429. OneDrive's error
// list names activityLimitReached for "the app or user has been throttled" [ERR]; the gateway's
// TooManyRequests [THR] is what 429 faults send, so clients meet both codes.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request) *apiError {
	if s.limiter == nil {
		return nil
	}
	wait, ok := s.limiter.take(clientKey(r), s.now())
	if ok {
		return nil
	}
	s.countStat(func(st *Stats) { st.Throttled++ })
	if s.limiter.whole {
		w.Header().Set("Retry-After", retryAfterSeconds(wait))
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
	// Throttled counts the 429s of the throttle model (Options.Throttle); faults don't count.
	Throttled int64 `json:"throttled"`
	// CreateLink counts successful createLink calls: 201 Created (a new link) and 200 OK (an
	// existing link of the same type, scope and recipients returned again).
	CreateLink CreateLinkStats `json:"createLink"`
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
