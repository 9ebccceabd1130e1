package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/safetext"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

var _ bulk.Linker = (*Provider)(nil)

// LinkSender prepares a bulk run through Graph JSON batching [BAT]: ids and paths become POST
// {drive}{item}/createLink sub-requests; sharing URLs and share ids are first resolved with batched
// GET /shares/{token}/driveItem sub-requests, then get POST /drives/{driveId}/items/{id}/createLink,
// as CreateLink does.
func (p *Provider) LinkSender(items []sharing.Item, spec sharing.LinkSpec) (bulk.Sender, error) {
	return &linkSender{c: p.c, items: items, req: createRequest(spec)}, nil
}

// ReadLink reads a createLink answer, with what it lacks of spec.
func (*Provider) ReadLink(raw json.RawMessage, spec sharing.LinkSpec) (*sharing.Link, []sharing.Difference, error) {
	l, err := decodePermission(raw)
	if err != nil {
		return nil, nil, err
	}
	return l, Differences(spec, l), nil
}

// ResultKey is "permission": bulk JSON holds Graph's permission under it.
func (*Provider) ResultKey() string { return "permission" }

// linkSender is one bulk run's Graph side.
type linkSender struct {
	c     *msgraph.Client
	items []sharing.Item
	req   api.CreateLinkRequest
	body  json.RawMessage
}

// step is one item's next sub-request: the share lookup (resolve) or createLink.
type step struct {
	index   int
	resolve bool   // url is the share lookup, not createLink yet
	url     string // the sub-request's URL
}

// Unsafe is true for createLink, which may make the link; a share lookup can be sent again.
func (s *step) Unsafe() bool { return !s.resolve }

func (*linkSender) Service() string { return "Graph" }
func (*linkSender) MaxBatch() int   { return msgraph.MaxBatchRequests }

func (s *linkSender) Retry() bulk.Retry {
	r := s.c.Retry()
	out := bulk.Retry{Sleep: r.Sleep, MaxWait: r.MaxWait, Budget: r.RetryBudget}
	if r.OnWait != nil {
		out.OnWait = func(ctx context.Context, reason string, d time.Duration) {
			r.OnWait(ctx, msgraph.Wait{Reason: reason, Delay: d})
		}
	}
	return out
}

// Prepare resolves a --site URL once (one request before the batches, rather than one per item)
// and checks every item before anything else is sent.
func (s *linkSender) Prepare(ctx context.Context) ([]bulk.Step, error) {
	body, err := json.Marshal(s.req)
	if err != nil {
		return nil, err
	}
	s.body = body
	resolved := map[msgraph.DriveRef]msgraph.DriveRef{}
	for _, it := range s.items {
		if it.IsShare() {
			continue
		}
		d := driveOf(it)
		if _, ok := resolved[d]; !ok {
			if resolved[d], err = s.c.ResolveSite(ctx, d); err != nil {
				return nil, err
			}
		}
	}
	steps := make([]bulk.Step, len(s.items))
	checked := map[msgraph.DriveRef]bool{}
	for i, it := range s.items {
		ref := refOf(it)
		if ref.Value == "" {
			return nil, fmt.Errorf("graph: bulk item %d: empty item reference", i)
		}
		switch ref.Kind {
		case msgraph.ItemBySharingURL, msgraph.ItemByShareID:
			p, err := msgraph.SharesPath(msgraph.ShareToken(ref))
			if err != nil {
				return nil, fmt.Errorf("graph: bulk item %d: %w", i, err)
			}
			steps[i] = &step{index: i, resolve: true, url: p + "/driveItem"}
		default:
			drive := resolved[driveOf(it)]
			if !checked[drive] {
				if err := msgraph.CheckDrive(drive); err != nil {
					return nil, err
				}
				checked[drive] = true
			}
			steps[i] = &step{index: i, url: msgraph.ItemActionPath(drive.ItemPath(ref), "createLink")}
		}
	}
	return steps, nil
}

// jsonHeaders is shared by every createLink sub-request; Batch never modifies a request's map.
var jsonHeaders = map[string]string{"Content-Type": "application/json"}

// Send sends the steps as one JSON batch; an incomplete batch returns the answers it did bring.
func (s *linkSender) Send(ctx context.Context, steps []bulk.Step) ([]bulk.Answer, error) {
	reqs := make([]msgraph.BatchRequest, len(steps))
	for i, st := range steps {
		t := st.(*step)
		reqs[i] = msgraph.BatchRequest{ID: strconv.Itoa(t.index), URL: t.url}
		if t.resolve {
			reqs[i].Method = http.MethodGet
		} else {
			reqs[i].Method, reqs[i].Headers, reqs[i].Body = http.MethodPost, jsonHeaders, s.body
		}
	}
	resps, err := s.c.BatchPartial(ctx, reqs)
	var incomplete *msgraph.BatchIncompleteError
	if err != nil && !errors.As(err, &incomplete) {
		return nil, err
	}
	out := make([]bulk.Answer, len(resps))
	for i, r := range resps {
		out[i] = bulk.Answer{Status: r.Status, RetryAfter: r.HeaderValue("Retry-After"), Body: r.Body}
	}
	return out, err
}

// Advance reads a 2xx: a share lookup's 200 moves the item on to createLink; createLink's 201 is a
// new link and 200 the existing one [CL1]. Anything else is an answer odshare can't use.
func (s *linkSender) Advance(st bulk.Step, a bulk.Answer) (bulk.Step, *bulk.Result, *bulk.Error) {
	t := st.(*step)
	switch {
	case t.resolve && a.Status == http.StatusOK:
		var di api.DriveItem
		if err := json.Unmarshal(a.Body, &di); err != nil {
			return nil, nil, &bulk.Error{Code: "invalidResponse", Message: "resolve share: decode driveItem: " + safetext.Line(err.Error())}
		}
		driveID, itemID := msgraph.SharedItemAddress(&di)
		if driveID == "" || itemID == "" {
			return nil, nil, &bulk.Error{Code: "invalidResponse", Message: msgraph.ErrMissingAddress.Error()}
		}
		return &step{index: t.index, url: msgraph.ItemActionPath(msgraph.DriveItemPath(driveID, itemID), "createLink")}, nil, nil
	case !t.resolve && (a.Status == http.StatusOK || a.Status == http.StatusCreated):
		return nil, &bulk.Result{Status: a.Status, Created: a.Status == http.StatusCreated, Raw: a.Body}, nil
	}
	return nil, nil, nil
}

// Refusal is Graph's code and message from the sub-response's body, when it has them.
func (s *linkSender) Refusal(st bulk.Step, a bulk.Answer) *bulk.Error {
	code, msg := msgraph.ErrorOf(a.Body)
	if code == "" {
		code = "requestFailed"
	}
	if msg == "" {
		msg = bulk.StatusLine(a.Status)
	}
	if st.(*step).resolve {
		msg = "resolve share: " + msg
	}
	return &bulk.Error{Code: code, Message: msg}
}
