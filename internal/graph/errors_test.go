package graph

import (
	"net/http"
	"reflect"
	"testing"
)

func TestErrorText(t *testing.T) {
	cases := []struct {
		name string
		err  Error
		want string
	}{
		{"graph shape", Error{StatusCode: 404, Code: "itemNotFound", Message: "The resource could not be found.", RequestID: "4f2a"},
			"itemNotFound: The resource could not be found. (HTTP 404, request-id 4f2a)"},
		{"no request id", Error{StatusCode: 403, Code: "accessDenied", Message: "Nope."},
			"accessDenied: Nope. (HTTP 403)"},
		{"code only", Error{StatusCode: 400, Code: "invalidRequest", RequestID: "r"}, "invalidRequest (HTTP 400, request-id r)"},
		{"message only", Error{StatusCode: 400, Message: "bad"}, "bad (HTTP 400)"},
		{"not graph shape", Error{StatusCode: 502, RequestID: "r9"}, "HTTP 502 Bad Gateway (request-id r9)"},
		{"not graph shape no id", Error{StatusCode: 502}, "HTTP 502 Bad Gateway"},
		{"unknown status", Error{StatusCode: 599}, "HTTP 599"},
		{"inner code shown", Error{StatusCode: 403, Code: "accessDenied", InnerCodes: []string{"accountUpgradeRequired"}, Message: "Account Upgrade is required for this operation."},
			"accessDenied (accountUpgradeRequired): Account Upgrade is required for this operation. (HTTP 403)"},
		{"inner codes once, not the top one again", Error{StatusCode: 400, Code: "invalidRequest", InnerCodes: []string{"invalidRequest", "a", "b", "a"}},
			"invalidRequest (a, b) (HTTP 400)"},
		{"control chars", Error{StatusCode: 400, Code: "x\x1b[2J", Message: "line1\nline2\r\x1b]0;pwned\x07\u202eend", RequestID: "r\n1"},
			"x [2J: line1 line2 ]0;pwned end (HTTP 400, request-id r 1)"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	if !(&Error{StatusCode: 401}).Unauthorized() || (&Error{StatusCode: 403}).Unauthorized() {
		t.Error("Unauthorized wrong")
	}
	sp := &Error{StatusCode: 401, Code: "-2147024891, System.UnauthorizedAccessException"}
	if sp.Unauthorized() || !sp.AccessDenied() || (&Error{StatusCode: 401, Code: "InvalidAuthenticationToken"}).AccessDenied() {
		t.Error("SharePoint's access denied is a permission problem, not a sign-in one")
	}
}

func TestNewError(t *testing.T) {
	resp := &http.Response{StatusCode: 404, Header: http.Header{"Date": {"Mon, 23 Nov 2026 10:00:00 GMT"}}}
	body := `{"error":{"code":"itemNotFound","message":"The resource could not be found.",` +
		`"innererror":{"request-id":"inner-rid","date":"2026-11-23T10:00:00","code":"a","innerError":{"code":"b"}}}}`
	e := newError("GET", "https://g/x", "crid", resp.StatusCode, resp.Header, []byte(body))
	want := &Error{StatusCode: 404, Code: "itemNotFound", InnerCodes: []string{"a", "b"}, Message: "The resource could not be found.",
		RequestID: "inner-rid", ClientRequestID: "crid", Date: "2026-11-23T10:00:00", Method: "GET", URL: "https://g/x"}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got  %+v\nwant %+v", e, want)
	}

	resp.Header.Set("request-id", "header-rid")
	if e := newError("GET", "u", "", resp.StatusCode, resp.Header, []byte(body)); e.RequestID != "header-rid" {
		t.Errorf("header request-id should win, got %q", e.RequestID)
	}

	resp = &http.Response{StatusCode: 502, Header: http.Header{"Request-Id": {"rid"}}}
	e = newError("GET", "u", "", resp.StatusCode, resp.Header, []byte("<html>Bad Gateway</html>"))
	if got := e.Error(); got != "HTTP 502 Bad Gateway (request-id rid)" {
		t.Errorf("html body: %q", got)
	}
}

// SharePoint's own errors (OData v3) carry the message as {"lang", "value"}; the code and the text
// must still be shown (shape from microsoft-graph-docs-contrib#8287 and SharePoint REST errors).
func TestNewErrorMessageObject(t *testing.T) {
	resp := &http.Response{StatusCode: 401, Header: http.Header{}}
	body := `{"error":{"code":"-2147024891, System.UnauthorizedAccessException",` +
		`"message":{"lang":"en-US","value":"Access denied. You do not have permission to perform this action or access this resource."}}}`
	e := newError("GET", "u", "", resp.StatusCode, resp.Header, []byte(body))
	if want := "-2147024891, System.UnauthorizedAccessException: Access denied. You do not have permission to perform this action or access this resource. (HTTP 401)"; e.Error() != want {
		t.Errorf("got  %q\nwant %q", e.Error(), want)
	}
	if !e.AccessDenied() {
		t.Error("not seen as access denied")
	}
	// A message of another shape leaves the text empty but keeps the code.
	e = newError("GET", "u", "", 400, http.Header{}, []byte(`{"error":{"code":"x","message":[1]}}`))
	if e.Error() != "x (HTTP 400)" {
		t.Errorf("got %q", e.Error())
	}
}
