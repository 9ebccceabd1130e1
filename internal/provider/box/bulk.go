package box

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	boxapi "github.com/odshare/odshare/internal/box"
	"github.com/odshare/odshare/internal/safetext"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

var _ bulk.Linker = (*Provider)(nil)

// LinkSender prepares a bulk run: Box has no batching, so each of an item's requests is sent on its
// own (MaxBatch 1), as many at once as the run's concurrency, paced by Box's 429s like Graph's
// batches. Each item takes the steps CreateLink takes: its path resolved (folders listed once for
// the whole run) or its shared link opened (GET /shared_items), then GET …?fields=name,shared_link,
// then, only when the item has no link, the PUT that makes it. So a link costs at most two
// requests, and a rerun sends no PUT for the links already made.
func (p *Provider) LinkSender(items []sharing.Item, spec sharing.LinkSpec) (bulk.Sender, error) {
	return &linkSender{p: p, items: items, spec: spec, folders: map[string]*folderNames{}}, nil
}

// ReadLink reads a result's Raw (Box's item with its shared_link), with what the link lacks of spec.
func (*Provider) ReadLink(raw json.RawMessage, spec sharing.LinkSpec) (*sharing.Link, []sharing.Difference, error) {
	it, l, err := readItem(raw)
	if err != nil {
		return nil, nil, err
	}
	if l == nil {
		return nil, nil, errors.New("Box's item has no shared link")
	}
	return l, Differences(spec, it.SharedLink, false), nil
}

// ResultKey is "box": bulk JSON holds Box's item, with its shared_link, under it.
func (*Provider) ResultKey() string { return "box" }

// linkSender is one bulk run's Box side.
type linkSender struct {
	p     *Provider
	items []sharing.Item
	spec  sharing.LinkSpec

	mu      sync.Mutex
	folders map[string]*folderNames // folder id -> its listing, for paths
}

// stepKind is what a step sends.
type stepKind int

const (
	stepResolvePath stepKind = iota // a path, resolved folder by folder (requests of its own)
	stepOpenLink                    // GET /shared_items with the link's BoxApi header
	stepRead                        // GET /{type}/{id}?fields=name,shared_link[,…]
	stepPut                         // PUT /{type}/{id}?fields=name,shared_link: makes the link
)

// step is one item's next request.
type step struct {
	index int
	kind  stepKind
	t     target
}

// Unsafe is true for the PUT, the one request that makes a link.
func (s *step) Unsafe() bool { return s.kind == stepPut }

func (*linkSender) Service() string { return "Box" }

// MaxBatch is 1: Box has no batch endpoint.
func (*linkSender) MaxBatch() int { return 1 }

func (s *linkSender) Retry() bulk.Retry { return s.p.bulkRetry() }

// bulkRetry is how a bulk run over Box waits: the client's own settings.
func (p *Provider) bulkRetry() bulk.Retry {
	r := p.c.Retry()
	out := bulk.Retry{Sleep: r.Sleep, MaxWait: r.MaxWait, Budget: r.RetryBudget}
	if r.OnWait != nil {
		out.OnWait = func(ctx context.Context, reason string, d time.Duration) {
			r.OnWait(ctx, boxapi.Wait{Reason: reason, Delay: d})
		}
	}
	return out
}

// Prepare gives every item its first step; nothing is sent.
func (s *linkSender) Prepare(context.Context) ([]bulk.Step, error) {
	steps := make([]bulk.Step, len(s.items))
	for i, it := range s.items {
		ref := refOf(it)
		switch ref.Kind {
		case boxapi.RefPath:
			steps[i] = &step{index: i, kind: stepResolvePath}
		case boxapi.RefSharedLink:
			steps[i] = &step{index: i, kind: stepOpenLink}
		case boxapi.RefID, boxapi.RefSharedItem:
			steps[i] = &step{index: i, kind: stepRead, t: target{typ: ref.Type, id: ref.ID}}
		default:
			return nil, fmt.Errorf("box: bulk item %d: not a parsed Box item", i)
		}
	}
	return steps, nil
}

// probe reports whether the read before the PUT also asks for the allowed access levels (see
// probeFields).
func (s *linkSender) probe() bool {
	return s.spec.Scope == "" && permissionsOf(s.spec, false) != nil
}

// Send sends the one step (MaxBatch is 1) and returns Box's answer as it came, throttling included.
func (s *linkSender) Send(ctx context.Context, steps []bulk.Step) ([]bulk.Answer, error) {
	if len(steps) != 1 {
		return nil, fmt.Errorf("box: %d steps in one send", len(steps))
	}
	if put, ok := steps[0].(*putStep); ok {
		p, err := boxapi.ItemPath(put.t.typ, put.t.id)
		if err != nil {
			return nil, err
		}
		return s.once(ctx, &boxapi.Request{Method: http.MethodPut, Path: p + "?fields=" + strings.Join(linkFields, ","), Body: put.body})
	}
	st := steps[0].(*step)
	it := s.items[st.index]
	var req boxapi.Request
	switch st.kind {
	case stepResolvePath:
		return s.resolvePath(ctx, refOf(it))
	case stepOpenLink:
		hdr, err := s.p.access(refOf(it), "").Header()
		if err != nil {
			return nil, err
		}
		req = boxapi.Request{Path: "/shared_items?fields=" + strings.Join(shareFields, ","), Header: http.Header{"Boxapi": {hdr}}}
	case stepRead:
		fields := linkFields
		if s.probe() {
			fields = probeFields
		}
		p, err := boxapi.ItemPath(st.t.typ, st.t.id)
		if err != nil {
			return nil, err
		}
		req = boxapi.Request{Path: p + "?fields=" + strings.Join(fields, ",")}
	default:
		return nil, errors.New("box: a PUT step without its body")
	}
	return s.once(ctx, &req)
}

// once sends req with Box's client, one attempt.
func (s *linkSender) once(ctx context.Context, req *boxapi.Request) ([]bulk.Answer, error) {
	return s.p.once(ctx, req)
}

// once sends req with Box's client, one attempt, for the bulk engine: Box's answer as it came,
// throttling included.
func (p *Provider) once(ctx context.Context, req *boxapi.Request) ([]bulk.Answer, error) {
	a, err := p.c.Once(ctx, req)
	if err != nil {
		return nil, p.fail(err)
	}
	return []bulk.Answer{{Status: a.StatusCode, RetryAfter: a.Header.Get("Retry-After"), Body: a.Body}}, nil
}

// putStep is the PUT of an item found without a link, with its body.
type putStep struct {
	step
	body []byte
}

// Advance reads a 2xx: a resolved path or an opened link moves the item on to the read; the read
// finds the item's link ("existing": done) or none (on to the PUT); the PUT's answer is the new link.
func (s *linkSender) Advance(st bulk.Step, a bulk.Answer) (bulk.Step, *bulk.Result, *bulk.Error) {
	if a.Status != http.StatusOK {
		return nil, nil, nil
	}
	var t *step
	switch v := st.(type) {
	case *step:
		t = v
	case *putStep:
		t = &v.step
	}
	var it boxapi.Item
	if err := json.Unmarshal(a.Body, &it); err != nil {
		return nil, nil, &bulk.Error{Code: "invalidResponse", Message: "decode Box's answer: " + safetext.Line(err.Error())}
	}
	switch t.kind {
	case stepResolvePath, stepOpenLink:
		if !it.Type.Valid() || boxapi.CheckID(it.ID) != nil {
			return nil, nil, &bulk.Error{Code: "invalidResponse", Message: "Box's answer is not a file, folder or web link with a numeric id"}
		}
		if s.spec.Type == "edit" && it.Type != boxapi.File {
			return nil, nil, &bulk.Error{Code: "invalidRequest", Message: "--type edit is for files only, and this is a Box " + strings.ReplaceAll(string(it.Type), "_", " ")}
		}
		return &step{index: t.index, kind: stepRead, t: target{typ: it.Type, id: it.ID}}, nil, nil
	case stepRead:
		if it.SharedLink != nil {
			return nil, &bulk.Result{Status: a.Status, Raw: a.Body}, nil
		}
		params, err := linkParams(s.spec, false, s.probe() && onlyCollaborators(it.AllowedSharedLinkAccessLevels))
		if err != nil {
			return nil, nil, &bulk.Error{Code: "invalidRequest", Message: err.Error()}
		}
		body, err := boxapi.SharedLinkBody(boxapi.Value(params))
		if err != nil {
			return nil, nil, &bulk.Error{Code: "invalidRequest", Message: err.Error()}
		}
		return &putStep{step: step{index: t.index, kind: stepPut, t: t.t}, body: body}, nil, nil
	case stepPut:
		if it.SharedLink == nil {
			return nil, nil, &bulk.Error{Code: "invalidResponse", Message: "Box answered the PUT without the shared link it made"}
		}
		return nil, &bulk.Result{Status: a.Status, Created: true, Raw: a.Body}, nil
	}
	return nil, nil, nil
}

// Refusal is Box's code and message from the error body, when it has them.
func (s *linkSender) Refusal(_ bulk.Step, a bulk.Answer) *bulk.Error { return refusal(a) }

// refusal is the failure Box's error answer stands for: its code and message (with the details of
// what it refused), or the status line.
func refusal(a bulk.Answer) *bulk.Error {
	e := boxapi.NewError("", "", a.Status, http.Header{}, a.Body)
	code, msg := e.Code, e.Message
	if len(e.Details) > 0 {
		// The details say which setting Box refused: the part of Error() before the status.
		msg = strings.TrimPrefix(e.Error(), e.Code+": ")
		if i := strings.LastIndex(msg, " (HTTP "); i > 0 {
			msg = msg[:i]
		}
	}
	if code == "" {
		code = "requestFailed"
	}
	if msg == "" {
		msg = bulk.StatusLine(a.Status)
	}
	return &bulk.Error{Code: code, Message: msg}
}

// folderNames is one folder's listing for path resolution: each name (lower-cased, as Box compares
// names) with its items, listed once for the whole run however many items lie in the folder.
type folderNames struct {
	done  chan struct{}
	names map[string][]boxapi.Entry
	err   error
}

// list returns the folder's listing, listing it (GET /folders/{id}/items?fields=name, marker paging)
// the first time any item asks.
func (s *linkSender) list(ctx context.Context, id string) (*folderNames, error) {
	s.mu.Lock()
	f := s.folders[id]
	if f == nil {
		f = &folderNames{done: make(chan struct{}), names: map[string][]boxapi.Entry{}}
		s.folders[id] = f
		s.mu.Unlock()
		f.err = s.p.c.ListFolderItems(ctx, id, boxapi.ListOptions{Fields: []string{"name"}}, func(pg *boxapi.Page) error {
			for _, e := range pg.Entries {
				e.Raw = nil
				k := strings.ToLower(e.Name)
				f.names[k] = append(f.names[k], e)
			}
			return nil
		})
		close(f.done)
	} else {
		s.mu.Unlock()
	}
	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if f.err != nil {
		if ctx.Err() == nil {
			s.mu.Lock()
			if s.folders[id] == f {
				delete(s.folders, id) // a later item lists it again
			}
			s.mu.Unlock()
		}
		return nil, f.err
	}
	return f, nil
}

// resolvePath walks a path from the root through the run's folder listings and answers as Box
// would: 200 with the item's type and id, or 404 not_found naming what is missing. The listings'
// own requests are sent with the client's retries.
func (s *linkSender) resolvePath(ctx context.Context, ref boxapi.Ref) ([]bulk.Answer, error) {
	cur := boxapi.Entry{Type: boxapi.Folder, ID: boxapi.RootFolderID}
	segs := strings.Split(strings.TrimPrefix(ref.Path, "/"), "/")
	if ref.Path == "/" {
		segs = nil
	}
	for i, name := range segs {
		f, err := s.list(ctx, cur.ID)
		if err != nil {
			return nil, s.p.fail(err)
		}
		wantFolder := i < len(segs)-1 || ref.Dir
		var found *boxapi.Entry
		var other boxapi.ItemType
		for _, e := range f.names[strings.ToLower(name)] {
			if !strings.EqualFold(e.Name, name) || !e.Type.Valid() {
				continue
			}
			if wantFolder && e.Type != boxapi.Folder {
				other = e.Type
				continue
			}
			found = &e
			break
		}
		if found == nil || boxapi.CheckID(found.ID) != nil {
			pe := &boxapi.PathError{Path: ref.Path, Parent: "/" + strings.Join(segs[:i], "/"), Name: name, Found: other}
			body, _ := json.Marshal(map[string]any{"type": "error", "status": 404, "code": "not_found", "message": pe.Error()})
			return []bulk.Answer{{Status: http.StatusNotFound, Body: body}}, nil
		}
		cur = *found
	}
	body, _ := json.Marshal(map[string]string{"type": string(cur.Type), "id": cur.ID})
	return []bulk.Answer{{Status: http.StatusOK, Body: body}}, nil
}
