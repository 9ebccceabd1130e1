package graph

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/safetext"
)

// ErrInsecureEndpoint is wrapped by New's error when the base URL would send a bearer token over plain
// HTTP to a host other than loopback.
var ErrInsecureEndpoint = errors.New("insecure Graph endpoint")

// Error is a Graph call that ended in an HTTP status >= 400. It is the one error type callers branch on
// (with errors.As) instead of parsing bodies; branch on StatusCode and Code, never Message, which Graph
// says is for developers and may change [ERR].
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is Graph's top-level error code ("itemNotFound"); empty when the body was not Graph's shape.
	Code string
	// InnerCodes are the nested innerError codes, outermost first: more specific codes Graph may add
	// [ERR]. Kept beside Code rather than replacing it because the set is open and undocumented.
	InnerCodes []string
	// Message is Graph's message with control characters removed, safe to print on a terminal.
	Message string
	// RequestID is Graph's request-id response header, or innerError.request-id when the header is absent.
	RequestID string
	// ClientRequestID is the client-request-id odshare sent, for correlating with the debug log.
	ClientRequestID string
	// Date is innerError.date, or the Date response header.
	Date string
	// Method and URL are the request that failed.
	Method, URL string
}

// Error formats the error as "code: message (HTTP 404, request-id ...)", or "HTTP 502 Bad Gateway
// (request-id ...)" when the body was not Graph's error shape, so a pasted error line is enough for support.
func (e *Error) Error() string {
	code, msg, rid := sanitize(e.Code), sanitize(e.Message), sanitize(e.RequestID)
	var b strings.Builder
	if code == "" && msg == "" {
		b.WriteString(statusLine(e.StatusCode))
		if rid != "" {
			fmt.Fprintf(&b, " (request-id %s)", rid)
		}
		return b.String()
	}
	// innerError codes are the actionable part ("accountUpgradeRequired" under "accessDenied").
	var inner []string
	for _, c := range e.InnerCodes {
		if c = sanitize(c); c != "" && c != code && !slices.Contains(inner, c) {
			inner = append(inner, c)
		}
	}
	if len(inner) > 0 {
		if code == "" {
			code = strings.Join(inner, ", ")
		} else {
			code += " (" + strings.Join(inner, ", ") + ")"
		}
	}
	switch {
	case code != "" && msg != "":
		b.WriteString(code + ": " + msg)
	case code != "":
		b.WriteString(code)
	default:
		b.WriteString(msg)
	}
	fmt.Fprintf(&b, " (HTTP %d", e.StatusCode)
	if rid != "" {
		fmt.Fprintf(&b, ", request-id %s", rid)
	}
	b.WriteString(")")
	return b.String()
}

// Unauthorized reports an HTTP 401: the token was missing, expired or revoked, so the user should sign in
// again. A 403 is not included: it means signed in but not allowed (or unlicensed [ERR]). Nor is
// SharePoint's access-denied 401 (see AccessDenied).
func (e *Error) Unauthorized() bool {
	return e.StatusCode == http.StatusUnauthorized && !e.AccessDenied()
}

// AccessDenied reports SharePoint's "access denied" passed through Graph as a 401, with the code of
// .NET's UnauthorizedAccessException (HRESULT -2147024891, E_ACCESSDENIED): the token was accepted,
// but its user or app may not do this here (microsoft-graph-docs-contrib#8287). Signing in again
// cannot help; permissions can. Only the code is read, never the message.
func (e *Error) AccessDenied() bool {
	return e.StatusCode == http.StatusUnauthorized &&
		(strings.Contains(e.Code, "System.UnauthorizedAccessException") || strings.HasPrefix(e.Code, "-2147024891"))
}

func statusLine(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("HTTP %d %s", code, t)
	}
	return fmt.Sprintf("HTTP %d", code)
}

// sanitize makes server-supplied text safe for one terminal line (safetext.Line).
var sanitize = safetext.Line

// newError builds an *Error from a failed response. The body is parsed only if it is Graph's error shape;
// anything else (an HTML page from a proxy) leaves Code and Message empty rather than dumping it.
func newError(method, rawURL, clientRequestID string, status int, header http.Header, body []byte) *Error {
	e := &Error{
		StatusCode:      status,
		RequestID:       sanitize(header.Get("request-id")),
		ClientRequestID: clientRequestID,
		Method:          method,
		URL:             rawURL,
	}
	var er api.ErrorResponse
	if json.Unmarshal(body, &er) == nil && (er.Error.Code != "" || er.Error.Message != "") {
		e.Code = sanitize(er.Error.Code)
		e.Message = sanitize(string(er.Error.Message))
		depth := 0
		for ie := er.Error.InnerError; ie != nil && depth < 32; ie = ie.InnerError {
			if depth == 0 {
				if e.RequestID == "" {
					e.RequestID = sanitize(ie.RequestID)
				}
				e.Date = sanitize(ie.Date)
			}
			if ie.Code != "" {
				e.InnerCodes = append(e.InnerCodes, sanitize(ie.Code))
			}
			depth++
		}
	}
	if e.Date == "" {
		e.Date = sanitize(header.Get("Date"))
	}
	return e
}
