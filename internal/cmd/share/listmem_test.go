package share

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
)

// bigFolder is a Graph folder of pages×per files served as they are asked for, nothing stored,
// so the heap measured is the client's: each item is about 1.2 KB, as Graph's are with
// @microsoft.graph.downloadUrl, and a table row about 130 bytes. At the start of each request, hook (when set) gets the page's
// number (1 for the first); failAt, when set, is the page answered 403 instead.
type bigFolder struct {
	pages, per int
	failAt     int64
	hook       func(page int64)
	url        string
	n          atomic.Int64
}

func (b *bigFolder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	page := b.n.Add(1)
	if b.hook != nil {
		b.hook(page)
	}
	w.Header().Set("Content-Type", "application/json")
	if page == b.failAt {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":{"code":"accessDenied","message":"Access denied"}}`)
		return
	}
	var s strings.Builder
	s.WriteString(`{"value":[`)
	for i := range b.per {
		if i > 0 {
			s.WriteByte(',')
		}
		id := (int(page)-1)*b.per + i + 1
		fmt.Fprintf(&s, `{"id":"BIG!%d","name":"Quarterly report %06d for the north-west region, reviewed and approved by finance.xlsx","size":4096,"webUrl":"https://onedrive.live.com/?cid=BIG&id=BIG%%21%d",`+
			`"createdDateTime":"2023-01-10T08:00:00Z","lastModifiedDateTime":"2023-01-10T08:00:00Z","eTag":"\"{BIG!%d},1\"",`+
			`"createdBy":{"user":{"id":"5a1b2c3d-0000-4000-8000-00000000be01","displayName":"Bench User"}},`+
			`"parentReference":{"driveId":"big","driveType":"personal","id":"BIG!1","path":"/drives/big/root:/Big"},`+
			`"file":{"mimeType":"application/octet-stream","hashes":{"quickXorHash":"SscaAOXdIny6Q5cK94F+rxEei/c=","sha1Hash":"0D7EABD91B3A130C3DB7C70075B792972CE3F5E2"}},`+
			`"@microsoft.graph.downloadUrl":"https://public.bn.files.1drv.com/%s"}`, id, id, id, id, strings.Repeat("y", 400))
	}
	s.WriteString(`]`)
	if int(page) < b.pages {
		fmt.Fprintf(&s, `,"@odata.nextLink":"%s/v1.0/shares/s!big/driveItem/children?$skiptoken=%d"`, b.url, page)
	}
	s.WriteString(`}`)
	_, _ = w.Write([]byte(s.String()))
}

// countingOut is a stdout that keeps no bytes: how many were written, and lines.
type countingOut struct{ bytes, lines atomic.Int64 }

func (c *countingOut) Write(p []byte) (int, error) {
	c.bytes.Add(int64(len(p)))
	c.lines.Add(int64(bytes.Count(p, []byte{'\n'})))
	return len(p), nil
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// openSpools counts the files this process has open under the spool's name (Linux: /proc), each
// unlinked already.
func openSpools(t *testing.T) int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if strings.Contains(target, "odshare-children-") {
			if !strings.HasSuffix(target, " (deleted)") {
				t.Errorf("spool %s is visible", target)
			}
			n++
		}
	}
	return n
}

// TestListingHoldsAPageAtATime: listing a folder of 12,000 items (60 pages, 14 MB of JSON) in
// each format, the client's live heap after the 60th page is within 3 MB of what it was after
// the 10th: no format keeps the items (--jq '.[] | .name' runs on each as it comes), JSON, jq's
// results and tables are spooled to a file (seen open, and unlinked, on Linux) rather than held,
// and a table keeps its widths, not its rows. Before, every format but ndjson kept every item
// (about 12 MB more by the end), and --jq the whole array decoded. The output is whole.
func TestListingHoldsAPageAtATime(t *testing.T) {
	const pages, per = 60, 200
	for _, tc := range []struct {
		name, format string
		tty          bool
		args         []string
		wantLines    int64
		spooled      bool
	}{
		{"ndjson", "ndjson", false, nil, pages * per, false},
		{"json", "json", false, nil, -1, true},
		{"table piped", "table", false, nil, pages * per, true},
		{"table on a terminal", "table", true, nil, pages*per + 1, true},
		{"jq by item", "json", false, []string{"--jq", ".[] | .name"}, pages * per, true},
		{"recursive json", "json", false, []string{"--recursive"}, -1, true},
		{"recursive table", "table", true, []string{"--recursive"}, pages*per + 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &bigFolder{pages: pages, per: per}
			var at10, atEnd uint64
			spools := -1
			b.hook = func(page int64) {
				switch page {
				case 11:
					at10 = liveHeap()
				case pages:
					atEnd = liveHeap()
					if runtime.GOOS == "linux" {
						spools = openSpools(t)
					}
				}
			}
			e := withBigFolder(t, b)
			out := &countingOut{}
			e.Factory.IOStreams.Out = out
			e.Factory.IOStreams.SetStdoutTTY(tc.tty)
			setOutput(t, tc.format)
			if err := runHostile(t, e, append([]string{"s!big"}, tc.args...)...); err != nil {
				t.Fatal(err)
			}
			if grew := int64(atEnd) - int64(at10); grew > 3<<20 {
				t.Errorf("live heap grew by %.1f MB from page 10 to page %d", float64(grew)/(1<<20), pages)
			}
			if tc.wantLines >= 0 && out.lines.Load() != tc.wantLines {
				t.Errorf("%d lines out, want %d", out.lines.Load(), tc.wantLines)
			}
			if tc.format == "json" && tc.wantLines < 0 && out.bytes.Load() < pages*per*1000 {
				t.Errorf("only %d bytes of JSON", out.bytes.Load())
			}
			if runtime.GOOS == "linux" && (spools > 0) != tc.spooled {
				t.Errorf("%d spool files open at the last page; want spooled = %v", spools, tc.spooled)
			}
		})
	}
}

// TestListingFailurePartWay: when the fourth page of a listing fails (the three before it, 1.4 MB,
// already spooled to a file), ndjson has printed those three pages and every other format nothing
// at all, and no spool is left open.
func TestListingFailurePartWay(t *testing.T) {
	const per = 400
	for _, tc := range []struct {
		name, format string
		tty          bool
		args         []string
		wantLines    int64
	}{
		{"ndjson", "ndjson", false, nil, 3 * per},
		{"json", "json", false, nil, 0},
		{"jq", "json", false, []string{"--jq", ".[] | .name"}, 0},
		{"table piped", "table", false, nil, 0},
		{"table on a terminal", "table", true, nil, 0},
		{"recursive ndjson", "ndjson", false, []string{"-r"}, 3 * per},
		{"recursive json", "json", false, []string{"-r"}, 0},
		{"recursive jq", "json", false, []string{"-r", "--jq", ".[] | .name"}, 0},
		{"recursive table", "table", true, []string{"-r"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := &bigFolder{pages: 10, per: per, failAt: 4}
			e := withBigFolder(t, b)
			out := &countingOut{}
			e.Factory.IOStreams.Out = out
			e.Factory.IOStreams.SetStdoutTTY(tc.tty)
			setOutput(t, tc.format)
			err := runHostile(t, e, append([]string{"s!big"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), "Access denied") {
				t.Fatalf("err = %v, want the fourth page's 403", err)
			}
			if out.lines.Load() != tc.wantLines || (tc.wantLines == 0 && out.bytes.Load() != 0) {
				t.Errorf("%d lines (%d bytes) on stdout, want %d lines", out.lines.Load(), out.bytes.Load(), tc.wantLines)
			}
			if runtime.GOOS == "linux" {
				if n := openSpools(t); n != 0 {
					t.Errorf("%d spools still open", n)
				}
			}
		})
	}
}

// withBigFolder points e's Graph client at b.
func withBigFolder(t *testing.T, b *bigFolder) *cmdtest.Env {
	t.Helper()
	e, url := withHostileURL(t, b)
	b.url = url
	return e
}
