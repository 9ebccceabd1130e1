package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

// endless is a hostile Graph whose every page has a new @odata.nextLink, padded to pad bytes. It
// records nothing (unlike newServer), so the heap measured is the client's.
func endless(t *testing.T, pad int) (*server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	var s *server
	s = &server{scripted.NewQuiet(t, func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		link := fmt.Sprintf("%s/v1.0/next?$skiptoken=%d", s.URL, i)
		link += "&pad=" + strings.Repeat("p", max(0, pad-len(link)-5))
		fmt.Fprintf(w, `{"value":[{"id":"%d"}],"@odata.nextLink":%q}`, i, link)
	})}
	return s, &n
}

func listAll(c *Client) error {
	return c.ListChildren(context.Background(), "/drives/d/items/i", 0, func([]json.RawMessage) error { return nil })
}

// TestPagingStopsAnEndlessListing: ever-new nextLinks end at the page bound, with an error that
// says so, after exactly that many requests.
func TestPagingStopsAnEndlessListing(t *testing.T) {
	s, n := endless(t, 0)
	c, _ := s.client(t, func(o *Options) { o.MaxPages = 50 })
	err := listAll(c)
	var pl *PageLimitError
	if !errors.As(err, &pl) || pl.Limit != 50 || !strings.Contains(err.Error(), "stopped after 50 pages") {
		t.Fatalf("err = %v, want a PageLimitError at 50", err)
	}
	if got := n.Load(); got != 50 {
		t.Errorf("%d requests, want 50", got)
	}
	// The bound is per Client: a second listing has nothing left.
	if err := listAll(c); !errors.As(err, &pl) || n.Load() != 50 {
		t.Errorf("second listing: err = %v after %d requests", err, n.Load())
	}
	if d, _ := s.client(t, nil); d.maxPages.Load() != DefaultMaxPages {
		t.Errorf("default bound = %d, want %d", d.maxPages.Load(), DefaultMaxPages)
	}
}

// TestPagingRefusesAHugeNextLink: a 200 KB nextLink is refused, not followed.
func TestPagingRefusesAHugeNextLink(t *testing.T) {
	s, n := endless(t, 200<<10)
	c, _ := s.client(t, nil)
	err := listAll(c)
	if err == nil || !strings.Contains(err.Error(), "more than the 64 KiB odshare follows") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 1 {
		t.Errorf("%d requests, want 1", n.Load())
	}
}

// TestPagingMemoryStaysFlat: following 400 nextLinks of 60 KB each must not keep them (24 MB);
// the repeat check keeps a digest of each.
func TestPagingMemoryStaysFlat(t *testing.T) {
	s, _ := endless(t, 60<<10)
	c, _ := s.client(t, func(o *Options) { o.MaxPages = 400 })
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	var at50, at400 uint64
	pages := 0
	err := c.ListChildren(context.Background(), "/drives/d/items/i", 0, func([]json.RawMessage) error {
		switch pages++; pages {
		case 50:
			at50 = heap()
		case 400:
			at400 = heap()
		}
		return nil
	})
	var pl *PageLimitError
	if !errors.As(err, &pl) {
		t.Fatalf("err = %v", err)
	}
	if at400 > at50 && at400-at50 > 4<<20 {
		t.Errorf("heap grew by %d KiB over 350 pages of 60 KB nextLinks", (at400-at50)>>10)
	}
}

// TestPagingCatchesALoop: A, B, A is caught even though A and B differ.
func TestPagingCatchesALoop(t *testing.T) {
	var s *server
	var n atomic.Int64
	s = newServer(t, func(w http.ResponseWriter, r *http.Request) {
		next := "a"
		if n.Add(1)%2 == 0 {
			next = "b"
		}
		fmt.Fprintf(w, `{"value":[],"@odata.nextLink":"%s/v1.0/%s"}`, s.URL, next)
	})
	c, _ := s.client(t, nil)
	if err := listAll(c); err == nil || !strings.Contains(err.Error(), "same @odata.nextLink twice") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 3 {
		t.Errorf("%d requests, want 3", n.Load())
	}
}
