// Package httpretry holds the retry rules odshare's API clients (Microsoft Graph, Box) share: reading a
// Retry-After header, exponential backoff with full jitter, which statuses and transport errors are worth
// another attempt, and a cancellable sleep. Each client keeps its own loop (its error type, its refresh
// rule); only these pieces are the same.
//
// It imports only the standard library.
package httpretry

import (
	"context"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	// DefaultMaxAttempts bounds the attempts of one request, first included, when a client's options
	// leave it at 0. Box's own SDK stops at 5 too.
	DefaultMaxAttempts = 5
	// DefaultMaxRetryWait caps one Retry-After wait when a client's options leave it at 0.
	DefaultMaxRetryWait = 60 * time.Second
	// BackoffBase is the ceiling of the first backoff wait; it doubles per retry up to BackoffCap.
	BackoffBase = 500 * time.Millisecond
	// BackoffCap is the largest ceiling a backoff wait is drawn under.
	BackoffCap = 30 * time.Second
)

// ParseRetryAfter reads a Retry-After header value: whole or fractional seconds (Graph's throttling sample
// is "Retry-After: 2.128"; Box's SDK parses the value as a float) or an HTTP-date. ok is false for an empty,
// negative or malformed value and for a date not after now (probably clock skew), so the caller falls back
// to backoff instead of hammering a throttled service. "0" is honoured as "retry now".
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDecimal(v) {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) { // beyond float64 is +Inf: as long as it gets
			return 0, false
		}
		const maxSecs = float64(math.MaxInt64 / int64(time.Second))
		if secs > maxSecs {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(math.Round(secs * float64(time.Second))), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d = t.Sub(now); d <= 0 {
		return 0, false
	}
	return d, true
}

// isDecimal accepts digits with at most one '.', and digits on at least one side of it; ParseFloat alone
// would also take "-1", "+2", "1e3", "Inf" and "0x10".
func isDecimal(s string) bool {
	digits, dots := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// Backoff is exponential backoff with full jitter for the retry-th retry (1 for the first): a uniform wait
// in [0, min(BackoffCap, BackoffBase*2^(retry-1))]. Jitter keeps many odshare processes (a script's loop)
// from retrying in lockstep.
func Backoff(retry int) time.Duration {
	return time.Duration(rand.Int64N(int64(ceiling(BackoffBase, BackoffCap, retry)) + 1))
}

// ceiling is base*2^(retry-1), at most limit; retry counts from 1.
func ceiling(base, limit time.Duration, retry int) time.Duration {
	retry = max(retry, 1)
	if retry < 16 {
		if d := base << (retry - 1); d < limit {
			return d
		}
	}
	return limit
}

// Throttling waits. A throttled request (429, or 503, which Graph also answers when it sheds load) is
// retried for as long as a time budget allows rather than a fixed number of times: real throttle windows
// last 30 to 120 seconds, often without a Retry-After (OneDrive/onedrive-api-docs#1307, #901, #797), so
// five quick attempts give up long before the service would have answered.
const (
	// DefaultRetryBudget is how long, in all, a client waits out throttling for one request.
	DefaultRetryBudget = 5 * time.Minute
	// MinThrottleCharge is the least a throttled retry counts against the budget however short its wait,
	// so a server answering "Retry-After: 0" forever gets at most one retry per second of budget.
	MinThrottleCharge = time.Second
	// ThrottleBackoffBase is the first wait for a throttled request without a usable Retry-After; it doubles
	// per retry up to DefaultMaxRetryWait.
	ThrottleBackoffBase = time.Second
)

// Throttled reports the statuses that mean "too much, come back later": 429 and 503.
func Throttled(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// ThrottleBackoff is the wait before the retry-th retry (1 for the first) of a throttled request that came
// without a usable Retry-After: exponential from ThrottleBackoffBase to DefaultMaxRetryWait with equal
// jitter (between half the ceiling and the ceiling), so a throttled client really backs off, yet many
// clients don't come back in lockstep.
func ThrottleBackoff(retry int) time.Duration {
	ceil := ceiling(ThrottleBackoffBase, DefaultMaxRetryWait, retry)
	half := ceil / 2
	return half + time.Duration(rand.Int64N(int64(ceil-half)+1))
}

// HonoursRetryAfter lists the statuses whose Retry-After tells a client when to come back: 429, 503 and
// 504 (Graph documents all three; Box sends retry-after on 429 and may on 503).
func HonoursRetryAfter(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// RetryableServerError is any other 5xx except the ones that describe the request or the account rather
// than a passing fault (501 Not Implemented, 505, 507 Insufficient Storage).
func RetryableServerError(status int) bool {
	switch status {
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported, http.StatusInsufficientStorage:
		return false
	}
	return status >= 500 && status <= 599
}

// Wait decides what follows a response with status >= 400 to the attempt-th attempt (1 for the first):
// retry reports whether the status is worth another attempt, and d how long to wait first. Statuses that
// HonoursRetryAfter lists, and those retryAlso adds (nil adds none), wait for their Retry-After value capped
// at maxWait, or back off when it is absent or unusable; other RetryableServerError statuses back off. It
// does not count attempts: the caller stops at its own bound.
func Wait(attempt, status int, retryAfter string, maxWait time.Duration, retryAlso func(status int) bool) (d time.Duration, retry bool) {
	switch {
	case HonoursRetryAfter(status) || retryAlso != nil && retryAlso(status):
		d, ok := ParseRetryAfter(retryAfter, time.Now())
		if !ok {
			d = Backoff(attempt)
		}
		return min(d, maxWait), true
	case RetryableServerError(status):
		return Backoff(attempt), true
	}
	return 0, false
}

// RetryableTransport reports a connection that died under us: a reset, or EOF / unexpected EOF while the
// response (or its body) was being read. Timeouts are deliberately not retried: the request may still be
// running on the server's side.
func RetryableTransport(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// Sleep is the default wait between attempts: a real timer that gives up the moment ctx is done, and
// returns ctx.Err() at once for a context already done, even with d <= 0.
func Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
