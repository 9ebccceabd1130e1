package emulator

import (
	"net/http"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// Fault is a rule that makes matching Graph requests misbehave (see kit.Fault): 429/503 with
// Retry-After (fractional seconds included [THR]), slow answers, dropped connections and short
// bodies. Its Path is a glob over the raw path after /v1.0.
type Fault = kit.Fault

// ParseFault parses a fault spec as given to --fault (see kit.ParseFault), for example
// "status=429,retry-after=1,times=2,path=/me/drive/*,method=POST".
func ParseFault(spec string) (Fault, error) { return kit.ParseFault(spec) }

// AddFault adds a rule. Rules are tried in the order added; the first that applies wins.
func (s *Server) AddFault(f Fault) { s.faults.Add(f) }

// ClearFaults removes every rule.
func (s *Server) ClearFaults() { s.faults.Clear() }

// UnappliedFaults returns the rules no request has triggered yet.
func (s *Server) UnappliedFaults() []Fault { return s.faults.Unapplied() }

// pickFault returns the fault to apply to this request, if any, and counts it (see
// kit.FaultSet.Pick for what applies inside a batch).
func (s *Server) pickFault(method, rawPath string, inBatch bool) *Fault {
	return s.faults.Pick(method, rawPath, inBatch, s.randFloat)
}

// applyFault runs a fault's effects with Graph's error body. It reports whether the request has
// been answered (or the connection dropped); a latency-only or truncate fault returns false so
// the request proceeds.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f *Fault, rec *RecordedRequest) bool {
	answered, status := f.Apply(w, r, func(w http.ResponseWriter, status int) {
		msg := http.StatusText(status)
		if status == http.StatusTooManyRequests {
			msg = "Too many requests. Please retry after the time given in the Retry-After header."
		}
		writeError(w, r, errf(status, faultCode(status), msg))
	})
	if answered {
		rec.Status = status
	}
	return answered
}

// A request a keep rule matched (kit.WithKeep, kit.Kept) must change nothing. Graph's DELETE of a
// permission honours it: Graph has been seen to answer 204 and remove nothing
// (microsoft-graph-docs#9600, notes §1.1), so a client must read the item again to know.
