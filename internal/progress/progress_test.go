package progress

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"

	"github.com/odshare/odshare/internal/iostreams"
)

func TestNoBarWhenNotATerminal(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	b := NewTracker(ios).Bar(10, "links")
	if b != nil {
		t.Fatal("a bar for a non-terminal stderr")
	}
	b.Increment()
	b.Done()
	if errOut.Len() != 0 {
		t.Errorf("stderr = %q", errOut.String())
	}
}

func TestQuickWorkDrawsNothing(t *testing.T) {
	var w bytes.Buffer
	b := start(&w, 3, "links", time.Hour, mpb.WithAutoRefresh())
	for range 3 {
		b.Increment()
	}
	b.Done()
	if w.Len() != 0 {
		t.Errorf("drew %q for work shorter than the delay", w.String())
	}
}

func TestLongWorkShowsCountsAndRate(t *testing.T) {
	var w bytes.Buffer
	b := start(&w, 4, "links", 0, mpb.WithAutoRefresh(), mpb.WithRefreshRate(10*time.Millisecond))
	for range 4 {
		time.Sleep(15 * time.Millisecond)
		b.Increment()
	}
	b.Done()
	out := w.String()
	for _, want := range []string{"links", "4/4", "/s", "ETA"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q: %q", want, out)
		}
	}
}

// syncBuffer is a bytes.Buffer safe to read while mpb writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func testTracker(w io.Writer) *Tracker {
	return &Tracker{w: w, enabled: true, extra: []mpb.ContainerOption{mpb.WithAutoRefresh(), mpb.WithRefreshRate(10 * time.Millisecond), mpb.WithWidth(200)}}
}

func eventually(t *testing.T, w *syncBuffer, want string) {
	t.Helper()
	for range 400 {
		if strings.Contains(w.String(), want) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("output never showed %q: %q", want, w.String())
}

// TestTrackerShowsAWaitOnItsOwnLine: a request's wait, with no line of the command's own,
// gets a spinner line with the reason and a countdown.
func TestTrackerShowsAWaitOnItsOwnLine(t *testing.T) {
	w := &syncBuffer{}
	tr := testTracker(w)
	tr.Waiting("throttled by Graph (HTTP 429)", 2*time.Second)
	eventually(t, w, "throttled by Graph (HTTP 429), retrying in 2s")
	tr.Stop()
}

// TestTrackerShowsAWaitOnTheCommandsLine: a spinner keeps its label, and a wait is added to it.
func TestTrackerShowsAWaitOnTheCommandsLine(t *testing.T) {
	w := &syncBuffer{}
	tr := testTracker(w)
	s := tr.Spinner("Listing shared folder")
	eventually(t, w, "Listing shared folder")
	s.SetLabel("Listing: 400 items in 3 folders")
	eventually(t, w, "Listing: 400 items in 3 folders")
	tr.Waiting("throttled by Graph (HTTP 503)", 3*time.Second)
	eventually(t, w, "Listing: 400 items in 3 folders — throttled by Graph (HTTP 503), retrying in 3s")
	s.Done()

	b := tr.Bar(10, "Sharing")
	tr.Waiting("throttled by Graph", time.Second)
	eventually(t, w, "retrying in 1s")
	b.Done()
}

func TestTrackerOffATerminalDrawsNothing(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	tr := NewTracker(ios)
	if tr.Spinner("x") != nil || tr.Bar(3, "x") != nil {
		t.Error("a line on a stderr that is not a terminal")
	}
	tr.Waiting("throttled", time.Second)
	tr.Stop()
	var nilTracker *Tracker
	nilTracker.Waiting("x", time.Second)
	nilTracker.Spinner("x").SetLabel("y")
	time.Sleep(20 * time.Millisecond)
	if errOut.Len() != 0 {
		t.Errorf("stderr = %q", errOut.String())
	}
}

// TestBytesBarShowsSizesRateAndLabel: a byte bar's total follows what is found and dropped; it
// shows bytes in binary units, the rate, the time left and its label.
func TestBytesBarShowsSizesRateAndLabel(t *testing.T) {
	var w syncBuffer
	b := byteBar(&w, "Downloading 0/2 files", 0, mpb.WithAutoRefresh(), mpb.WithRefreshRate(10*time.Millisecond), mpb.WithWidth(120))
	b.AddTotal(3 << 20)
	b.AddTotal(-1 << 20)
	for range 4 {
		time.Sleep(15 * time.Millisecond)
		b.Add(512 << 10)
	}
	b.SetLabel("Downloading 2/2 files")
	time.Sleep(30 * time.Millisecond)
	b.Complete()
	b.Done()
	out := w.String()
	for _, want := range []string{"Downloading 2/2 files", "2.0 MiB / 2.0 MiB", "MiB/s ETA", "ETA"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q: %q", want, out)
		}
	}
}
