package api

import (
	"bytes"
	"encoding/json"
)

// ErrorResponse is the body Graph sends with an error status: {"error": {...}} [ERR, OAS].
type ErrorResponse struct {
	// Error is the error itself.
	Error ErrorBody `json:"error"`
}

// ErrorBody is Graph's main error object. Branch only on Code: Message is for developers, unlocalized and
// may change [ERR].
type ErrorBody struct {
	// Code is the top-level error code, e.g. "itemNotFound"; an open set across Graph's APIs.
	Code string `json:"code"`
	// Message is a developer-facing description.
	Message ErrorText `json:"message"`
	// Target is the part of the request the error is about, when Graph says.
	Target string `json:"target,omitempty"`
	// InnerError carries request ids and possibly a more specific code. Docs spell the member both
	// "innerError" and "innererror" [ERR]; encoding/json matches names case-insensitively, so this one field
	// reads both.
	InnerError *InnerError `json:"innerError,omitempty"`
}

// InnerError is Graph's open innerError object; it may nest further innerErrors with ever more specific
// codes [ERR].
type InnerError struct {
	// Code is a more specific error code, when present.
	Code string `json:"code,omitempty"`
	// Message is a more specific message, when present.
	Message ErrorText `json:"message,omitempty"`
	// RequestID is Graph's id for the request; support asks for it.
	RequestID string `json:"request-id,omitempty"`
	// ClientRequestID echoes the client-request-id header the client sent [BAT].
	ClientRequestID string `json:"client-request-id,omitempty"`
	// Date is when Graph handled the request.
	Date string `json:"date,omitempty"`
	// InnerError is the next, more specific, level.
	InnerError *InnerError `json:"innerError,omitempty"`
}

// ErrorText is an error message. Graph sends a string; SharePoint's own (OData v3) errors, which
// Graph passes through from some SharePoint endpoints, send {"lang": "en-US", "value": "..."}:
// both read as the text.
type ErrorText string

// UnmarshalJSON reads a string, or the "value" of a {"lang", "value"} object; anything else is
// left empty rather than failing the whole error body.
func (t *ErrorText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var s string
	switch {
	case len(b) > 0 && b[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	case len(b) > 0 && b[0] == '{':
		var o struct {
			Value string `json:"value"`
		}
		if json.Unmarshal(b, &o) == nil {
			s = o.Value
		}
	}
	*t = ErrorText(s)
	return nil
}
