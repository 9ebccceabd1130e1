package graph

import (
	"time"

	"github.com/odshare/odshare/internal/httpretry"
)

// The retry rules are package httpretry's, shared with the Box client; these names keep Graph's call sites
// short.
const (
	defaultMaxAttempts  = httpretry.DefaultMaxAttempts
	defaultMaxRetryWait = httpretry.DefaultMaxRetryWait
)

var (
	backoff              = httpretry.Backoff
	honoursRetryAfter    = httpretry.HonoursRetryAfter
	retryableServerError = httpretry.RetryableServerError
	retryableTransport   = httpretry.RetryableTransport
	sleepCtx             = httpretry.Sleep
)

// ParseRetryAfter reads a Retry-After header value (seconds, fractional seconds or an HTTP-date); see
// httpretry.ParseRetryAfter.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	return httpretry.ParseRetryAfter(v, now)
}
