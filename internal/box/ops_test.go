package box

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

func TestGetItemRequests(t *testing.T) {
	ctx := context.Background()
	s := scripted.New(t, reply(200, `{"type":"file","id":"123","etag":"2","name":"q3.xlsx","shared_link":null}`))
	c, _ := newTestClient(t, s, nil)
	it, raw, err := c.GetItem(ctx, File, "123", []string{"shared_link", "name", "allowed_shared_link_access_levels"})
	if err != nil {
		t.Fatal(err)
	}
	if it.Name != "q3.xlsx" || it.SharedLink != nil || string(raw) != `{"type":"file","id":"123","etag":"2","name":"q3.xlsx","shared_link":null}` {
		t.Errorf("item = %+v raw = %s", it, raw)
	}
	for _, c2 := range []struct {
		typ    ItemType
		id     string
		fields []string
		want   string
	}{
		{Folder, "0", nil, "/2.0/folders/0"},
		{WebLink, "789", []string{"shared_link"}, "/2.0/web_links/789?fields=shared_link"},
	} {
		s := scripted.New(t, reply(200, `{"type":"`+string(c2.typ)+`","id":"`+c2.id+`"}`))
		cl, _ := newTestClient(t, s, nil)
		if _, _, err := cl.GetItem(ctx, c2.typ, c2.id, c2.fields); err != nil {
			t.Fatal(err)
		}
		if r := s.Requests()[0]; r.Method != "GET" || r.RequestURI != c2.want || r.Header.Get("Boxapi") != "" {
			t.Errorf("%s %s: sent %s %s", c2.typ, c2.id, r.Method, r.RequestURI)
		}
	}
	if r := s.Requests()[0]; r.RequestURI != "/2.0/files/123?fields=shared_link,name,allowed_shared_link_access_levels" {
		t.Errorf("sent %s", r.RequestURI)
	}
}

func TestItemCallsRefuseBadInput(t *testing.T) {
	ctx := context.Background()
	s := scripted.New(t, reply(200, `{"type":"file","id":"1"}`))
	c, _ := newTestClient(t, s, nil)
	for _, id := range []string{"", "abc", "12a", "1/2", "../0", "1?x=y", "1 ", "-1", "１２", strings.Repeat("9", 21)} {
		if _, _, err := c.GetItem(ctx, File, id, nil); err == nil {
			t.Errorf("GetItem id %q accepted", id)
		}
		if _, _, err := c.SetSharedLink(ctx, Folder, id, Null[SharedLinkParams](), nil); err == nil {
			t.Errorf("SetSharedLink id %q accepted", id)
		}
	}
	for _, typ := range []ItemType{"", "files", "collection"} {
		if _, _, err := c.GetItem(ctx, typ, "1", nil); err == nil {
			t.Errorf("type %q accepted", typ)
		}
	}
	for _, f := range []string{"", "shared link", "name&x=1", "Name", "a,b", "é"} {
		if _, _, err := c.GetItem(ctx, File, "1", []string{f}); err == nil {
			t.Errorf("field %q accepted", f)
		}
	}
	if _, _, err := c.SetSharedLink(ctx, File, "1", Nullable[SharedLinkParams]{}, nil); err == nil {
		t.Error("an omitted link was sent")
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

func TestSetSharedLinkRequests(t *testing.T) {
	ctx := context.Background()
	answer := `{"type":"file","id":"123","etag":"3","shared_link":{"url":"https://app.box.com/s/abc","access":"open","effective_access":"open",` +
		`"effective_permission":"can_download","unshared_at":"2026-12-31T09:00:00-08:00","is_password_enabled":true,` +
		`"permissions":{"can_download":true,"can_preview":true,"can_edit":false},"download_count":0,"preview_count":0}}`
	cases := []struct {
		name string
		typ  ItemType
		id   string
		link Nullable[SharedLinkParams]
		uri  string
		body string
	}{
		{"create", File, "123", Value(SharedLinkParams{Access: AccessOpen, Password: Value("S3cret!pass&=x"),
			UnsharedAt: Value(At(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC))), Permissions: &LinkPermissionParams{CanDownload: ptr(true)}}),
			"/2.0/files/123?fields=shared_link", `{"shared_link":{"access":"open","password":"S3cret!pass&=x","unshared_at":"2026-12-31T17:00:00+00:00","permissions":{"can_download":true}}}`},
		{"clear expiry and password", Folder, "456", Value(SharedLinkParams{UnsharedAt: Null[Timestamp](), Password: Null[string]()}),
			"/2.0/folders/456?fields=shared_link", `{"shared_link":{"password":null,"unshared_at":null}}`},
		{"remove", WebLink, "789", Null[SharedLinkParams](), "/2.0/web_links/789?fields=shared_link", `{"shared_link":null}`},
		{"defaults", File, "1", Value(SharedLinkParams{}), "/2.0/files/1?fields=shared_link", `{"shared_link":{}}`},
	}
	for _, c := range cases {
		s := scripted.New(t, reply(200, answer))
		cl, _ := newTestClient(t, s, nil)
		it, raw, err := cl.SetSharedLink(ctx, c.typ, c.id, c.link, []string{"shared_link"})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if string(raw) != answer || it.SharedLink == nil || it.SharedLink.URL != "https://app.box.com/s/abc" {
			t.Errorf("%s: item %+v", c.name, it)
		}
		r := s.Requests()[0]
		if r.Method != "PUT" || r.RequestURI != c.uri || r.Body != c.body || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: sent %s %s %s", c.name, r.Method, r.RequestURI, r.Body)
		}
	}
}

func TestGetSharedItemSendsRawBoxAPI(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		link LinkAccess
		want string
	}{
		{LinkAccess{URL: "https://app.box.com/s/13ynxiqe3y4tup3j0yn4qairs5ebfxo3"}, "shared_link=https://app.box.com/s/13ynxiqe3y4tup3j0yn4qairs5ebfxo3"},
		// Plain concatenation, never URL-encoded, even for '&', '=', '%', '+' and spaces in the password.
		{LinkAccess{URL: "https://acme.app.box.com/v/Q3-Report-2026", Password: "P@ss w0rd&x=1%20+"},
			"shared_link=https://acme.app.box.com/v/Q3-Report-2026&shared_link_password=P@ss w0rd&x=1%20+"},
		{LinkAccess{URL: "https://app.box.com/s/abc", Password: "pässwört1!"}, "shared_link=https://app.box.com/s/abc&shared_link_password=pässwört1!"},
	}
	for _, c := range cases {
		s := scripted.New(t, reply(200, `{"type":"folder","id":"456","name":"Shared"}`))
		cl, _ := newTestClient(t, s, nil)
		it, _, err := cl.GetSharedItem(ctx, c.link, []string{"name", "shared_link"})
		if err != nil {
			t.Fatal(err)
		}
		if it.Type != Folder || it.ID != "456" {
			t.Errorf("item = %+v", it)
		}
		r := s.Requests()[0]
		if got := r.Header.Values("Boxapi"); r.Method != "GET" || r.RequestURI != "/2.0/shared_items?fields=name,shared_link" || len(got) != 1 || got[0] != c.want {
			t.Errorf("sent %s %s BoxApi %q, want %q", r.Method, r.RequestURI, got, c.want)
		}
		if r.Header.Get("Authorization") != "Bearer tok" {
			t.Error("no bearer token on /shared_items")
		}
	}
}

func TestBoxAPIHeaderRefusals(t *testing.T) {
	s := scripted.New(t, reply(200, `{"type":"file","id":"1"}`))
	c, _ := newTestClient(t, s, nil)
	for _, la := range []LinkAccess{
		{},
		{URL: "https://app.box.com/s/a\r\nX-Evil: 1"},
		{URL: "https://app.box.com/s/a b"},
		{URL: "https://app.box.com/s/a&shared_link_password=x"},
		{URL: "https://app.box.com/s/a", Password: "secret\r\nX-Evil: 1"},
		{URL: "https://app.box.com/s/a", Password: "tab\tsecret"},
		{URL: "https://app.box.com/s/a", Password: "nul\x00secret"},
	} {
		_, _, err := c.GetSharedItem(context.Background(), la, nil)
		if err == nil {
			t.Errorf("%q accepted", la)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("error shows the password: %v", err)
		}
	}
	if n := len(s.Requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

func TestGetItemWithLink(t *testing.T) {
	s := scripted.New(t, reply(200, `{"type":"file","id":"77"}`))
	c, _ := newTestClient(t, s, nil)
	if _, _, err := c.GetItemWithLink(context.Background(), File, "77", LinkAccess{URL: "https://app.box.com/s/tok", Password: "Pw123456!"}, []string{"name"}); err != nil {
		t.Fatal(err)
	}
	r := s.Requests()[0]
	if r.RequestURI != "/2.0/files/77?fields=name" || r.Header.Get("Boxapi") != "shared_link=https://app.box.com/s/tok&shared_link_password=Pw123456!" {
		t.Errorf("sent %s BoxApi %q", r.RequestURI, r.Header.Get("Boxapi"))
	}
}

func TestGetUsersMe(t *testing.T) {
	s := scripted.New(t, reply(200, `{"type":"user","id":"33","name":"Ada","login":"ada@example.com","enterprise":{"type":"enterprise","id":"11","name":"Acme"}}`))
	c, _ := newTestClient(t, s, nil)
	u, raw, err := c.GetUsersMe(context.Background(), []string{"name", "login", "enterprise"})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != "33" || u.Login != "ada@example.com" || u.Enterprise == nil || u.Enterprise.ID != "11" || len(raw) == 0 {
		t.Errorf("user = %+v", u)
	}
	if r := s.Requests()[0]; r.RequestURI != "/2.0/users/me?fields=name,login,enterprise" {
		t.Errorf("sent %s", r.RequestURI)
	}
}

func TestItemAnswersAreChecked(t *testing.T) {
	for _, body := range []string{
		`{"type":"user","id":"1"}`,
		`{"type":"file","id":"../../x"}`,
		`{"type":"file"}`,
		`not json`,
		`{"type":"file","id":1}`,
	} {
		s := scripted.New(t, reply(200, body))
		c, _ := newTestClient(t, s, nil)
		if _, _, err := c.GetItem(context.Background(), File, "1", nil); err == nil {
			t.Errorf("answer %s accepted", body)
		}
	}
	s := scripted.New(t, reply(204, ``, "BOX-REQUEST-ID", "r1"))
	c, _ := newTestClient(t, s, nil)
	_, _, err := c.GetItem(context.Background(), File, "1", nil)
	var be *Error
	if err == nil || errors.As(err, &be) || err.Error() != "get file: unexpected HTTP 204 No Content from Box (request-id r1)" {
		t.Errorf("204: err = %v", err)
	}
}

// A hostile Box that echoes the request's secrets in its error: none of them reaches a message.
func TestEchoedSecretsAreRedacted(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		msg := "you sent " + r.Header.Get("Authorization") + " and " + r.Header.Get("Boxapi") + " with " + string(b)
		body, _ := json.Marshal(map[string]any{"type": "error", "status": 400, "code": "bad_request", "message": msg,
			"context_info": map[string]any{"errors": []map[string]string{{"name": "password", "message": msg}}}})
		scripted.Reply(400, string(body))(w, r)
	}
	s := scripted.New(t, echo)
	c, _ := newTestClient(t, s, func(o *Options) { o.Tokens = scripted.StaticTokens("TOKEN-echoed-1234") })
	_, _, err1 := c.SetSharedLink(context.Background(), File, "1", Value(SharedLinkParams{Access: AccessOpen, Password: Value("Body-Pass-5678!")}), nil)
	_, _, err2 := c.GetSharedItem(context.Background(), LinkAccess{URL: "https://app.box.com/s/abc", Password: "Header-Pass-9012!"}, nil)
	for _, err := range []error{err1, err2} {
		if err == nil {
			t.Fatal("no error")
		}
		for _, secret := range []string{"TOKEN-echoed", "Body-Pass", "Header-Pass"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows %q: %v", secret, err)
			}
		}
		if !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("nothing redacted in %v", err)
		}
	}
}
