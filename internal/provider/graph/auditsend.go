package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/safetext"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

// maxPermissionPages bounds the pages of one item's permissions an audit follows: an item has a
// few dozen permissions at most in practice (SharePoint caps unique ones far below 200 pages'
// worth), so more means a server sending nextLinks without end.
const maxPermissionPages = 100

// auditStep is one sub-request of an audit or a revoke: a page of an item's permissions (GET, then
// its nextLinks, the pages gathered so far in got), or a permission's removal (DELETE).
type auditStep struct {
	index  int
	method string
	url    string
	got    []json.RawMessage
	pages  int
}

// Unsafe is true for a removal: sent without an answer, it may have happened.
func (s *auditStep) Unsafe() bool { return s.method == http.MethodDelete }

// auditSender sends an audit's or a revoke's steps through Graph JSON batching [BAT], each batch
// paced by an auditPacer first (bulk.Options.Admit).
type auditSender struct {
	c     *msgraph.Client
	steps []bulk.Step
	pace  *auditPacer
	batch int // the most steps a batch carries
}

func (*auditSender) Service() string     { return "Graph" }
func (s *auditSender) MaxBatch() int     { return s.batch }
func (s *auditSender) Retry() bulk.Retry { return bulkRetry(s.c) }

// bulkRetry is how a bulk run over Graph waits: the client's own settings.
func bulkRetry(c *msgraph.Client) bulk.Retry {
	r := c.Retry()
	out := bulk.Retry{Sleep: r.Sleep, MaxWait: r.MaxWait, Budget: r.RetryBudget}
	if r.OnWait != nil {
		out.OnWait = func(ctx context.Context, reason string, d time.Duration) {
			r.OnWait(ctx, msgraph.Wait{Reason: reason, Delay: d})
		}
	}
	return out
}

func (s *auditSender) Prepare(context.Context) ([]bulk.Step, error) { return s.steps, nil }

// admit waits for the pacer to let a batch of steps go (each a permission operation, 5 units).
func (s *auditSender) admit(ctx context.Context, steps []bulk.Step) error {
	return s.pace.wait(ctx, unitsPermission*len(steps))
}

// Send sends the steps as one batch; an incomplete batch returns the answers it did bring. The
// sub-responses' RateLimit-* headers go to the pacer.
func (s *auditSender) Send(ctx context.Context, steps []bulk.Step) ([]bulk.Answer, error) {
	reqs := make([]msgraph.BatchRequest, len(steps))
	for i, st := range steps {
		t := st.(*auditStep)
		reqs[i] = msgraph.BatchRequest{ID: strconv.Itoa(t.index), Method: t.method, URL: t.url}
	}
	resps, err := s.c.BatchPartial(ctx, reqs)
	var incomplete *msgraph.BatchIncompleteError
	if err != nil && !errors.As(err, &incomplete) {
		s.pace.settle(unitsPermission * len(steps))
		return nil, err
	}
	out := make([]bulk.Answer, len(resps))
	hs := make([]func(string) string, len(resps))
	for i, r := range resps {
		out[i] = bulk.Answer{Status: r.Status, RetryAfter: r.HeaderValue("Retry-After"), Body: r.Body}
		hs[i] = headerOf(r.Headers)
	}
	s.pace.settle(unitsPermission*len(steps), hs...)
	return out, err
}

// Advance reads a 2xx: a page of permissions moves on to its nextLink, or ends the item with every
// page's permissions as one JSON array; a removal's 204 (or 200) ends it.
func (s *auditSender) Advance(st bulk.Step, a bulk.Answer) (bulk.Step, *bulk.Result, *bulk.Error) {
	t := st.(*auditStep)
	if t.method == http.MethodDelete {
		if a.Status == http.StatusNoContent || a.Status == http.StatusOK {
			return nil, &bulk.Result{Status: a.Status}, nil
		}
		return nil, nil, nil
	}
	if a.Status != http.StatusOK {
		return nil, nil, nil
	}
	var page struct {
		Value    *[]json.RawMessage `json:"value"`
		NextLink string             `json:"@odata.nextLink"`
	}
	if err := json.Unmarshal(a.Body, &page); err != nil || page.Value == nil {
		return nil, nil, &bulk.Error{Code: "invalidResponse", Message: "Graph's page of permissions is not a JSON object with a \"value\" array"}
	}
	got := append(t.got, *page.Value...)
	if page.NextLink == "" {
		return nil, &bulk.Result{Status: http.StatusOK, Raw: output.JoinJSONArray(got)}, nil
	}
	if t.pages+1 >= maxPermissionPages {
		return nil, nil, &bulk.Error{Code: "invalidResponse", Message: "more than " + strconv.Itoa(maxPermissionPages) + " pages of permissions on one item: is Graph sending @odata.nextLink without end?"}
	}
	next, err := s.c.RelativeURL(page.NextLink)
	if err != nil {
		return nil, nil, &bulk.Error{Code: "invalidResponse", Message: safetext.Line(err.Error())}
	}
	return &auditStep{index: t.index, method: http.MethodGet, url: next, got: got, pages: t.pages + 1}, nil, nil
}

// Refusal is Graph's code and message from the sub-response's body, when it has them.
func (s *auditSender) Refusal(_ bulk.Step, a bulk.Answer) *bulk.Error { return refusal(a) }

// run sends the steps through the bulk engine, labelled by inputs, paced by s.pace.
func (s *auditSender) run(ctx context.Context, inputs []string, concurrency int, on func(bulk.Result)) error {
	return bulk.Run(ctx, s, inputs, bulk.Options{Concurrency: concurrency, BatchSize: s.batch, Admit: s.admit, OnResult: on})
}
