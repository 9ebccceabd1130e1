package graph

import (
	"slices"

	"github.com/odshare/odshare/internal/bearer"
)

// These methods let callers above the providers (the sharing core, internal/app) classify Graph's
// errors through interfaces, without importing this package.

// HTTPStatus is the HTTP status.
func (e *Error) HTTPStatus() int { return e.StatusCode }

// ErrorCode is Graph's top-level error code.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage is Graph's message, sanitized.
func (e *Error) ErrorMessage() string { return e.Message }

// HasCode reports whether code is Graph's code or one of its innerError codes.
func (e *Error) HasCode(code string) bool {
	return e.Code == code || slices.Contains(e.InnerCodes, code)
}

// PageLimit is the bound the listing reached.
func (e *PageLimitError) PageLimit() int64 { return e.Limit }

// RetrySettings are how the client waits between attempts, for a caller that schedules its own
// retries (the bulk engine).
type RetrySettings = bearer.RetrySettings

// Retry returns the client's retry settings.
func (c *Client) Retry() RetrySettings { return c.send.Retry() }
