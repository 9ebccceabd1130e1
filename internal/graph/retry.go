package graph

import (
	"time"

	"github.com/odshare/odshare/internal/httpretry"
)

// The retry rules are package httpretry's, shared with the Box client; these names keep the bulk engine's
// call sites short.
const defaultMaxAttempts = httpretry.DefaultMaxAttempts

var (
	backoff              = httpretry.Backoff
	honoursRetryAfter    = httpretry.HonoursRetryAfter
	retryableServerError = httpretry.RetryableServerError
)

// ParseRetryAfter reads a Retry-After header value (seconds, fractional seconds or an HTTP-date); see
// httpretry.ParseRetryAfter.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	return httpretry.ParseRetryAfter(v, now)
}
