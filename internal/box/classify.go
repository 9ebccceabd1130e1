package box

// These methods let callers above the providers (the sharing core, internal/app) classify Box's
// errors through interfaces, without importing this package.

// HTTPStatus is the HTTP status.
func (e *Error) HTTPStatus() int { return e.StatusCode }

// ErrorCode is Box's code or the OAuth error.
func (e *Error) ErrorCode() string { return e.Code }

// ErrorMessage is Box's message or the OAuth error_description.
func (e *Error) ErrorMessage() string { return e.Message }

// PageLimit is the bound the listing reached.
func (e *PageLimitError) PageLimit() int64 { return e.Limit }
