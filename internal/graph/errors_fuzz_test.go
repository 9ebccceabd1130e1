package graph

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode"

	"github.com/odshare/odshare/internal/safetext"
)

// oneSafeLine fails t unless s is what safetext.Line makes: one line without control or bidi characters.
func oneSafeLine(t *testing.T, what, s string) {
	t.Helper()
	if safetext.Line(s) != s {
		t.Fatalf("%s %q is not one sanitized line", what, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Fatalf("%s %q holds %U", what, s, r)
		}
	}
}

// FuzzErrorBody feeds any body to newError (Graph's error responses) and errorOf (a $batch
// sub-response's error): neither panics, and every field a terminal may show is one sanitized line.
func FuzzErrorBody(f *testing.F) {
	for _, b := range []string{
		`{"error":{"code":"itemNotFound","message":"The resource could not be found."}}`,
		`{"error":{"code":"accessDenied","message":"Access denied","innerError":{"code":"accountUpgradeRequired","date":"2026-11-24T08:00:00","request-id":"r-1","client-request-id":"c-1","innerError":{"code":"deeper"}}}}`,
		`{"error":{"code":"-2147024891, System.UnauthorizedAccessException","message":"Access denied. You do not have permission to perform this action or access this resource."}}`,
		`{"error":{"code":"generalException","message":{"lang":"en-US","value":"An object, as SharePoint sends it"}}}`,
		`{"error":{"code":"x\u001b[31m","message":"line\nbreak\u202e\u0000"}}`,
		`{"error":{"code":"","message":""}}`,
		`{"error":null}`,
		`{"error":"a string"}`,
		`<html><body>502 Bad Gateway</body></html>`,
		``, `null`, `[]`, `{"error":{"innerError":{"innerError":{"innerError":{}}}}}`,
	} {
		f.Add(404, []byte(b))
	}
	f.Add(401, []byte(`{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired."}}`))
	f.Add(999, []byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		resp := &http.Response{StatusCode: status, Header: http.Header{"Request-Id": {"rid\x1b]0;x\a"}, "Date": {"d\r\nX: y"}}}
		e := newError(http.MethodGet, "https://graph.example/v1.0/me/drive", "crid", resp.StatusCode, resp.Header, body)
		if e.StatusCode != status {
			t.Fatalf("status %d became %d", status, e.StatusCode)
		}
		oneSafeLine(t, "Code", e.Code)
		oneSafeLine(t, "Message", e.Message)
		oneSafeLine(t, "RequestID", e.RequestID)
		oneSafeLine(t, "Date", e.Date)
		for _, c := range e.InnerCodes {
			oneSafeLine(t, "inner code", c)
		}
		msg := e.Error()
		if strings.ContainsAny(msg, "\r\n\x1b\x00") {
			t.Fatalf("Error() = %q: not one safe line", msg)
		}
		if e.Code == "" && e.Message == "" && !strings.HasPrefix(msg, "HTTP ") {
			t.Fatalf("Error() = %q for a body that is not Graph's shape; want the HTTP status", msg)
		}
		code, message := ErrorOf(body)
		oneSafeLine(t, "errorOf code", code)
		oneSafeLine(t, "errorOf message", message)
	})
}

// FuzzErrorBodyRoundTrip builds Graph's error shape from any strings and checks that newError reads
// back what was sent, sanitized: the code, the message, the innermost-first inner codes and the
// request-id from innerError when no header carries one.
func FuzzErrorBodyRoundTrip(f *testing.F) {
	f.Add("itemNotFound", "The resource could not be found.", "accountUpgradeRequired", "r-1")
	f.Add("", "only a message", "", "")
	f.Add("code\x1b[2J", "two\nlines", "  ", "\u202erid")
	f.Fuzz(func(t *testing.T, code, message, inner, rid string) {
		type ie struct {
			Code       string `json:"code,omitempty"`
			RequestID  string `json:"request-id,omitempty"`
			InnerError *ie    `json:"innerError,omitempty"`
		}
		body, err := json.Marshal(map[string]any{"error": map[string]any{
			"code": code, "message": message,
			"innerError": ie{Code: inner, RequestID: rid, InnerError: &ie{Code: "deeper"}},
		}})
		if err != nil {
			t.Skip("not representable in JSON")
		}
		e := newError(http.MethodPost, "u", "c", 400, http.Header{}, body)
		// What Graph sent is the strings as JSON carries them (encoding/json makes each invalid byte U+FFFD).
		code, message, inner, rid = asJSON(code), asJSON(message), asJSON(inner), asJSON(rid)
		wantCode, wantMsg := safetext.Line(code), safetext.Line(message)
		if code == "" && message == "" {
			wantCode, wantMsg = "", ""
		}
		if e.Code != wantCode || e.Message != wantMsg {
			t.Fatalf("code, message = %q, %q; want %q, %q", e.Code, e.Message, wantCode, wantMsg)
		}
		if code == "" && message == "" {
			return
		}
		var want []string
		if inner != "" {
			want = append(want, safetext.Line(inner))
		}
		want = append(want, "deeper")
		if strings.Join(e.InnerCodes, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("inner codes = %q; want %q", e.InnerCodes, want)
		}
		if e.RequestID != safetext.Line(rid) {
			t.Fatalf("request-id = %q; want %q", e.RequestID, safetext.Line(rid))
		}
	})
}

// asJSON is s after a trip through a JSON string.
func asJSON(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}
