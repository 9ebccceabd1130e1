package kit

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
// tokens. Each request a stand-in counts takes one token; a request that finds none is answered
// 429 with a Retry-After (the time until a token is available) and takes none.
type Throttle struct {
	RatePerSecond float64 `json:"ratePerSecond"` // > 0
	Burst         int     `json:"burst"`         // bucket size; 0 = max(1, RatePerSecond/5)
	// WholeSeconds asks the stand-in for a Retry-After in whole seconds, rounded up (see
	// RetryAfterSeconds), instead of its own finer format where it has one.
	WholeSeconds bool `json:"wholeSeconds,omitempty"`
}

// DefaultBurst is the burst a Throttle with Burst 0 gets: a fifth of a second's worth of
// requests, at least one.
func DefaultBurst(rps float64) int { return max(1, int(rps/5)) }

// Validate accepts nil (no throttle) or a positive finite rate and a non-negative burst.
func (t *Throttle) Validate() error {
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

// Limiter holds the buckets of a Throttle, keyed by client. A nil *Limiter lets everything
// through.
type Limiter struct {
	rate  float64
	burst float64
	mu    sync.Mutex
	b     map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter returns the limiter of t, or nil when t is nil.
func NewLimiter(t *Throttle) *Limiter {
	if t == nil {
		return nil
	}
	burst := t.Burst
	if burst == 0 {
		burst = DefaultBurst(t.RatePerSecond)
	}
	return &Limiter{rate: t.RatePerSecond, burst: float64(burst), b: map[string]*bucket{}}
}

// Take takes a token from key's bucket at now. Without one it reports how long until one is
// available and takes nothing. A nil Limiter always grants.
func (l *Limiter) Take(key string, now time.Time) (wait time.Duration, ok bool) {
	if l == nil {
		return 0, true
	}
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

// RetryAfterSeconds formats a wait as whole seconds, rounded up and at least 1, so a client
// that waits that long always finds the budget or token it waited for.
func RetryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(max(1, int64((d+time.Second-1)/time.Second)), 10)
}

// ClientKey names the bucket of a request: its Authorization header, else its remote IP.
func ClientKey(r *http.Request) string {
	if a := r.Header.Get("Authorization"); a != "" {
		return "auth:" + a
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "ip:" + host
}
