package box

import (
	"crypto/sha1" // #nosec G505 -- Box's own content hash
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// fetch GETs a download URL with an optional Range and returns status, header and body.
func fetch(t *testing.T, u, rng string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rng != "" {
		req.Header.Set("Range", rng)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, b
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b) // #nosec G401 -- see import
	return hex.EncodeToString(s[:])
}

// The content a file's object describes is the content its download URL serves: size, sha1 and
// file_version agree with the bytes, Range gives 206 slices of them, and a new version changes all
// three while a URL issued before keeps serving the old bytes until it expires.
func TestContentDownload(t *testing.T) {
	e := newEnv(t, Options{})
	id := DemoBudgetFileID
	obj := e.get("/2.0/files/" + id + "?fields=size,sha1,file_version").json(t)
	r := e.get("/2.0/files/" + id + "/content")
	if r.status != 302 || r.header.Get("Location") == "" || len(r.body) != 0 {
		t.Fatalf("content: %d %v %q", r.status, r.header, r.body)
	}
	loc := r.header.Get("Location")
	status, h, body := fetch(t, loc, "")
	if status != 200 || int64(len(body)) != int64(obj["size"].(float64)) || sha1Hex(body) != obj["sha1"] || h.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("download: %d, %d bytes (size %v), sha1 %s (object %v), %v", status, len(body), obj["size"], sha1Hex(body), obj["sha1"], h)
	}
	if fv := obj["file_version"].(map[string]any); fv["type"] != "file_version" || fv["sha1"] != obj["sha1"] {
		t.Fatalf("file_version %v", fv)
	}
	for _, c := range []struct {
		rng, contentRange string
		status            int
		from, to          int
	}{
		{"bytes=100-", "bytes 100-22109/22110", 206, 100, 22110},
		{"bytes=21-41", "bytes 21-41/22110", 206, 21, 42},
		{"bytes=-10", "bytes 22100-22109/22110", 206, 22100, 22110},
		{"bytes=22110-", "bytes */22110", 416, 0, 0},
		{"bytes=0-1,5-6", "", 200, 0, 22110},
	} {
		status, h, part := fetch(t, loc, c.rng)
		if status != c.status || h.Get("Content-Range") != c.contentRange {
			t.Errorf("%s: %d Content-Range %q", c.rng, status, h.Get("Content-Range"))
			continue
		}
		if status != 416 && string(part) != string(body[c.from:c.to]) {
			t.Errorf("%s: the bytes differ from the file's", c.rng)
		}
	}
	if got := e.srv.Stats().DownloadBytes; got != 22110*2+22010+21+10 {
		t.Errorf("DownloadBytes %d", got)
	}

	// A new version: new sha1 and file_version; the old URL still serves the old bytes.
	if err := e.srv.ChangeContent(id, -1); err != nil {
		t.Fatal(err)
	}
	obj2 := e.get("/2.0/files/" + id + "?fields=size,sha1,file_version").json(t)
	if obj2["sha1"] == obj["sha1"] || obj2["file_version"].(map[string]any)["id"] == obj["file_version"].(map[string]any)["id"] || obj2["size"] != obj["size"] {
		t.Fatalf("after ChangeContent: %v, before %v", obj2, obj)
	}
	if _, _, old := fetch(t, loc, ""); sha1Hex(old) != obj["sha1"] {
		t.Error("a URL issued before the change serves other bytes")
	}
	loc2 := e.get("/2.0/files/" + id + "/content").header.Get("Location")
	if _, _, b := fetch(t, loc2, ""); sha1Hex(b) != obj2["sha1"] {
		t.Error("the new version's bytes don't match its sha1")
	}

	// Ignoring Range: 200 with everything. Corrupt: the sha1 no longer matches.
	e.srv.SetIgnoreRange(true)
	if status, h, b := fetch(t, loc2, "bytes=100-"); status != 200 || len(b) != 22110 || h.Get("Accept-Ranges") != "" {
		t.Errorf("ignore-range: %d, %d bytes, %v", status, len(b), h)
	}
	e.srv.SetIgnoreRange(false)
	e.srv.SetCorruptDownloads(true)
	if _, _, b := fetch(t, loc2, ""); len(b) != 22110 || sha1Hex(b) == obj2["sha1"] {
		t.Error("corrupt downloads still match")
	}
	e.srv.SetCorruptDownloads(false)

	// 15 minutes, then 404; ExpireDownloads at once.
	e.clk.advance(15*time.Minute + time.Second)
	if status, _, _ := fetch(t, loc2, ""); status != 404 {
		t.Errorf("expired URL: %d", status)
	}
	loc3 := e.get("/2.0/files/" + id + "/content").header.Get("Location")
	e.srv.ExpireDownloads()
	if status, _, _ := fetch(t, loc3, ""); status != 404 {
		t.Errorf("after ExpireDownloads: %d", status)
	}

	// Another origin for the download host; the URL still reaches this server's path.
	e.srv.SetDownloadOrigin("https://dl.example.test/")
	if l := e.get("/2.0/files/" + id + "/content").header.Get("Location"); !strings.HasPrefix(l, "https://dl.example.test"+downloadPath) {
		t.Errorf("Location %q", l)
	}
	// Downloads are recorded, without any token.
	var downloads int
	for _, rr := range e.srv.Requests() {
		if strings.HasPrefix(rr.RawURI, downloadPath) {
			downloads++
		}
	}
	if downloads != 12 {
		t.Errorf("%d downloads recorded", downloads)
	}
}
