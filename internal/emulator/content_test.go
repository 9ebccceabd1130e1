package emulator

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// contentEnv is an emulator whose download URLs are served by a second server under another
// host name (localhost, while Graph is on 127.0.0.1), as Listen arranges.
func contentEnv(t *testing.T, opts Options) (*testEnv, *fakeClock) {
	clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	opts.Clock = clk.now
	e := newEnv(t, opts)
	dl := httptest.NewServer(e.srv.DownloadHandler())
	t.Cleanup(dl.Close)
	e.srv.SetDownloadOrigin(strings.Replace(dl.URL, "127.0.0.1", "localhost", 1))
	return e, clk
}

// noRedirect sends a request with the test token and does not follow redirects.
func (e *testEnv) noRedirect(path string, headers ...string) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.base+path, nil)
	req.Header.Set("Authorization", "Bearer test-token")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// fetch GETs an absolute URL with no Authorization, as a client must on the download host.
func fetch(t *testing.T, u string, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read %s: %v", u, err)
	}
	return res.StatusCode, res.Header, b
}

func TestContentRedirectAndBytes(t *testing.T) {
	e, _ := contentEnv(t, Options{})
	item := e.get(personalFile).json(t)
	res := e.noRedirect(personalFile + "/content")
	if res.StatusCode != 302 {
		t.Fatalf("content: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	u, _ := url.Parse(loc)
	g, _ := url.Parse(e.base)
	if u.Hostname() == g.Hostname() || u.Host == g.Host {
		t.Fatalf("download URL %s is on Graph's host %s", loc, g.Host)
	}
	if dl, _ := item["@microsoft.graph.downloadUrl"].(string); !strings.HasPrefix(dl, u.Scheme+"://"+u.Host+downloadPrefix) {
		t.Errorf("@microsoft.graph.downloadUrl %q", dl)
	}
	status, h, body := fetch(t, loc)
	if status != 200 || int64(len(body)) != int64(item["size"].(float64)) || h.Get("Content-Type") != "application/pdf" || h.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("download: %d, %d bytes, %v", status, len(body), h)
	}
	// Deterministic: the same bytes again, and they match the file facet's hashes.
	_, _, again := fetch(t, e.noRedirect(personalFile+"/content").Header.Get("Location"))
	if !bytes.Equal(body, again) {
		t.Error("content differs between downloads")
	}
	hashes := item["file"].(map[string]any)["hashes"].(map[string]any)
	qx := newQuickXorHash()
	qx.Write(body)
	sum := sha1.Sum(body)
	if hashes["quickXorHash"] != base64.StdEncoding.EncodeToString(qx.Sum(nil)) || hashes["sha1Hash"] != strings.ToUpper(hex.EncodeToString(sum[:])) || hashes["sha256Hash"] == nil {
		t.Errorf("hashes %v do not match the bytes", hashes)
	}
	// Business drives give quickXorHash only.
	bh := e.get(bizFile).json(t)["file"].(map[string]any)["hashes"].(map[string]any)
	if len(bh) != 1 || bh["quickXorHash"] == nil {
		t.Errorf("business hashes %v", bh)
	}
	// Through a share too, and If-None-Match with the eTag or cTag answers 304.
	if r := e.noRedirect("/shares/" + encodeShare(DemoSharedFolderURL) + "/driveItem/content"); r.StatusCode != 404 {
		t.Errorf("a shared folder's content: %d", r.StatusCode)
	}
	if r := e.noRedirect("/shares/" + DemoSharedFileShareID + "/driveItem/content"); r.StatusCode != 302 {
		t.Errorf("share content: %d", r.StatusCode)
	}
	for _, tag := range []string{item["eTag"].(string), item["cTag"].(string)} {
		if r := e.noRedirect(personalFile+"/content", "If-None-Match", tag); r.StatusCode != 304 {
			t.Errorf("If-None-Match %s: %d", tag, r.StatusCode)
		}
	}
	// The download was recorded without any Authorization; the Graph request had it.
	var sawDownload bool
	for _, rr := range e.srv.Requests() {
		if strings.HasPrefix(rr.RawURI, downloadPrefix) {
			sawDownload = true
			if rr.Header.Get("Authorization") != "" {
				t.Errorf("download recorded with Authorization")
			}
		}
	}
	if !sawDownload {
		t.Error("downloads are not recorded")
	}
}

func TestContentRange(t *testing.T) {
	e, _ := contentEnv(t, Options{})
	loc := e.noRedirect(personalFile + "/content").Header.Get("Location")
	_, _, full := fetch(t, loc)
	size := int64(len(full))
	for _, c := range []struct {
		rng        string
		status     int
		from, to   int64 // inclusive; to < 0: whole file
		contentRng string
	}{
		{"bytes=0-99", 206, 0, 99, "bytes 0-99/120334"},
		{"bytes=120000-", 206, 120000, size - 1, "bytes 120000-120333/120334"},
		{"bytes=-10", 206, size - 10, size - 1, "bytes 120324-120333/120334"},
		{"bytes=100-999999999", 206, 100, size - 1, "bytes 100-120333/120334"},
		{"bytes=120334-", 416, 0, 0, "bytes */120334"},
		{"bytes=0-1,5-6", 200, 0, -1, ""},
		{"items=0-1", 200, 0, -1, ""},
	} {
		status, h, body := fetch(t, loc, "Range", c.rng)
		if status != c.status || h.Get("Content-Range") != c.contentRng {
			t.Errorf("%s: %d Content-Range %q", c.rng, status, h.Get("Content-Range"))
			continue
		}
		switch {
		case status == 416:
		case c.to < 0:
			if !bytes.Equal(body, full) {
				t.Errorf("%s: not the whole file", c.rng)
			}
		case !bytes.Equal(body, full[c.from:c.to+1]):
			t.Errorf("%s: wrong bytes", c.rng)
		}
	}
	// A server that ignores Range answers 200 with everything.
	e2, _ := contentEnv(t, Options{IgnoreRange: true})
	status, h, body := fetch(t, e2.noRedirect(personalFile+"/content").Header.Get("Location"), "Range", "bytes=100-")
	if status != 200 || int64(len(body)) != size || h.Get("Accept-Ranges") != "" || !bytes.Equal(body, full) {
		t.Errorf("IgnoreRange: %d, %d bytes, %v", status, len(body), h)
	}
}

func TestContentExpiryAndForgery(t *testing.T) {
	e, clk := contentEnv(t, Options{DownloadURLLifetime: 10 * time.Minute})
	loc := e.noRedirect(personalFile + "/content").Header.Get("Location")
	clk.advance(9 * time.Minute)
	if s, _, _ := fetch(t, loc); s != 200 {
		t.Errorf("before expiry: %d", s)
	}
	clk.advance(time.Minute)
	if s, _, b := fetch(t, loc); s != 401 || !strings.Contains(string(b), "expired") {
		t.Errorf("after expiry: %d %s", s, b)
	}
	// A forged token (another item id under the old signature) is refused.
	u, _ := url.Parse(e.noRedirect(personalFile + "/content").Header.Get("Location"))
	tok := strings.TrimPrefix(u.Path, downloadPrefix)
	p, sig, _ := strings.Cut(tok, ".")
	raw, _ := base64.RawURLEncoding.DecodeString(p)
	forged := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "120334", "999999999", 1))) + "." + sig
	if s, _, _ := fetch(t, u.Scheme+"://"+u.Host+downloadPrefix+forged); s != 401 {
		t.Errorf("forged: %d", s)
	}
	// The download host serves nothing else.
	if s, _, _ := fetch(t, u.Scheme+"://"+u.Host+"/v1.0/me/drive"); s != 404 {
		t.Errorf("Graph on the download host: %d", s)
	}
}

func TestContentChange(t *testing.T) {
	e, _ := contentEnv(t, Options{})
	before := e.get(personalFile).json(t)
	oldLoc := e.noRedirect(personalFile + "/content").Header.Get("Location")
	_, _, oldBody := fetch(t, oldLoc)
	dl := e.get("/me/drive/root/delta?token=latest").json(t)["@odata.deltaLink"].(string)
	r := e.post(e.ts.URL+"/_emulator/content", `{"item":"`+before["id"].(string)+`","size":5000}`)
	if r.status != 200 {
		t.Fatalf("change content: %d %s", r.status, r.body)
	}
	after := e.get(personalFile).json(t)
	if after["eTag"] == before["eTag"] || after["cTag"] == before["cTag"] || after["size"] != 5000.0 {
		t.Errorf("eTag %v -> %v, cTag %v -> %v, size %v", before["eTag"], after["eTag"], before["cTag"], after["cTag"], after["size"])
	}
	bh, ah := before["file"].(map[string]any)["hashes"], after["file"].(map[string]any)["hashes"]
	if ah.(map[string]any)["quickXorHash"] == bh.(map[string]any)["quickXorHash"] {
		t.Error("hashes did not change")
	}
	_, _, newBody := fetch(t, e.noRedirect(personalFile+"/content").Header.Get("Location"))
	if len(newBody) != 5000 || bytes.Equal(newBody[:100], oldBody[:100]) {
		t.Errorf("new content: %d bytes", len(newBody))
	}
	// A URL issued before still serves the version it was issued for.
	if _, _, b := fetch(t, oldLoc); !bytes.Equal(b, oldBody) {
		t.Error("old URL changed content")
	}
	// The folder's size follows, and the file is in the next delta round.
	if items, _, _ := e.deltaRound(dl); len(items) != 1 || items[0]["id"] != before["id"] {
		t.Errorf("delta after the change: %v", ids(items))
	}
	if r := e.post(e.ts.URL+"/_emulator/content", `{"item":"`+DemoReportsFolderID+`"}`); r.status != 404 {
		t.Errorf("changing a folder's content: %d", r.status)
	}
}

func TestContentFormat(t *testing.T) {
	e, _ := contentEnv(t, Options{})
	docx := "/me/drive/root:/Reports/Café%20ünïcode.docx:"
	res := e.noRedirect(docx + "/content?format=pdf")
	if res.StatusCode != 302 {
		t.Fatalf("format=pdf: %d", res.StatusCode)
	}
	status, h, body := fetch(t, res.Header.Get("Location"))
	if status != 200 || h.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) ||
		!strings.Contains(h.Get("Content-Disposition"), ".pdf") {
		t.Errorf("converted: %d %v %q", status, h, body[:min(10, len(body))])
	}
	if r := e.noRedirect("/me/drive/root:/Notes.txt:/content?format=pdf"); r.StatusCode != 406 {
		t.Errorf("txt to pdf: %d", r.StatusCode)
	}
	if r := e.noRedirect(docx + "/content?format=bogus"); r.StatusCode != 400 {
		t.Errorf("unknown format: %d", r.StatusCode)
	}
	if r := e.noRedirect("/me/drive/items/" + DemoReportsFolderID + "/content"); r.StatusCode != 404 {
		t.Errorf("folder content: %d", r.StatusCode)
	}
}

func TestContentTruncateFault(t *testing.T) {
	e, _ := contentEnv(t, Options{})
	loc := e.noRedirect(personalFile + "/content").Header.Get("Location")
	e.srv.AddFault(Fault{Path: downloadPrefix + "**", Truncate: true, Times: 1})
	res, err := http.Get(loc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(b) != 120334/2 {
		t.Errorf("truncated download: %d bytes, %v", len(b), err)
	}
	if s, _, b := fetch(t, loc); s != 200 || len(b) != 120334 {
		t.Errorf("after the fault: %d, %d bytes", s, len(b))
	}
}

// TestListenDownloadHost: Listen serves downloads on a second listener under another host
// name with the same CA, so a TLS client that trusts the CA follows the redirect.
func TestListenDownloadHost(t *testing.T) {
	s, err := New(Options{RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := s.Listen("127.0.0.1:0", true)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stop(context.Background()) }()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM())
	var sawAuth []string
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			sawAuth = append(sawAuth, req.Header.Get("Authorization"))
			return nil
		}}
	req, _ := http.NewRequest("GET", base+"/me/drive/root:/Notes.txt:/content", nil)
	req.Header.Set("Authorization", "Bearer x")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || len(b) != 120 || !strings.HasPrefix(res.Request.URL.String(), "https://localhost:") {
		t.Fatalf("download through Listen: %d, %d bytes, from %s", res.StatusCode, len(b), res.Request.URL)
	}
	if len(sawAuth) != 1 || sawAuth[0] != "" {
		t.Errorf("Authorization on the redirect: %q (Go drops it across hosts; the download needs none)", sawAuth)
	}
}

func TestEntityTags(t *testing.T) {
	got := entityTags(`"{A!1},1", W/"c:{A!1},2",*`)
	if len(got) != 3 || got[0] != `"{A!1},1"` || got[1] != `"c:{A!1},2"` || got[2] != "*" {
		t.Errorf("entityTags: %q", got)
	}
}
