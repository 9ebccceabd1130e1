package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

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
	body, err := json.Marshal(createRequest(spec))
	if err != nil {
		return nil, err
	}
	return &actionSender{c: p.c, items: items, action: "createLink", bodies: []json.RawMessage{body}, final: createLinkResult}, nil
}

// createLinkResult reads createLink's answer: 201 is a new link and 200 the existing one [CL1].
func createLinkResult(a bulk.Answer) *bulk.Result {
	if a.Status != http.StatusOK && a.Status != http.StatusCreated {
		return nil
	}
	return &bulk.Result{Status: a.Status, Created: a.Status == http.StatusCreated, Raw: a.Body}
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

// actionSender is one bulk run's Graph side: an action POSTed to each item (createLink, invite), after
// a share lookup for the items named by a sharing URL or share id.
type actionSender struct {
	c     *msgraph.Client
	items []sharing.Item
	// action is the action's name, the last segment of its sub-requests' URLs.
	action string
	// bodies are the action's JSON bodies: one for every item, or one per item.
	bodies []json.RawMessage
	// final reads a 2xx answer to the action: the item's result, or nil for a status odshare
	// can't use.
	final func(bulk.Answer) *bulk.Result
}

// body is item i's request body.
func (s *actionSender) body(i int) json.RawMessage {
	if len(s.bodies) == 1 {
		return s.bodies[0]
	}
	return s.bodies[i]
}

// step is one item's next sub-request: the share lookup (resolve) or the action.
type step struct {
	index   int
	resolve bool   // url is the share lookup, not createLink yet
	url     string // the sub-request's URL
}

// Unsafe is true for the action, which may make the link or grant access; a share lookup can be
// sent again.
func (s *step) Unsafe() bool { return !s.resolve }

func (*actionSender) Service() string { return "Graph" }
func (*actionSender) MaxBatch() int   { return msgraph.MaxBatchRequests }

func (s *actionSender) Retry() bulk.Retry { return bulkRetry(s.c) }

// Prepare resolves a --site URL once (one request before the batches, rather than one per item)
// and checks every item before anything else is sent.
func (s *actionSender) Prepare(ctx context.Context) ([]bulk.Step, error) {
	if len(s.bodies) != 1 && len(s.bodies) != len(s.items) {
		return nil, fmt.Errorf("graph: %d request bodies for %d items", len(s.bodies), len(s.items))
	}
	var err error
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
			steps[i] = &step{index: i, url: msgraph.ItemActionPath(drive.ItemPath(ref), s.action)}
		}
	}
	return steps, nil
}

// jsonHeaders is shared by every action sub-request; Batch never modifies a request's map.
var jsonHeaders = map[string]string{"Content-Type": "application/json"}

// Send sends the steps as one JSON batch; an incomplete batch returns the answers it did bring.
func (s *actionSender) Send(ctx context.Context, steps []bulk.Step) ([]bulk.Answer, error) {
	reqs := make([]msgraph.BatchRequest, len(steps))
	for i, st := range steps {
		t := st.(*step)
		reqs[i] = msgraph.BatchRequest{ID: strconv.Itoa(t.index), URL: t.url}
		if t.resolve {
			reqs[i].Method = http.MethodGet
		} else {
			reqs[i].Method, reqs[i].Headers, reqs[i].Body = http.MethodPost, jsonHeaders, s.body(t.index)
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

// Advance reads a 2xx: a share lookup's 200 moves the item on to the action, whose answer final
// reads. Anything else is an answer odshare can't use.
func (s *actionSender) Advance(st bulk.Step, a bulk.Answer) (bulk.Step, *bulk.Result, *bulk.Error) {
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
		return &step{index: t.index, url: msgraph.ItemActionPath(msgraph.DriveItemPath(driveID, itemID), s.action)}, nil, nil
	case !t.resolve:
		if res := s.final(a); res != nil {
			return nil, res, nil
		}
	}
	return nil, nil, nil
}

// Refusal is Graph's code and message from the sub-response's body, when it has them.
func (s *actionSender) Refusal(st bulk.Step, a bulk.Answer) *bulk.Error {
	e := refusal(a)
	if st.(*step).resolve {
		e.Message = "resolve share: " + e.Message
	}
	return e
}

// refusal is Graph's code and message from an error sub-response's body, when it has them.
func refusal(a bulk.Answer) *bulk.Error {
	code, msg := msgraph.ErrorOf(a.Body)
	if code == "" {
		code = "requestFailed"
	}
	if msg == "" {
		msg = bulk.StatusLine(a.Status)
	}
	return &bulk.Error{Code: code, Message: msg}
}
