package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/sharing/bulk"
	"github.com/odshare/odshare/internal/testutil/scripted"
)

// lossyGraph is a hostile $batch endpoint: it runs every createLink it receives (the link exists
// from then on), answers the first `answered` batches, and never answers the later ones, holding
// them until the client gives up on them.
type lossyGraph struct {
	*httptest.Server
	answered int
	onHeld   func(held int) // called with the number of batches held so far

	mu      sync.Mutex
	batches int
	made    map[string]bool // item ids whose createLink ran
	held    int
}

func newLossyGraph(t *testing.T, answered int) *lossyGraph {
	g := &lossyGraph{answered: answered, made: map[string]bool{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *lossyGraph) serve(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Requests []scripted.SubRequest `json:"requests"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad batch", http.StatusBadRequest)
		return
	}
	g.mu.Lock()
	g.batches++
	n := g.batches
	for _, sr := range in.Requests {
		g.made[sr.ID] = true
	}
	g.mu.Unlock()
	if n > g.answered {
		g.mu.Lock()
		g.held++
		held := g.held
		g.mu.Unlock()
		if g.onHeld != nil {
			g.onHeld(held)
		}
		<-r.Context().Done() // the links were made; the answer never comes
		return
	}
	var out []string
	for _, sr := range in.Requests {
		out = append(out, fmt.Sprintf(`{"id":%q,"status":201,"body":{"id":"p%s","link":{"type":"view","webUrl":"https://1drv.ms/x/%s"}}}`, sr.ID, sr.ID, sr.ID))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"responses":[%s]}`, strings.Join(out, ","))
}

func (g *lossyGraph) client(t *testing.T) *msgraph.Client {
	t.Helper()
	c, err := msgraph.New(msgraph.Options{BaseURL: g.URL + "/v1.0", HTTPClient: g.Server.Client(), Tokens: scripted.StaticTokens("tok")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tally checks every result against what the server really did: an item is reported as not done
// (cancelled, stalled) only if its createLink never reached the server, and an item the server
// ran without answering is reported as outcome unknown. It returns the count per outcome.
func (g *lossyGraph) tally(t *testing.T, col *collector) map[string]int {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	counts := map[string]int{}
	for i, r := range col.results {
		id := fmt.Sprint(i)
		outcome := "created"
		if r.Err != nil {
			outcome = r.Err.Code
		}
		counts[outcome]++
		switch {
		case outcome == "created" && r.Status != 201:
			t.Errorf("item %d: %+v", i, r)
		case (outcome == bulk.Cancelled || outcome == bulk.Stalled) && g.made[id]:
			t.Errorf("item %d reported %s (%s), but its link was made", i, outcome, r.Err.Message)
		case outcome == bulk.OutcomeUnknown && !g.made[id]:
			t.Errorf("item %d reported outcome unknown, but it never reached Graph", i)
		case outcome == bulk.OutcomeUnknown && !strings.HasSuffix(r.Err.Message, "run the same command again: an item whose link exists is then reported as existing"):
			t.Errorf("item %d: message %q lacks the way out", i, r.Err.Message)
		}
	}
	return counts
}

// TestBulkCancelReportsSentItemsAsOutcomeUnknown: Ctrl-C while batches that Graph has already run
// are waiting for their answer. Those items are "outcome unknown", never "cancelled"; only items
// never sent are cancelled.
func TestBulkCancelReportsSentItemsAsOutcomeUnknown(t *testing.T) {
	g := newLossyGraph(t, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g.onHeld = func(held int) {
		if held == 4 { // every worker is waiting on a batch Graph has run
			cancel()
		}
	}
	items := idItems(100)
	col := newCollector(t)
	err := createLinks(g.client(t), ctx, msgraph.DriveRef{}, items, viewLink, bulk.Options{OnResult: col.on, Concurrency: 4, BatchSize: 10})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	col.check(items)
	counts := g.tally(t, col)
	if counts["created"] != 20 || counts[bulk.OutcomeUnknown] != 40 || counts[bulk.Cancelled] != 40 {
		t.Errorf("outcomes = %v, want 20 created, 40 outcome unknown, 40 cancelled", counts)
	}
}

// TestBulkAgainstASilentGraphIsBounded: a Graph that never answers ends the run after one batch
// timeout, as one request would end, rather than retrying every batch: the items in flight are
// outcome unknown, the rest stalled (not sent), and the error says why.
func TestBulkAgainstASilentGraphIsBounded(t *testing.T) {
	g := newLossyGraph(t, 0)
	items := idItems(50)
	col := newCollector(t)
	err := createLinks(g.client(t), context.Background(), msgraph.DriveRef{}, items, viewLink,
		bulk.Options{OnResult: col.on, Concurrency: 2, BatchSize: 10, BatchTimeout: 300 * time.Millisecond, StallTimeout: 300 * time.Millisecond})
	var se *bulk.StalledError
	if !errors.As(err, &se) || err.Error() != "Graph answered no request for 300ms, so odshare stopped; run the same command again later" {
		t.Fatalf("err = %v, want a bulk.StalledError", err)
	}
	col.check(items)
	counts := g.tally(t, col)
	if counts[bulk.OutcomeUnknown] != 20 || counts[bulk.Stalled] != 30 {
		t.Errorf("outcomes = %v, want 20 outcome unknown, 30 stalled", counts)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.batches != 2 {
		t.Errorf("%d batches sent, want the 2 first ones only", g.batches)
	}
}
