package box

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

// ContentURL: GET /files/{id}/content with the token (and the BoxApi header through a link),
// Box's 302 not followed; 202 waited out after its Retry-After; a Location that is missing or
// carries user info refused.
func TestContentURL(t *testing.T) {
	ctx := context.Background()
	s := scripted.New(t,
		reply(202, "", "Retry-After", "3"),
		reply(302, "", "Location", "https://dl.boxcloud.example/d/1/abc/download"))
	c, sl := newTestClient(t, s, nil)
	u, err := c.ContentURL(ctx, "123", &LinkAccess{URL: "https://app.box.com/s/abc", Password: "pw&x"})
	if err != nil {
		t.Fatal(err)
	}
	if u != "https://dl.boxcloud.example/d/1/abc/download" {
		t.Errorf("URL %q", u)
	}
	if got := sl.Got(); len(got) != 1 || got[0] != 3*time.Second {
		t.Errorf("waits %v, want one of 3s", got)
	}
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.Method != "GET" || r.RequestURI != "/2.0/files/123/content" || r.Header.Get("Authorization") != "Bearer tok" ||
			r.Header.Get("Boxapi") != "shared_link=https://app.box.com/s/abc&shared_link_password=pw&x" {
			t.Errorf("request %s %s %v", r.Method, r.RequestURI, r.Header)
		}
	}

	for _, c2 := range []struct {
		h    http.HandlerFunc
		want string
	}{
		{reply(302, ""), "names no download URL"},
		{reply(302, "", "Location", "https://user:pw@dl.example/x"), "user info"},
		{reply(302, "", "Location", "ftp://dl.example/x"), "must be https"},
		{reply(200, "bytes"), "unexpected"},
		{reply(403, `{"type":"error","status":403,"code":"forbidden","message":"no"}`), "forbidden"},
	} {
		s := scripted.New(t, c2.h)
		cl, _ := newTestClient(t, s, nil)
		if _, err := cl.ContentURL(ctx, "123", nil); err == nil || !strings.Contains(err.Error(), c2.want) {
			t.Errorf("error %v, want %q", err, c2.want)
		}
		if r := s.Requests(); len(r) != 1 || r[0].Header.Get("Boxapi") != "" {
			t.Errorf("requests %v", r)
		}
	}
	if _, err := c.ContentURL(ctx, "../1", nil); err == nil {
		t.Error("a non-numeric id was sent")
	}
}

// Download sends neither the token nor the BoxApi header, only what it is given (Range).
func TestDownloadSendsNoCredential(t *testing.T) {
	s := scripted.New(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(206)
		_, _ = io.WriteString(w, "rest")
	})
	c, _ := newTestClient(t, s, nil)
	resp, err := c.Download(context.Background(), s.URL+"/box-downloads/tok", http.Header{"Range": {"bytes=4-"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || string(b) != "rest" {
		t.Errorf("%d %q", resp.StatusCode, b)
	}
	r := s.Requests()[0]
	if r.Header.Get("Authorization") != "" || r.Header.Get("Boxapi") != "" || r.Header.Get("Range") != "bytes=4-" {
		t.Errorf("download request headers %v", r.Header)
	}
}
