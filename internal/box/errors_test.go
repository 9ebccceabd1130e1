package box

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

func TestNewErrorShapes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   Error
		text   string
	}{
		{
			name:   "box error object with context_info",
			status: 400,
			header: http.Header{"Box-Request-Id": {"0abc1234"}},
			body: `{"type":"error","status":400,"code":"bad_request","message":"Bad Request",` +
				`"context_info":{"errors":[{"reason":"invalid_parameter","name":"shared_link_permissions","message":"Invalid value 'can_download'."}]},` +
				`"help_url":"http://developers.box.com/docs/#errors","request_id":"body-rid"}`,
			want: Error{StatusCode: 400, Code: "bad_request", Message: "Bad Request", RequestID: "0abc1234",
				HelpURL: "http://developers.box.com/docs/#errors",
				Details: []ErrorDetail{{Reason: "invalid_parameter", Name: "shared_link_permissions", Message: "Invalid value 'can_download'."}}},
			text: "bad_request: Bad Request [shared_link_permissions: invalid_parameter: Invalid value 'can_download'.] (HTTP 400, request-id 0abc1234)",
		},
		{
			name:   "request id from the body when the header is absent",
			status: 404,
			body:   `{"type":"error","status":404,"code":"not_found","message":"Not Found","request_id":"body-rid"}`,
			want:   Error{StatusCode: 404, Code: "not_found", Message: "Not Found", RequestID: "body-rid"},
			text:   "not_found: Not Found (HTTP 404, request-id body-rid)",
		},
		{
			name:   "password",
			status: 403,
			body:   `{"type":"error","status":403,"code":"incorrect_shared_item_password","message":"The password is incorrect"}`,
			want:   Error{StatusCode: 403, Code: "incorrect_shared_item_password", Message: "The password is incorrect"},
			text:   "incorrect_shared_item_password: The password is incorrect (HTTP 403)",
		},
		{
			name:   "oauth error from the token endpoint",
			status: 400,
			body:   `{"error":"invalid_grant","error_description":"Invalid refresh token"}`,
			want:   Error{StatusCode: 400, Code: "invalid_grant", Message: "Invalid refresh token", OAuth: true},
			text:   "invalid_grant: Invalid refresh token (HTTP 400)",
		},
		{
			name:   "401 without a body reads WWW-Authenticate",
			status: 401,
			header: http.Header{"Www-Authenticate": {`Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`}},
			want:   Error{StatusCode: 401, Code: "invalid_token", Message: "The access token provided is invalid."},
			text:   "invalid_token: The access token provided is invalid. (HTTP 401)",
		},
		{
			name:   "401 with an unquoted challenge and escapes",
			status: 401,
			header: http.Header{"Www-Authenticate": {`bearer error=expired_token, error_description="say \"hi\""`}},
			want:   Error{StatusCode: 401, Code: "expired_token", Message: `say "hi"`},
			text:   `expired_token: say "hi" (HTTP 401)`,
		},
		{
			name:   "proxy page",
			status: 502,
			header: http.Header{"Box-Request-Id": {"r9"}},
			body:   "<html>Bad Gateway</html>",
			want:   Error{StatusCode: 502, RequestID: "r9"},
			text:   "HTTP 502 Bad Gateway (request-id r9)",
		},
		{
			name:   "nothing at all",
			status: 599,
			want:   Error{StatusCode: 599},
			text:   "HTTP 599",
		},
		{
			name:   "control characters and bidi overrides",
			status: 400,
			body:   `{"type":"error","code":"x\u001b[2J","message":"line1\nline2\r\u001b]0;pwned\u0007\u202eend","request_id":"r\n1"}`,
			want:   Error{StatusCode: 400, Code: "x [2J", Message: "line1 line2 ]0;pwned end", RequestID: "r 1"},
			text:   "x [2J: line1 line2 ]0;pwned end (HTTP 400, request-id r 1)",
		},
		{
			name:   "type error without code or message",
			status: 409,
			body:   `{"type":"error","status":409}`,
			want:   Error{StatusCode: 409},
			text:   "HTTP 409 Conflict",
		},
	}
	for _, c := range cases {
		h := c.header
		if h == nil {
			h = http.Header{}
		}
		e := NewError("PUT", "https://api.box.com/2.0/files/1", c.status, h, []byte(c.body))
		c.want.Method, c.want.URL = "PUT", "https://api.box.com/2.0/files/1"
		if !reflect.DeepEqual(*e, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, *e, c.want)
		}
		if got := e.Error(); got != c.text {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.text)
		}
	}
}

func TestErrorTextBoundsDetails(t *testing.T) {
	var details []string
	for i := range 50 {
		details = append(details, fmt.Sprintf(`{"reason":"invalid_parameter","name":"f%d","message":"%s"}`, i, strings.Repeat("m", 2000)))
	}
	body := `{"type":"error","status":400,"code":"bad_request","message":"Bad Request","context_info":{"errors":[` + strings.Join(details, ",") + `]}}`
	e := NewError("GET", "u", 400, http.Header{"Box-Request-Id": {"rid"}}, []byte(body))
	if len(e.Details) != maxDetailsKept {
		t.Errorf("kept %d details, want %d", len(e.Details), maxDetailsKept)
	}
	text := e.Error()
	if strings.Contains(text, "\n") || utf8.RuneCountInString(text) > 1100 || !strings.HasSuffix(text, "(HTTP 400, request-id rid)") {
		t.Errorf("text is %d runes: %.200q…", utf8.RuneCountInString(text), text)
	}

	short := NewError("GET", "u", 400, http.Header{}, []byte(`{"type":"error","code":"bad_request","context_info":{"errors":[`+
		`{"name":"a","reason":"r"},{"name":"b"},{"message":"m"},{"name":"d"},{"name":"e"}]}}`))
	if got, want := short.Error(), "bad_request [a: r; b; m; +2 more] (HTTP 400)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestUnauthorized(t *testing.T) {
	for _, c := range []struct {
		e    Error
		want bool
	}{
		{Error{StatusCode: 401}, true},
		{Error{StatusCode: 403, Code: "access_denied_insufficient_permissions"}, false},
		{Error{StatusCode: 400, Code: "invalid_grant", OAuth: true}, true},
		{Error{StatusCode: 400, Code: "invalid_client", OAuth: true}, true},
		{Error{StatusCode: 400, Code: "invalid_request", OAuth: true}, false},
		{Error{StatusCode: 400, Code: "invalid_grant"}, false}, // an API code of that name is not the token endpoint's
	} {
		if got := c.e.Unauthorized(); got != c.want {
			t.Errorf("%+v: Unauthorized = %v", c.e, got)
		}
	}
}

func TestDoReturnsBoxErrors(t *testing.T) {
	s := scripted.New(t, reply(404, `{"type":"error","status":404,"code":"not_found","message":"Not Found","request_id":"b"}`, "BOX-REQUEST-ID", "h"))
	c, _ := newTestClient(t, s, nil)
	_, _, err := c.GetItem(context.Background(), File, "123", nil)
	var be *Error
	if !errors.As(err, &be) || be.Code != "not_found" || be.RequestID != "h" || be.Method != "GET" || be.URL != s.URL+"/2.0/files/123" {
		t.Fatalf("err = %#v", err)
	}
	if err.Error() != "not_found: Not Found (HTTP 404, request-id h)" {
		t.Errorf("text = %q", err)
	}
}

func FuzzNewError(f *testing.F) {
	for _, b := range []string{
		`{"type":"error","status":400,"code":"bad_request","message":"Bad Request","context_info":{"errors":[{"reason":"invalid_parameter","name":"x","message":"y"}]},"request_id":"r"}`,
		`{"error":"invalid_grant","error_description":"Invalid refresh token"}`,
		`{"type":"error","context_info":{"conflicts":[{"type":"file"}]}}`,
		`{"type":"error","code":"\u001b]0;x\u0007","message":"\u202e"}`,
		`<html>502</html>`, ``, `null`, `{"context_info":{"errors":null}}`,
	} {
		f.Add(400, b, `Bearer realm="Service", error="invalid_token"`)
	}
	f.Fuzz(func(t *testing.T, status int, body, challenge string) {
		h := http.Header{"Box-Request-Id": {"rid"}}
		if !strings.ContainsAny(challenge, "\r\n") {
			h.Set("WWW-Authenticate", challenge)
		}
		e := NewError("GET", "u", status, h, []byte(body))
		text := e.Error()
		if e.StatusCode != status || strings.ContainsFunc(text, unicode.IsControl) || utf8.RuneCountInString(text) > 1100 || !utf8.ValidString(text) {
			t.Fatalf("NewError(%d, %q) = %q", status, body, text)
		}
		if len(e.Details) > maxDetailsKept {
			t.Fatalf("%d details kept", len(e.Details))
		}
	})
}
