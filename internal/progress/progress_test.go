package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vbauerster/mpb/v8"

	"github.com/odshare/odshare/internal/iostreams"
)

func TestNoBarWhenNotATerminal(t *testing.T) {
	ios, _, _, errOut := iostreams.Test()
	b := Start(ios, 10, "links")
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
