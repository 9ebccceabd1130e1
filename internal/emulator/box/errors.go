package box

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// helpURL is what Box's error objects point at [G-API common-errors].
const helpURL = "http://developers.box.com/docs/#errors"

// apiError is a Box API error; ServeHTTP writes it as Box's client error object [OA ClientError]:
// {"type":"error","status","code","message","context_info","help_url","request_id"}.
type apiError struct {
	status  int
	code    string
	message string
	context map[string]any // context_info; nil = none
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errf(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, message: msg}
}

// invalidParam is Box's 400 for a bad value: code bad_request with
// context_info.errors[{reason:"invalid_parameter", name, message}] (sookasa/box.py#18,
// box/box-python-sdk#583).
func invalidParam(name, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", message: "Bad Request",
		context: map[string]any{"errors": []any{map[string]any{"reason": "invalid_parameter", "name": name, "message": msg}}}}
}

func badRequest(msg string) *apiError { return errf(http.StatusBadRequest, "bad_request", msg) }

func notFound() *apiError { return errf(http.StatusNotFound, "not_found", "Not Found") }

// forbidden is Box's 403 access_denied_insufficient_permissions [G-API common-errors]; detail
// goes into context_info so the message stays Box's.
func forbidden(detail string) *apiError {
	e := errf(http.StatusForbidden, "access_denied_insufficient_permissions", "Access denied - insufficient permission")
	if detail != "" {
		e.context = map[string]any{"errors": []any{map[string]any{"reason": "insufficient_permissions", "message": detail}}}
	}
	return e
}

// unavailable is the 404 Box gives a company link opened from another enterprise
// (box/box-java-sdk#403): invalid_parameter "unavailable" with the item's typed id.
func unavailable(it *item) *apiError {
	prefix := map[string]string{TypeFolder: "d_", TypeFile: "f_", TypeWebLink: "w_"}[it.typ]
	return &apiError{status: http.StatusNotFound, code: "not_found", message: "Not Found",
		context: map[string]any{"errors": []any{map[string]any{"reason": "invalid_parameter", "name": "unavailable",
			"message": fmt.Sprintf("Invalid value '%s%s'.", prefix, it.id)}}}}
}

// faultCode maps a fault status to the code Box answers it with.
func faultCode(status int) (code, msg string) {
	switch status {
	case http.StatusTooManyRequests:
		return "rate_limit_exceeded", "Request rate limit exceeded, please try again later"
	case http.StatusServiceUnavailable:
		return "unavailable", "Unavailable"
	case http.StatusInternalServerError:
		return "internal_server_error", "Internal Server Error"
	case http.StatusUnauthorized:
		return "unauthorized", "Unauthorized"
	case http.StatusForbidden:
		return "forbidden", "Forbidden"
	case http.StatusNotFound:
		return "not_found", "Not Found"
	case http.StatusBadRequest:
		return "bad_request", "Bad Request"
	case http.StatusConflict:
		return "operation_blocked_temporary", "The operation is blocked by another ongoing operation."
	}
	return "status_" + strconv.Itoa(status), http.StatusText(status)
}

// writeError writes e as Box's client error object; request_id is the BOX-REQUEST-ID header.
func writeError(w http.ResponseWriter, e *apiError) {
	o := obj{{"type", "error"}, {"status", e.status}, {"code", e.code}}
	if e.context != nil {
		o = append(o, kv{"context_info", e.context})
	}
	o = append(o, kv{"help_url", helpURL}, kv{"message", e.message}, kv{"request_id", w.Header().Get("Box-Request-Id")})
	writeJSON(w, e.status, o)
}

// oauthError is an error of /oauth2/* as Box writes it [OA OAuth2Error]: 400
// {"error","error_description"}.
type oauthError struct {
	status      int
	code, descr string
}

func oauthErr(code, descr string) *oauthError { return &oauthError{http.StatusBadRequest, code, descr} }

func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, e.status, obj{{"error", e.code}, {"error_description", e.descr}})
}

// kv and obj keep JSON members in Box's order (type and id first), which map[string]any can't.
type kv struct {
	k string
	v any
}

type obj []kv

func (o obj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(m.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal encodes without HTML escaping, so '&' in URLs arrives as sent.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"type":"error","status":500,"code":"internal_server_error","message":"encoding failed"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
