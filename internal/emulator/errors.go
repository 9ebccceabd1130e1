package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Error codes the emulator sends. Graph's code set is open [ERR]; these are the documented ones
// for the situations emulated, plus TooManyRequests for throttling [THR].
const (
	codeInvalidRequest = "invalidRequest"
	codeItemNotFound   = "itemNotFound"
	codeAccessDenied   = "accessDenied"
	codeInvalidToken   = "InvalidAuthenticationToken"
	codeThrottled      = "TooManyRequests"
	codeActivityLimit  = "activityLimitReached"
	codeUnavailable    = "serviceNotAvailable"
	codeGeneral        = "generalException"
)

// apiError is an error a handler returns; ServeHTTP writes it as Graph's error body.
type apiError struct {
	status        int
	code, message string
	inner         string // innerError.code, the more specific code [ERR], when set
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func errf(status int, code, msg string) *apiError {
	return &apiError{status: status, code: code, message: msg}
}

func badRequest(msg string) *apiError { return errf(http.StatusBadRequest, codeInvalidRequest, msg) }

func notFound() *apiError {
	return errf(http.StatusNotFound, codeItemNotFound, "The resource could not be found.")
}

// writeError writes {"error":{code,message,innerError:{date,request-id,client-request-id}}}, the
// shape [ERR] and [OAS] document; innerError carries client-request-id as real responses do [BAT].
func writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	inner := map[string]any{
		"date":       time.Now().UTC().Format("2006-01-02T15:04:05"),
		"request-id": w.Header().Get("request-id"),
	}
	if c := r.Header.Get("client-request-id"); c != "" {
		inner["client-request-id"] = c
	}
	if e.inner != "" {
		inner["code"] = e.inner
	}
	writeJSON(w, e.status, map[string]any{"error": map[string]any{
		"code": e.code, "message": e.message, "innerError": inner,
	}})
}

// faultCode maps a fault status to the error code Graph uses for it.
func faultCode(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return codeThrottled
	case http.StatusServiceUnavailable:
		return codeUnavailable
	case http.StatusGatewayTimeout:
		return "gatewayTimeout"
	case http.StatusUnauthorized:
		return codeInvalidToken
	case http.StatusNotFound:
		return codeItemNotFound
	case http.StatusForbidden:
		return codeAccessDenied
	case http.StatusBadRequest:
		return codeInvalidRequest
	}
	if status >= 500 {
		return codeGeneral
	}
	return "status" + strconv.Itoa(status)
}

// writeJSON sends v as JSON without HTML escaping, so '&' in URLs and the <iframe> of embed
// links arrive as Graph sends them rather than as \u0026 and \u003c.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"generalException","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
