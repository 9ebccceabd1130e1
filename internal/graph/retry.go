package graph

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
	defaultMaxAttempts  = 5
	defaultMaxRetryWait = 60 * time.Second
	backoffBase         = 500 * time.Millisecond
	backoffCap          = 30 * time.Second
)

// ParseRetryAfter reads a Retry-After header value: whole or fractional seconds (Graph's own throttling
// sample is "Retry-After: 2.128" [THR]) or an HTTP-date. ok is false for an empty, negative or malformed
// value and for a date not after now (probably clock skew), so the caller falls back to backoff instead of
// hammering a throttled service [THR]. "0" is honoured as "retry now".
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDecimal(v) {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil {
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

// backoff is exponential backoff with full jitter: a uniform wait in [0, min(cap, base*2^(retry-1))].
// Jitter keeps many odshare processes (a script's loop) from retrying in lockstep.
func backoff(retry int) time.Duration {
	ceil := backoffCap
	if retry < 16 {
		if d := backoffBase << (retry - 1); d < ceil {
			ceil = d
		}
	}
	return time.Duration(rand.Int64N(int64(ceil) + 1))
}

// honoursRetryAfter lists the statuses whose Retry-After tells us when to come back [THR, ERR].
func honoursRetryAfter(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout
}

// retryableServerError is any other 5xx except the ones that describe the request or the account rather
// than a passing fault (501 Not Implemented, 505, 507 Insufficient Storage).
func retryableServerError(status int) bool {
	switch status {
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported, http.StatusInsufficientStorage:
		return false
	}
	return status >= 500 && status <= 599
}

// retryableTransport reports a connection that died under us: a reset, or EOF / unexpected EOF while the
// response (or its body) was being read. Timeouts are deliberately not retried: the request may still be
// running on Graph's side.
func retryableTransport(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// sleepCtx is the default Options.Sleep: a real timer that gives up the moment ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
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
