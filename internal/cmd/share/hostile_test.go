package share

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/graph"
)

// hostileTree is a Graph whose folders never end: every folder listed holds width new
// subfolders (ids never repeat), one page each. It counts the listings and, at the listing
// numbered probeAt, how many goroutines the process has.
type hostileTree struct {
	width      int
	probeAt    int64
	listings   atomic.Int64
	goroutines atomic.Int64
	next       atomic.Int64
	hook       func(n int64) // called with each listing's number before answering; nil for none
}

func (h *hostileTree) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := h.listings.Add(1)
	if n == h.probeAt {
		h.goroutines.Store(int64(runtime.NumGoroutine()))
	}
	if h.hook != nil {
		h.hook(n)
	}
	var b strings.Builder
	b.WriteString(`{"value":[`)
	for i := range h.width {
		if i > 0 {
			b.WriteByte(',')
		}
		id := h.next.Add(1)
		fmt.Fprintf(&b, `{"id":"f%d","name":"f%d","folder":{"childCount":1},"parentReference":{"driveId":"d"}}`, id, id)
	}
	b.WriteString(`]}`)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(b.String()))
}

// withHostile points e's Graph client at h.
func withHostile(t *testing.T, h http.Handler) *cmdtest.Env {
	t.Helper()
	e, _ := withHostileURL(t, h)
	return e
}

// withHostileURL is withHostile, also giving h's base URL.
func withHostileURL(t *testing.T, h http.Handler) (*cmdtest.Env, string) {
	t.Helper()
	e := cmdtest.New(t)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	e.Factory.Graph = func() (*graph.Client, error) {
		return graph.New(graph.Options{BaseURL: srv.URL + "/v1.0", HTTPClient: srv.Client(), Tokens: cmdutil.StaticTokenSource("t"),
			Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	}
	return e, srv.URL
}

func runHostile(t *testing.T, e *cmdtest.Env, args ...string) error {
	t.Helper()
	cmd := newCmdChildren(e.Factory, nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs(args)
	return cmd.Execute()
}

// TestWalkOfAnEndlessTreeIsBounded: an endless tree (50 new folders per folder) ends at the
// page bound with the way out in the error, and the walk runs on a fixed pool of workers: a
// goroutine per discovered folder would mean 10,000 of them by the 200th listing. The walk goes
// depth first, so --max-depth is raised out of its way.
func TestWalkOfAnEndlessTreeIsBounded(t *testing.T) {
	h := &hostileTree{width: 50, probeAt: 200}
	e := withHostile(t, h)
	setOutput(t, "ndjson")
	err := runHostile(t, e, "s!root", "--recursive", "--concurrency", "4", "--max-pages", "300", "--max-depth", "100000")
	if err == nil || !strings.Contains(err.Error(), "stopped after 300 pages") || !strings.HasSuffix(err.Error(), "raise the bound with --max-pages") {
		t.Fatalf("err = %v, want the page bound with its flag", err)
	}
	// 300 pages were taken; the last few may have been cancelled on their way out.
	if n := h.listings.Load(); n > 300 || n < 300-4 {
		t.Errorf("%d listings, want 300 (less at most the 4 in flight)", n)
	}
	if g := h.goroutines.Load(); g == 0 || g > 64 {
		t.Errorf("%d goroutines while walking, want a fixed pool", g)
	}
}

// TestWalkStopsAtMaxDepth: a chain of folders without end fails below --max-depth, naming the
// folder and the flag, after listing each level once.
func TestWalkStopsAtMaxDepth(t *testing.T) {
	h := &hostileTree{width: 1}
	e := withHostile(t, h)
	setOutput(t, "ndjson")
	err := runHostile(t, e, "s!root", "--recursive", "--max-depth", "5")
	want := "f1/f2/f3/f4/f5/f6 is 6 folders deep, more than --max-depth 5 allows (raise it to go deeper)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if n := h.listings.Load(); n != 6 {
		t.Errorf("%d listings, want the shared folder and 5 levels", n)
	}
	if got := strings.Count(e.Out.String(), "\n"); got != 6 {
		t.Errorf("%d ndjson lines, want 6", got)
	}
}

// TestWalkStopsAtMaxBacklog: a folder wider than --max-backlog fails at once.
func TestWalkStopsAtMaxBacklog(t *testing.T) {
	h := &hostileTree{width: 300}
	e := withHostile(t, h)
	err := runHostile(t, e, "s!root", "--recursive", "--max-backlog", "100")
	if err == nil || !strings.Contains(err.Error(), "more than 100 folders are waiting to be listed, the most --max-backlog allows") {
		t.Fatalf("err = %v", err)
	}
	if n := h.listings.Load(); n != 1 {
		t.Errorf("%d listings, want 1", n)
	}
	if e.Out.Len() != 0 {
		t.Errorf("stdout = %q, want nothing for a failed table", e.Out.String())
	}
}

// TestWalkCancelStopsEveryWorker: Ctrl-C during a walk returns the cancellation, and no worker
// is left listing.
func TestWalkCancelStopsEveryWorker(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	h := &hostileTree{width: 50}
	h.hook = func(n int64) {
		if n == 20 {
			once.Do(cancel)
		}
	}
	e := withHostile(t, h)
	setOutput(t, "ndjson")
	cmd := newCmdChildren(e.Factory, nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs([]string{"s!root", "--recursive"})
	err := cmd.ExecuteContext(ctx)
	if err == nil || ctx.Err() == nil {
		t.Fatalf("err = %v", err)
	}
	after := h.listings.Load()
	if after > 20+4 {
		t.Errorf("%d listings after the cancel at 20", after)
	}
}
