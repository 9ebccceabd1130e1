package box

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/odshare/odshare/internal/safetext"
)

// requestIDHeader is the response header with Box's id for the request (box/box-python-sdk#583).
const requestIDHeader = "BOX-REQUEST-ID"

// Error is a Box call that ended in an HTTP status >= 400: the one error type callers branch on (with
// errors.As) instead of parsing bodies. It holds either shape Box answers with: the API's error object
// ({"type":"error","status","code","message","context_info":{"errors":[…]},"help_url","request_id"}) or,
// from the token endpoint, OAuth 2.0's {"error","error_description"} (OAuth is then true). A 401 without a
// body takes its code from the WWW-Authenticate header (error="invalid_token"). Every text field is
// sanitized for one terminal line. Branch on StatusCode and Code, never Message.
type Error struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Code is Box's code ("not_found", "rate_limit_exceeded") or the OAuth error ("invalid_grant"); empty
	// when the body was neither shape.
	Code string
	// Message is Box's message or the OAuth error_description.
	Message string
	// Details are context_info.errors, Box's word on which parameter was wrong and why.
	Details []ErrorDetail
	// RequestID is the BOX-REQUEST-ID header, or the body's request_id when the header is absent.
	RequestID string
	// HelpURL is Box's help_url, kept for -o json style reports; Error() leaves it out.
	HelpURL string
	// OAuth is true when the body was an OAuth 2.0 error (the token endpoint's shape).
	OAuth bool
	// Method and URL are the request that failed.
	Method, URL string
}

// ErrorDetail is one entry of context_info.errors.
type ErrorDetail struct {
	Reason  string // e.g. "invalid_parameter"
	Name    string // e.g. "shared_link_permissions"
	Message string
}

// maxDetails is how many context_info.errors Error() spells out; the rest are counted.
const maxDetails = 3

// Error formats the error on one line: "code: message [name: reason: message; …] (HTTP 400, request-id
// …)", or "HTTP 502 Bad Gateway (request-id …)" when the body was not Box's error shape, so a pasted error
// line is enough for support.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Code != "" && e.Message != "":
		b.WriteString(e.Code + ": " + e.Message)
	case e.Code != "":
		b.WriteString(e.Code)
	default:
		b.WriteString(e.Message)
	}
	if len(e.Details) > 0 {
		parts := make([]string, 0, maxDetails+1)
		for i, d := range e.Details {
			if i == maxDetails {
				parts = append(parts, fmt.Sprintf("+%d more", len(e.Details)-maxDetails))
				break
			}
			parts = append(parts, d.text())
		}
		b.WriteString(" [" + strings.Join(parts, "; ") + "]")
	}
	head := safetext.Line(b.String())
	rid := safetext.Line(e.RequestID)
	if head == "" {
		if rid != "" {
			return statusLine(e.StatusCode) + " (request-id " + rid + ")"
		}
		return statusLine(e.StatusCode)
	}
	if rid != "" {
		return fmt.Sprintf("%s (HTTP %d, request-id %s)", head, e.StatusCode, rid)
	}
	return fmt.Sprintf("%s (HTTP %d)", head, e.StatusCode)
}

func (d ErrorDetail) text() string {
	var parts []string
	for _, s := range []string{d.Name, d.Reason, d.Message} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// Unauthorized reports a failure that signing in again fixes (exit 4): an HTTP 401 from the API, or an
// OAuth error saying the grant or the client credentials are no good (Box answers those with 400:
// "Invalid refresh token", "Refresh token has expired", "The client credentials are invalid"). A 403 is
// not included: it means signed in but not allowed.
func (e *Error) Unauthorized() bool {
	if e.StatusCode == http.StatusUnauthorized {
		return true
	}
	if e.OAuth {
		switch e.Code {
		case "invalid_grant", "invalid_client", "unauthorized_client":
			return true
		}
	}
	return false
}

func statusLine(code int) string {
	if t := http.StatusText(code); t != "" {
		return fmt.Sprintf("HTTP %d %s", code, t)
	}
	return fmt.Sprintf("HTTP %d", code)
}

// boxErrorBody is Box's ClientError object and OAuth2Error, decoded together: they share no field names.
type boxErrorBody struct {
	Type        string          `json:"type"`
	Code        string          `json:"code"`
	Message     string          `json:"message"`
	RequestID   string          `json:"request_id"`
	HelpURL     string          `json:"help_url"`
	ContextInfo json.RawMessage `json:"context_info"`

	OAuthError       string `json:"error"`
	OAuthDescription string `json:"error_description"`
}

// NewError builds an *Error from a failed response: the API's and the token endpoint's alike, so sign-in
// uses it too. The body is parsed only if it is one of Box's two error shapes; anything else (an HTML page
// from a proxy) leaves Code and Message empty rather than dumping it. method and rawURL name the request.
func NewError(method, rawURL string, status int, header http.Header, body []byte) *Error {
	e := &Error{
		StatusCode: status,
		RequestID:  safetext.Line(header.Get(requestIDHeader)),
		Method:     method,
		URL:        rawURL,
	}
	var eb boxErrorBody
	if json.Unmarshal(body, &eb) == nil {
		switch {
		case eb.Code != "" || eb.Message != "" || eb.Type == "error":
			e.Code = safetext.Line(eb.Code)
			e.Message = safetext.Line(eb.Message)
			e.HelpURL = safetext.Line(eb.HelpURL)
			if e.RequestID == "" {
				e.RequestID = safetext.Line(eb.RequestID)
			}
			e.Details = contextErrors(eb.ContextInfo)
		case eb.OAuthError != "":
			e.OAuth = true
			e.Code = safetext.Line(eb.OAuthError)
			e.Message = safetext.Line(eb.OAuthDescription)
		}
	}
	if e.Code == "" && e.Message == "" && status == http.StatusUnauthorized {
		e.Code, e.Message = bearerChallenge(header.Get("WWW-Authenticate"))
	}
	return e
}

// maxDetailsKept bounds the context_info.errors kept from one body.
const maxDetailsKept = 20

// contextErrors reads context_info.errors[] (reason, name, message). context_info has other shapes too
// (conflicts on a 409), which are ignored.
func contextErrors(raw json.RawMessage) []ErrorDetail {
	var ci struct {
		Errors []struct {
			Reason  string `json:"reason"`
			Name    string `json:"name"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &ci) != nil {
		return nil
	}
	var out []ErrorDetail
	for _, d := range ci.Errors {
		if len(out) == maxDetailsKept {
			break
		}
		dd := ErrorDetail{Reason: safetext.Line(d.Reason), Name: safetext.Line(d.Name), Message: safetext.Line(d.Message)}
		if dd != (ErrorDetail{}) {
			out = append(out, dd)
		}
	}
	return out
}

// bearerChallenge reads error and error_description from a WWW-Authenticate Bearer challenge (RFC 6750
// §3), e.g. `Bearer realm="Service", error="invalid_token", error_description="The access token provided is
// invalid."` (box/box-node-sdk#157).
func bearerChallenge(v string) (code, desc string) {
	v = strings.TrimSpace(v)
	scheme, rest, _ := strings.Cut(v, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", ""
	}
	params := authParams(rest)
	return safetext.Line(params["error"]), safetext.Line(params["error_description"])
}

// authParams parses a comma-separated list of name=value or name="quoted value" pairs; names are lower-cased.
// Malformed input yields what parsed before it.
func authParams(s string) map[string]string {
	out := map[string]string{}
	for len(out) < 16 {
		s = strings.TrimLeft(s, " \t,")
		name, rest, ok := strings.Cut(s, "=")
		if !ok {
			return out
		}
		name = strings.ToLower(strings.TrimSpace(name))
		rest = strings.TrimLeft(rest, " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			if val, rest, ok = quotedString(rest); !ok {
				return out
			}
		} else {
			val, rest, _ = strings.Cut(rest, ",")
			val = strings.TrimSpace(val)
		}
		out[name] = val
		s = rest
	}
	return out
}

// quotedString reads an RFC 9110 quoted-string at the start of s (a backslash escapes the next byte) and
// returns its value and what follows it.
func quotedString(s string) (val, rest string, ok bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return "", "", false
			}
			i++
			b.WriteByte(s[i])
		case '"':
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", false
}
