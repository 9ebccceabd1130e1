package graph

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestContentURLReturnsTheRedirectUnfollowed: GET {item}/content carries the token and is not
// followed; the Location comes back, resolved against the request when relative.
func TestContentURLReturnsTheRedirectUnfollowed(t *testing.T) {
	s := newServer(t,
		reply(http.StatusFound, "", "Location", "https://download.example/file?tempauth=secret"),
		reply(http.StatusFound, "", "Location", "/elsewhere/file"),
	)
	c, _ := s.client(t, nil)
	u, err := c.ContentURL(context.Background(), "/drives/d/items/i", "")
	if err != nil || u != "https://download.example/file?tempauth=secret" {
		t.Fatalf("ContentURL = %q, %v", u, err)
	}
	u, err = c.ContentURL(context.Background(), "/me/drive/root:/a%20b.docx:", "pdf")
	if err != nil || u != s.URL+"/elsewhere/file" {
		t.Fatalf("ContentURL = %q, %v", u, err)
	}
	reqs := s.requests()
	if len(reqs) != 2 || reqs[0].RequestURI != "/v1.0/drives/d/items/i/content" || reqs[1].RequestURI != "/v1.0/me/drive/root:/a%20b.docx:/content?format=pdf" {
		t.Fatalf("requests: %+v", reqs)
	}
	if reqs[0].Header.Get("Authorization") != "Bearer tok" {
		t.Fatal("no token on /content")
	}
}

func TestContentURLRefusesUnsafeLocations(t *testing.T) {
	for _, c := range []struct{ loc, want string }{
		{"http://download.example/f", "refusing the download URL on http://download.example: it must be https"},
		{"https://user:pw@download.example/f", "refusing a download URL with user info"},
		{"ftp://download.example/f", "it must be https"},
		{"", "names no download URL"},
	} {
		s := newServer(t, reply(http.StatusFound, "", "Location", c.loc))
		cl, _ := s.client(t, nil)
		_, err := cl.ContentURL(context.Background(), "/drives/d/items/i", "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Location %q: err = %v, want %q", c.loc, err, c.want)
		}
	}
	s := newServer(t, reply(http.StatusOK, `{}`))
	cl, _ := s.client(t, nil)
	if _, err := cl.ContentURL(context.Background(), "/drives/d/items/i", ""); err == nil || !strings.Contains(err.Error(), "unexpected HTTP 200 OK") {
		t.Errorf("200: err = %v", err)
	}
	if _, err := cl.ContentURL(context.Background(), "/drives/d/items/i", "p?df"); err == nil {
		t.Error("a format that is not a word was sent")
	}
}

// TestDownloadSendsNoTokenAndHidesTheURL: the pre-authenticated URL is fetched without the
// bearer token, unbounded (the body is the caller's to stream), and a transport error names only
// its origin.
func TestDownloadSendsNoTokenAndHidesTheURL(t *testing.T) {
	big := strings.Repeat("x", 40<<20) // more than the 32 MiB bound on Graph's bodies
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, big) })
	c, _ := s.client(t, nil)
	resp, err := c.Download(context.Background(), s.URL+"/dl/x?tempauth=secret", http.Header{"Range": {"bytes=5-"}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != int64(len(big)) {
		t.Fatalf("read %d, %v", n, err)
	}
	r := s.requests()[0]
	if r.Header.Get("Authorization") != "" || r.Header.Get("Range") != "bytes=5-" || r.Header.Get("User-Agent") != "odshare/test" {
		t.Fatalf("headers: %v", r.Header)
	}
	s.Close()
	_, err = c.Download(context.Background(), s.URL+"/dl/x?tempauth=secret", nil)
	if err == nil || strings.Contains(err.Error(), "secret") || !strings.Contains(err.Error(), "/…") {
		t.Fatalf("err = %v", err)
	}
}
