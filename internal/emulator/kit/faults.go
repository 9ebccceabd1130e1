// Package kit is the machinery the odshare emulator's stand-ins share: fault rules, the throttle's
// token buckets, the request recorder and the loopback listener with its throw-away CA. It knows no
// provider: each stand-in (Graph in package emulator, Box in package emulator/box) writes its own
// error bodies through the callbacks these take. Stdlib only, and never imports the client.
package kit

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a rule that makes matching requests misbehave, so retry, timeout and paging code can be
// tested against what a provider really does under load: 429/503 with Retry-After, slow answers,
// dropped connections and short bodies.
type Fault struct {
	Method      string        `json:"method,omitempty"`      // "" = any
	Path        string        `json:"path,omitempty"`        // path.Match glob over the raw path below the API root (/v1.0 for Graph, /2.0 for Box); "" or "*" = any; a trailing "/**" matches any suffix
	Status      int           `json:"status,omitempty"`      // answer with this status and the provider's error body (0 = no status fault)
	RetryAfter  string        `json:"retryAfter,omitempty"`  // Retry-After value as sent
	Latency     time.Duration `json:"latency,omitempty"`     // added before answering
	Reset       bool          `json:"reset,omitempty"`       // close the connection without a response
	Truncate    bool          `json:"truncate,omitempty"`    // full Content-Length, half the body, then close
	Keep        bool          `json:"keep,omitempty"`        // answer as usual but change nothing, where a stand-in honours it (Graph: DELETE of a permission answers 204 and keeps it; Box: PUT {"shared_link": null} answers 200 with shared_link null and keeps the link)
	After       int           `json:"after,omitempty"`       // let the first N matching requests through untouched, then apply
	Times       int           `json:"times,omitempty"`       // apply to the first N matching requests (after After); 0 = forever
	Probability float64       `json:"probability,omitempty"` // 0 or 1 = always; else random (Options.RandomSeed)
}

// FaultSet is an ordered list of rules with their remaining counts, safe for concurrent use.
// The zero value is empty and ready.
type FaultSet struct {
	mu    sync.Mutex
	rules []*faultState
}

// faultState is a Fault with its remaining count.
type faultState struct {
	Fault
	left int // remaining applications when Times > 0
	skip int // matching requests still to let through (After)
	hits int // times the rule was applied
}

// Add adds a rule. Rules are tried in the order added; the first that applies wins.
func (fs *FaultSet) Add(f Fault) {
	fs.mu.Lock()
	fs.rules = append(fs.rules, &faultState{Fault: f, left: f.Times, skip: f.After})
	fs.mu.Unlock()
}

// Clear removes every rule.
func (fs *FaultSet) Clear() {
	fs.mu.Lock()
	fs.rules = nil
	fs.mu.Unlock()
}

// List returns the rules as added.
func (fs *FaultSet) List() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := []Fault{}
	for _, r := range fs.rules {
		out = append(out, r.Fault)
	}
	return out
}

// Unapplied returns the rules that have not been applied to any request yet, in the order added:
// a test's harness reports them, since a fault that never fires proves nothing.
func (fs *FaultSet) Unapplied() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var out []Fault
	for _, r := range fs.rules {
		if r.hits == 0 {
			out = append(out, r.Fault)
		}
	}
	return out
}

// Matches reports whether the rule applies to a request with this method and raw path.
func (f *Fault) Matches(method, rawPath string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	switch {
	case f.Path == "" || f.Path == "*":
		return true
	case strings.HasSuffix(f.Path, "/**"):
		prefix := strings.TrimSuffix(f.Path, "/**")
		for p := rawPath; p != ""; {
			if ok, _ := path.Match(prefix, p); ok {
				return true
			}
			i := strings.LastIndex(p, "/")
			if i <= 0 {
				return false
			}
			p = p[:i]
		}
		return false
	}
	ok, _ := path.Match(f.Path, rawPath)
	return ok
}

// Pick returns the fault to apply to this request, if any, and counts it. For a request inside a
// batch (inBatch) only rules with a path glob apply, and not reset or truncate rules: those act
// on connections, and a rule without a path acts on each HTTP request (a POST /$batch is one), so
// "latency=20ms" delays a batch once. rand draws a number in [0,1) for probabilistic rules.
func (fs *FaultSet) Pick(method, rawPath string, inBatch bool, rand func() float64) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for _, st := range fs.rules {
		if st.Times > 0 && st.left <= 0 {
			continue
		}
		if inBatch && (st.Path == "" || st.Path == "*" || st.Reset || st.Truncate) {
			continue
		}
		if !st.Matches(method, rawPath) {
			continue
		}
		if p := st.Probability; p > 0 && p < 1 && rand() >= p {
			continue
		}
		if st.skip > 0 {
			st.skip--
			continue
		}
		if st.Times > 0 {
			st.left--
		}
		st.hits++
		f := st.Fault
		return &f
	}
	return nil
}

// ParseFault parses a fault spec as given to --fault: comma-separated key=value pairs and flags,
// for example "status=429,retry-after=1,times=2,path=/me/drive/*,method=POST", "latency=20ms",
// "reset,times=1" or "truncate". Keys: status, retry-after, latency, times, after, probability (or p),
// path, method; flags: reset, truncate, keep.
func ParseFault(spec string) (Fault, error) {
	var f Fault
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return f, fmt.Errorf("empty fault spec")
	}
	for _, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, hasVal := strings.Cut(part, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		var err error
		switch key {
		case "reset", "truncate", "keep":
			b := true
			if hasVal {
				b, err = strconv.ParseBool(val)
			}
			switch key {
			case "reset":
				f.Reset = b
			case "truncate":
				f.Truncate = b
			default:
				f.Keep = b
			}
		case "status":
			f.Status, err = strconv.Atoi(val)
		case "retry-after", "retryafter":
			f.RetryAfter = val
		case "latency", "delay":
			f.Latency, err = time.ParseDuration(val)
		case "times":
			f.Times, err = strconv.Atoi(val)
		case "after":
			f.After, err = strconv.Atoi(val)
		case "probability", "p":
			f.Probability, err = strconv.ParseFloat(val, 64)
		case "path":
			f.Path = val
		case "method":
			f.Method = strings.ToUpper(val)
		default:
			return Fault{}, fmt.Errorf("fault spec %q: unknown key %q", spec, key)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault spec %q: %s=%q: %v", spec, key, val, err)
		}
		if !hasVal && key != "reset" && key != "truncate" && key != "keep" {
			return Fault{}, fmt.Errorf("fault spec %q: %s needs a value", spec, key)
		}
	}
	if err := f.Validate(); err != nil {
		return Fault{}, fmt.Errorf("fault spec %q: %v", spec, err)
	}
	return f, nil
}

// Validate checks a rule however it was given (a spec or a JSON body): a status WriteHeader
// accepts, counts, latency and probability in range, a path glob path.Match can use, and something
// to do.
func (f *Fault) Validate() error {
	switch {
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Errorf("status %d out of range 100..599", f.Status)
	case f.Times < 0:
		return fmt.Errorf("times %d is negative", f.Times)
	case f.After < 0:
		return fmt.Errorf("after %d is negative", f.After)
	case !(f.Probability >= 0 && f.Probability <= 1): // NaN too
		return fmt.Errorf("probability %v must be between 0 and 1", f.Probability)
	case f.Latency < 0:
		return fmt.Errorf("latency %v is negative", f.Latency)
	}
	if f.Path != "" && f.Path != "*" {
		if _, err := path.Match(f.Path, ""); err != nil {
			return fmt.Errorf("path %q: %v", f.Path, err)
		}
		if !strings.HasPrefix(f.Path, "/") {
			return fmt.Errorf("path %q must start with /", f.Path)
		}
	}
	if f.Status == 0 && !f.Reset && !f.Truncate && !f.Keep && f.Latency == 0 {
		return fmt.Errorf("does nothing (give status, latency, reset, truncate or keep)")
	}
	return nil
}

// ParseFaultBody accepts the admin endpoint's body: a JSON object (latency as a Go duration
// string or nanoseconds) or a spec string.
func ParseFaultBody(body []byte) (Fault, error) {
	trimmed := strings.TrimSpace(string(body))
	if !strings.HasPrefix(trimmed, "{") {
		var s string
		if strings.HasPrefix(trimmed, `"`) && json.Unmarshal([]byte(trimmed), &s) == nil {
			trimmed = s
		}
		return ParseFault(trimmed)
	}
	var raw struct {
		Fault
		Latency json.RawMessage `json:"latency,omitempty"`
	}
	dec := json.NewDecoder(strings.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Fault{}, err
	}
	f := raw.Fault
	if len(raw.Latency) > 0 {
		var s string
		if err := json.Unmarshal(raw.Latency, &s); err == nil {
			d, err := time.ParseDuration(s)
			if err != nil {
				return Fault{}, err
			}
			f.Latency = d
		} else if err := json.Unmarshal(raw.Latency, &f.Latency); err != nil {
			return Fault{}, fmt.Errorf("latency: %v", err)
		}
	}
	if err := f.Validate(); err != nil {
		return Fault{}, fmt.Errorf("fault: %v", err)
	}
	return f, nil
}

// Apply runs a fault's effects on a request. It reports whether the request has been answered
// (or the connection dropped) and the status sent (0 for a dropped connection); a latency-only or
// truncate fault returns false so the request proceeds (see WriteTruncated). writeStatus writes
// the provider's error body for a status fault; Retry-After, when the rule has one, is set on w
// before it is called.
func (f *Fault) Apply(w http.ResponseWriter, r *http.Request, writeStatus func(w http.ResponseWriter, status int)) (answered bool, status int) {
	if f.Latency > 0 {
		Sleep(r.Context(), f.Latency)
	}
	if f.Reset {
		ResetConn(w)
		return true, 0
	}
	if f.Status != 0 {
		if f.RetryAfter != "" {
			w.Header().Set("Retry-After", f.RetryAfter)
		}
		sw := &StatusWriter{ResponseWriter: w}
		writeStatus(sw, f.Status)
		return true, sw.Status
	}
	return false, 0
}

// Sleep waits d or until ctx is done.
func Sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// ResetConn drops the connection without an answer: on HTTP/1 it hijacks and closes with
// SO_LINGER 0 so the client sees a reset; elsewhere it aborts the handler.
func ResetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// WriteTruncated sends the headers of a complete answer with its full Content-Length, then half
// the body, then drops the connection: the client sees an unexpected EOF while reading the body.
func WriteTruncated(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body[:len(body)/2])
	CutShort(w)
}

// keepKey marks a request a keep fault matched: it is answered as usual and changes nothing.
type keepKey struct{}

// WithKeep marks r when f is a keep rule (Fault.Keep).
func WithKeep(r *http.Request, f *Fault) *http.Request {
	if f == nil || !f.Keep {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), keepKey{}, true))
}

// Kept reports whether r must change nothing: a keep rule matched it (WithKeep).
func Kept(r *http.Request) bool {
	k, _ := r.Context().Value(keepKey{}).(bool)
	return k
}
