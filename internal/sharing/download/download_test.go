package download

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/sharing"
)

// fakeHost is a Downloader whose download URLs are served by handler; ContentURL counts how
// often it is asked.
type fakeHost struct {
	srv      *httptest.Server
	urls     atomic.Int64
	requests atomic.Int64
}

func newFake(t *testing.T, handler http.HandlerFunc) *fakeHost {
	f := &fakeHost{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		handler(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeHost) Remote(context.Context, sharing.Item, sharing.ShareOptions) (*sharing.Remote, error) {
	return nil, errors.New("not used")
}
func (f *fakeHost) RemoteOf(*sharing.Remote, sharing.Entry) (*sharing.Remote, error) {
	return nil, errors.New("not used")
}
func (f *fakeHost) ContentURL(context.Context, *sharing.Remote, string) (string, error) {
	return fmt.Sprintf("%s/dl/%d", f.srv.URL, f.urls.Add(1)), nil
}
func (f *fakeHost) Fetch(ctx context.Context, url string, h http.Header) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header = h
	return f.srv.Client().Do(req)
}

func remoteOf(content []byte) *sharing.Remote {
	sum := sha1.Sum(content)
	return &sharing.Remote{Name: "f.bin", ID: "id1", Size: int64(len(content)), Version: "v1",
		Checksum: &sharing.Checksum{Name: "sha1Hash", Sum: sum[:], New: sha1.New, Encode: hex.EncodeToString}}
}

func testOptions() Options {
	return Options{Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, Stall: time.Second, BufferSize: 7}
}

func openRoot(t *testing.T) (*os.Root, string) {
	dir := t.TempDir()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	return root, dir
}

var content = bytes.Repeat([]byte("0123456789"), 100)

// dropAfter sends the whole Content-Length, then n bytes, then drops the connection.
func dropAfter(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Length", fmt.Sprint(len(content)))
	_, _ = w.Write(content[:n])
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

// serveRange answers like a download host that honours Range.
func serveRange(w http.ResponseWriter, r *http.Request) {
	http.ServeContent(w, r, "f.bin", time.Time{}, bytes.NewReader(content))
}

func TestFileStalledServerIsRetried(t *testing.T) {
	var n atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", fmt.Sprint(len(content)))
			_, _ = w.Write(content[:100])
			w.(http.Flusher).Flush()
			<-r.Context().Done() // then nothing, until the client gives up
			return
		}
		serveRange(w, r)
	})
	root, dir := openRoot(t)
	o := testOptions()
	o.Stall = 50 * time.Millisecond
	res := File(context.Background(), f, remoteOf(content), root, "f.bin", o)
	if res.Err != nil || res.Status != Downloaded || res.Check != "sha1Hash" {
		t.Fatalf("%+v", res)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "f.bin"))
	if !bytes.Equal(got, content) {
		t.Fatal("content differs")
	}
}

func TestFileMoreBytesThanTheSizeFails(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(content) // chunked, no length
		w.(http.Flusher).Flush()
		_, _ = w.Write([]byte("and more"))
	})
	root, dir := openRoot(t)
	res := File(context.Background(), f, remoteOf(content), root, "f.bin", testOptions())
	if res.Err == nil || !strings.Contains(res.Err.Error(), "more than the 1000 bytes expected") {
		t.Fatalf("%+v", res)
	}
	if _, err := os.Stat(filepath.Join(dir, "f.bin")); err == nil {
		t.Fatal("saved")
	}
}

func TestFileWrongRangeStartsOver(t *testing.T) {
	var n atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1: // half, then the connection drops
			dropAfter(w, 500)
		case 2: // a range that is not the one asked for
			w.Header().Set("Content-Range", fmt.Sprintf("bytes 10-999/%d", len(content)))
			w.WriteHeader(http.StatusPartialContent)
			_, _ = w.Write(content[10:])
		default:
			serveRange(w, r)
		}
	})
	root, _ := openRoot(t)
	res := File(context.Background(), f, remoteOf(content), root, "f.bin", testOptions())
	if res.Err != nil || res.Status != Downloaded || res.Transferred != 1500 {
		t.Fatalf("%+v", res)
	}
}

func TestFileCompletePartIsVerifiedWithoutBytes(t *testing.T) {
	f := newFake(t, serveRange)
	root, dir := openRoot(t)
	r := remoteOf(content)
	rec := recordOf(r, "")
	writeRecord(t, dir, "f.bin", rec, content)
	res := File(context.Background(), f, r, root, "f.bin", testOptions())
	if res.Err != nil || res.Status != Resumed || res.From != 1000 || res.Transferred != 0 {
		t.Fatalf("%+v", res)
	}
}

func TestFileCorruptPartFailsAndIsRemoved(t *testing.T) {
	f := newFake(t, serveRange)
	root, dir := openRoot(t)
	r := remoteOf(content)
	bad := append([]byte("X"), content[1:500]...)
	writeRecord(t, dir, "f.bin", recordOf(r, ""), bad)
	res := File(context.Background(), f, r, root, "f.bin", testOptions())
	if res.Err == nil || !strings.Contains(res.Err.Error(), "sha1Hash mismatch") {
		t.Fatalf("%+v", res)
	}
	for _, n := range []string{"f.bin", "f.bin.part", "f.bin.part.resume"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			t.Errorf("%s is there", n)
		}
	}
	// The next run starts over and succeeds.
	if res := File(context.Background(), f, r, root, "f.bin", testOptions()); res.Status != Downloaded {
		t.Fatalf("%+v", res)
	}
}

func TestFileCancelKeepsThePart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(content)))
		_, _ = w.Write(content[:300])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	root, dir := openRoot(t)
	o := testOptions()
	o.Progress = &cancelAt{at: 300, cancel: cancel}
	res := File(ctx, f, remoteOf(content), root, "f.bin", o)
	if !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("%+v", res)
	}
	st, err := os.Stat(filepath.Join(dir, "f.bin.part"))
	if err != nil || st.Size() != 300 {
		t.Fatalf("part: %v %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "f.bin.part.resume")); err != nil {
		t.Fatal(err)
	}
}

// cancelAt cancels once at bytes have been received: Ctrl-C mid-body.
type cancelAt struct {
	progressLog
	at     int64
	cancel context.CancelFunc
}

func (c *cancelAt) Wrote(n int64) {
	if c.wrote.Add(n) >= c.at {
		c.cancel()
	}
}

func TestFileSizeMismatchFails(t *testing.T) {
	f := newFake(t, serveRange)
	root, _ := openRoot(t)
	r := remoteOf(content)
	r.Size = 999
	res := File(context.Background(), f, r, root, "f.bin", testOptions())
	if res.Err == nil || !strings.Contains(res.Err.Error(), "serves 1000 bytes, but the item has 999") {
		t.Fatalf("%+v", res)
	}
}

func TestFileWithoutChecksumIsUnverified(t *testing.T) {
	f := newFake(t, serveRange)
	root, _ := openRoot(t)
	r := remoteOf(content)
	r.Checksum = nil
	res := File(context.Background(), f, r, root, "f.bin", testOptions())
	if res.Err != nil || res.Check != "" {
		t.Fatalf("%+v", res)
	}
	// Same size and no checksum: taken as complete.
	if res := File(context.Background(), f, r, root, "f.bin", testOptions()); res.Status != Skipped || res.Check != "" {
		t.Fatalf("%+v", res)
	}
}

func TestFileThrottledHonoursRetryAfter(t *testing.T) {
	var n atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		serveRange(w, r)
	})
	root, _ := openRoot(t)
	var waits []time.Duration
	o := testOptions()
	o.Sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	res := File(context.Background(), f, remoteOf(content), root, "f.bin", o)
	if res.Err != nil || len(waits) != 2 || waits[0] != 7*time.Second || f.urls.Load() != 1 {
		t.Fatalf("%+v waits %v urls %d", res, waits, f.urls.Load())
	}
}

func TestFileGivesUpWithoutProgress(t *testing.T) {
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	root, dir := openRoot(t)
	res := File(context.Background(), f, remoteOf(content), root, "f.bin", testOptions())
	if res.Err == nil || !strings.Contains(res.Err.Error(), "gave up after 5 attempts: the download host answered HTTP 502 Bad Gateway") {
		t.Fatalf("%+v", res)
	}
	if f.requests.Load() != 5 {
		t.Errorf("%d requests", f.requests.Load())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestStreamSkipsWhatWasWrittenWhenRangeIsIgnored(t *testing.T) {
	var n atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			dropAfter(w, 400)
		}
		_, _ = w.Write(content) // 200 whatever the Range
	})
	var out bytes.Buffer
	res := Stream(context.Background(), f, remoteOf(content), &out, testOptions())
	if res.Err != nil || !bytes.Equal(out.Bytes(), content) || res.Check != "sha1Hash" {
		t.Fatalf("%+v %d bytes", res, out.Len())
	}
}

// progressLog checks that a file's expected bytes end balanced against what it received.
type progressLog struct{ expect, wrote, files atomic.Int64 }

func (p *progressLog) Expect(files int, n int64) { p.files.Add(int64(files)); p.expect.Add(n) }
func (p *progressLog) Wrote(n int64)             { p.wrote.Add(n) }
func (p *progressLog) Done(Result)               {}

func TestProgressBalances(t *testing.T) {
	var n atomic.Int64
	f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			dropAfter(w, 400)
		}
		_, _ = w.Write(content) // ignores Range: the part starts over
	})
	root, _ := openRoot(t)
	p := &progressLog{}
	o := testOptions()
	o.Progress = p
	res := File(context.Background(), f, remoteOf(content), root, "f.bin", o)
	if res.Err != nil || p.files.Load() != 1 || p.expect.Load() != p.wrote.Load() || p.wrote.Load() != 1400 {
		t.Fatalf("%+v expect %d wrote %d", res, p.expect.Load(), p.wrote.Load())
	}
}

func writeRecord(t *testing.T, dir, name string, rec record, part []byte) {
	t.Helper()
	b := fmt.Appendf(nil, `{"odshare":1,"id":%q,"version":%q,"size":%d,"checksum":%q}`, rec.ID, rec.Version, rec.Size, rec.Checksum)
	if err := os.WriteFile(filepath.Join(dir, name+".part.resume"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".part"), part, 0o600); err != nil {
		t.Fatal(err)
	}
}
