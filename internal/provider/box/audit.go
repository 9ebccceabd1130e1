package box

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	boxapi "github.com/odshare/odshare/internal/box"
	"github.com/odshare/odshare/internal/safetext"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
	"github.com/odshare/odshare/internal/sharing/walk"
)

var _ sharing.Auditor = (*Provider)(nil)

// The audit's fields [OA]: folder entries carry their shared_link when fields names it, so one
// listing of each folder (pages of 1,000, marker paging) reads every link below the audited item,
// with no request per item; the audited item is read with its path_collection, for its path and
// the folders above it.
var auditRootFields = append(slices.Clone(linkFields), "path_collection")

// Bounds of the audit's walk, as share children's: deeper than any Box tree people make, and a
// backlog of queued folders of a few tens of MB at most.
const (
	auditMaxDepth   = 1000
	auditMaxBacklog = 100000
)

// AuditColumns are the Box columns of an audit's table, from the links' Extra: what policy makes
// of the link (effective access) and its custom URL.
func (*Provider) AuditColumns() []string { return []string{colEffectiveAccess, colVanityURL} }

// auditFolder is a folder of the walk: its id and its path from the user's root.
type auditFolder struct{ id, path string }

// pathCollection is the part of Box's path_collection odshare reads: the folders from the root
// ("All Files", id 0) down to the item's parent.
type pathCollection struct {
	Entries []struct {
		Type boxapi.ItemType `json:"type"`
		ID   string          `json:"id"`
		Name string          `json:"name"`
	} `json:"entries"`
}

// Audit finds the shared link of the item and of everything below it [notes §1, §5]:
//
//  1. The item: resolved as every command resolves it, then GET /{type}/{id}?fields=name,
//     shared_link,path_collection: its own link, and its path from the root.
//  2. The folders above it (path_collection, the root "0" aside, which cannot be shared):
//     GET /folders/{id}?fields=name,shared_link each. A link there opens the item too: it is
//     reported once, at the item, from above, and not revoked by this audit.
//  3. For a folder, one walk of the tree below it: GET /folders/{id}/items?fields=name,shared_link
//     &limit=1000&usemarker=true and every next_marker, each folder once, o.Concurrency folders at
//     once (package walk: one bounded stack, depth first). Box has one link per item and sends it
//     with the entry, so the walk is the whole audit. Box's 429s are waited out by the client
//     (their retry-after), request by request.
//
// Box shows an item's link only to those who may change it (owners, co-owners, editors): others
// get null, so the audit sees the links of what the caller manages [notes §1]. A folder whose
// listing Box refuses (403, 404, 5xx after retries) is reported to o.OnItemError and the walk goes
// on; an authentication failure stops it. Links reach each as their folder's page is read: a
// folder's own link before anything in it, folders in the walk's order.
func (p *Provider) Audit(ctx context.Context, it sharing.Item, o sharing.AuditOptions, each func(*sharing.Finding) error) (*sharing.AuditSummary, error) {
	t, err := p.resolve(ctx, it)
	if err != nil {
		return nil, p.fail(err)
	}
	_, raw, err := p.c.GetItem(ctx, t.typ, t.id, auditRootFields)
	if err != nil {
		return nil, p.fail(err)
	}
	root, l, err := readItem(raw)
	if err != nil {
		return nil, err
	}
	if root.Type != t.typ || root.ID != t.id {
		return nil, &sharing.AnswerError{Err: fmt.Errorf("Box answered %s %s for %s %s", safetext.Line(string(root.Type)), safetext.Line(root.ID), t.typ, t.id)}
	}
	var pc struct {
		PathCollection *pathCollection `json:"path_collection"`
	}
	if err := json.Unmarshal(raw, &pc); err != nil {
		return nil, &sharing.AnswerError{Err: fmt.Errorf("decode Box's path_collection: %w", err)}
	}
	rootPath, above := "/", []auditFolder(nil)
	if !(t.typ == boxapi.Folder && t.id == boxapi.RootFolderID) {
		rootPath = ""
		if pc.PathCollection != nil {
			for _, e := range pc.PathCollection.Entries {
				if e.ID == boxapi.RootFolderID {
					continue
				}
				rootPath += "/" + e.Name
				above = append(above, auditFolder{id: e.ID, path: rootPath})
			}
		}
		rootPath += "/" + root.Name
	}
	sum := &sharing.AuditSummary{Scanned: 1}
	progress := func() {
		if o.OnProgress != nil {
			o.OnProgress(sharing.AuditProgress{Phase: sharing.PhaseScan, Scanned: sum.Scanned, Links: sum.Links})
		}
	}
	fail := func(path string, err error) {
		sum.Failed++
		if o.OnItemError != nil {
			f := sharing.ItemFailure{Path: path, Message: safetext.Line(err.Error())}
			if ae, ok := sharing.AsAPIError(err); ok {
				f.Status, f.Code, f.Message = ae.HTTPStatus(), ae.ErrorCode(), ae.ErrorMessage()
			}
			o.OnItemError(f)
		}
	}
	progress()

	// 2. The folders above.
	for _, a := range above {
		_, raw, err := p.c.GetItem(ctx, boxapi.Folder, a.id, linkFields)
		if err != nil {
			if !itemFailure(err) {
				return sum, p.fail(err)
			}
			fail(a.path+" (a folder above the audited item)", err)
			continue
		}
		_, al, err := readItem(raw)
		if err != nil {
			return sum, err
		}
		if al != nil {
			sum.Links++
			if err := each(&sharing.Finding{Path: rootPath, ItemID: root.ID, Link: al, FromAbove: true}); err != nil {
				return sum, err
			}
		}
	}
	// 1. The item's own link.
	if l != nil {
		sum.Links++
		if err := each(&sharing.Finding{Path: rootPath, ItemID: root.ID, Link: l, Ref: t}); err != nil {
			return sum, err
		}
	}
	if t.typ != boxapi.Folder {
		return sum, nil
	}

	// 3. The walk. Sink calls are serialized by the walk; fail and each are called from it only.
	var mu sync.Mutex
	list := func(ctx context.Context, folder sharing.Folder, page func([]sharing.Entry) error) error {
		f := auditFolder{id: t.id, path: rootPath}
		if !folder.IsRoot() {
			f, _ = folder.Ref.(auditFolder)
		}
		err := p.c.ListFolderItems(ctx, f.id, boxapi.ListOptions{Fields: linkFields, Limit: boxapi.MaxLimit}, func(pg *boxapi.Page) error {
			entries := make([]sharing.Entry, len(pg.Entries))
			for i, e := range pg.Entries {
				entries[i] = sharing.Entry{Name: e.Name, ID: e.ID, Raw: e.Raw, IsFolder: e.Type == boxapi.Folder}
				if e.Type != boxapi.Folder {
					continue
				}
				if err := boxapi.CheckID(e.ID); err != nil {
					entries[i].FolderErr = &sharing.AnswerError{Err: err}
				} else {
					entries[i].Folder = &sharing.Folder{Key: e.ID, Ref: auditFolder{id: e.ID, path: joinPath(f.path, e.Name)}}
				}
			}
			return page(entries)
		})
		if err != nil && !folder.IsRoot() && itemFailure(err) {
			mu.Lock()
			fail(f.path, err)
			mu.Unlock()
			return nil
		}
		return p.fail(err)
	}
	err = walk.Walk(ctx, list, walk.Options{
		Concurrency: max(o.Concurrency, 1),
		MaxDepth:    auditMaxDepth,
		MaxBacklog:  auditMaxBacklog,
		RootName:    safetext.Line(rootPath),
		Clean:       safetext.Line,
		Sink: func(dir string, entries []sharing.Entry) error {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range entries {
				sum.Scanned++
				it, l, err := readItem(e.Raw)
				if err != nil {
					return err
				}
				if l == nil {
					continue
				}
				if !it.Type.Valid() || boxapi.CheckID(it.ID) != nil {
					return &sharing.AnswerError{Err: errors.New("Box listed an item that is not a file, folder or web link with a numeric id")}
				}
				sum.Links++
				path := joinPath(rootPath, dir)
				if err := each(&sharing.Finding{Path: joinPath(path, e.Name), ItemID: it.ID, Link: l, Ref: target{typ: it.Type, id: it.ID}}); err != nil {
					return err
				}
			}
			progress()
			return nil
		},
	})
	return sum, err
}

// itemFailure reports whether err is Box's refusal of one item (or a server error that outlasted
// the client's retries), which an audit reports and goes past, rather than a failure of the run:
// the credential, the network, an interruption.
func itemFailure(err error) bool {
	st := sharing.StatusOf(err)
	return st >= 400 && st != http.StatusUnauthorized && st != http.StatusTooManyRequests
}

// joinPath is dir/name; dir "" is name itself, and "/" its root.
func joinPath(dir, name string) string {
	switch {
	case name == "":
		return dir
	case dir == "" || strings.HasSuffix(dir, "/"):
		return dir + name
	}
	return dir + "/" + name
}

// Revoke removes each link, PUT /{type}/{id}?fields=name,shared_link with {"shared_link": null}
// [G-SL remove], then reads every item a removal may have reached again (GET …?fields=name,
// shared_link) and checks that its link is gone: a link is revoked only when the read shows no
// link, or another one (a later link has a new URL; the old one stops working). Both go through
// the bulk engine one request at a time, o.Concurrency at once, paced by Box's 429s. Links from
// above the audited item are skipped.
func (p *Provider) Revoke(ctx context.Context, links []*sharing.Finding, o sharing.AuditOptions, each func(sharing.RevokeResult) error) error {
	type pending struct {
		f   *sharing.Finding
		t   target
		res bulk.Result
	}
	outcomes, at := bulk.SkipFromAbove(links, func(f *sharing.Finding) bool { _, ok := f.Ref.(target); return ok })
	todo := make([]*pending, len(at))
	for k, i := range at {
		todo[k] = &pending{f: links[i], t: links[i].Ref.(target)}
	}
	progress := func(pr sharing.AuditProgress) { bulk.Progress(o, pr) }
	var runErr error
	if len(todo) > 0 {
		steps := make([]bulk.Step, len(todo))
		inputs := make([]string, len(todo))
		for i, pd := range todo {
			steps[i] = &auditStep{t: pd.t, put: true}
			inputs[i] = pd.f.Path
		}
		done := 0
		progress(sharing.AuditProgress{Phase: sharing.PhaseRevoke, Total: len(todo)})
		runErr = p.runAudit(ctx, steps, inputs, o.Concurrency, func(r bulk.Result) {
			todo[r.Index].res = r
			done++
			progress(sharing.AuditProgress{Phase: sharing.PhaseRevoke, Done: done, Total: len(todo)})
		})
		if bulk.EndsRevoke(ctx, runErr) {
			return runErr
		}
	}

	// The check: each item a removal may have reached, read again unless the run is over.
	checks := make([]*bulk.RevokeCheck, len(todo))
	var reread []int
	for i, pd := range todo {
		if bulk.MayBeGone(pd.res) {
			checks[i] = &bulk.RevokeCheck{}
			reread = append(reread, i)
		}
	}
	if runErr == nil && len(reread) > 0 {
		steps := make([]bulk.Step, len(reread))
		inputs := make([]string, len(reread))
		for k, i := range reread {
			steps[k] = &auditStep{t: todo[i].t}
			inputs[k] = todo[i].f.Path
		}
		done := 0
		progress(sharing.AuditProgress{Phase: sharing.PhaseVerify, Total: len(reread)})
		runErr = p.runAudit(ctx, steps, inputs, o.Concurrency, func(r bulk.Result) {
			done++
			progress(sharing.AuditProgress{Phase: sharing.PhaseVerify, Done: done, Total: len(reread)})
			i := reread[r.Index]
			checkLink(checks[i], todo[i].f.Link, r)
		})
	}
	for i, pd := range todo {
		r := bulk.RevokeOutcome("Box", pd.f, pd.res, checks[i])
		outcomes[at[i]] = &r
	}
	for _, r := range outcomes {
		if err := each(*r); err != nil {
			return err
		}
	}
	return runErr
}

// checkLink reads the item read again after the removal of l: still there when it has a link
// with l's URL; gone when it has none, or a link with another URL (the old one no longer works).
func checkLink(ch *bulk.RevokeCheck, l *sharing.Link, r bulk.Result) {
	if r.Err != nil {
		ch.Err = r.Err
		return
	}
	var it boxapi.Item
	if err := json.Unmarshal(r.Raw, &it); err != nil {
		ch.Err = &bulk.Error{Code: "invalidResponse", Message: "the item read again is not Box's item JSON"}
		return
	}
	ch.Read = true
	if it.SharedLink == nil {
		return
	}
	if sameURL(it.SharedLink.URL, l.URL) || it.SharedLink.URL == "" {
		ch.Lists = true
		return
	}
	ch.Note = "the item has another shared link now, made since: " + safetext.Line(it.SharedLink.URL)
}

// auditStep is one request of a revoke: an item's link removed (put), or the item read again.
type auditStep struct {
	t   target
	put bool
}

// Unsafe is true for the removal: sent without an answer, it may have happened.
func (s *auditStep) Unsafe() bool { return s.put }

// auditSender sends a revoke's steps to Box one at a time (Box has no batching).
type auditSender struct {
	p     *Provider
	steps []bulk.Step
}

func (*auditSender) Service() string                                { return "Box" }
func (*auditSender) MaxBatch() int                                  { return 1 }
func (s *auditSender) Retry() bulk.Retry                            { return s.p.bulkRetry() }
func (s *auditSender) Prepare(context.Context) ([]bulk.Step, error) { return s.steps, nil }
func (*auditSender) Refusal(_ bulk.Step, a bulk.Answer) *bulk.Error { return refusal(a) }

// nullLink is the body that removes an item's link.
var nullLink = []byte(`{"shared_link":null}`)

// Send sends the one step: PUT …?fields=name,shared_link {"shared_link":null}, or GET
// …?fields=name,shared_link.
func (s *auditSender) Send(ctx context.Context, steps []bulk.Step) ([]bulk.Answer, error) {
	if len(steps) != 1 {
		return nil, fmt.Errorf("box: %d steps in one send", len(steps))
	}
	st := steps[0].(*auditStep)
	p, err := boxapi.ItemPath(st.t.typ, st.t.id)
	if err != nil {
		return nil, err
	}
	req := &boxapi.Request{Path: p + "?fields=" + strings.Join(linkFields, ",")}
	if st.put {
		req.Method, req.Body = http.MethodPut, nullLink
	}
	return s.p.once(ctx, req)
}

// Advance ends the step with Box's item on a 200.
func (*auditSender) Advance(_ bulk.Step, a bulk.Answer) (bulk.Step, *bulk.Result, *bulk.Error) {
	if a.Status != http.StatusOK {
		return nil, nil, nil
	}
	return nil, &bulk.Result{Status: a.Status, Raw: a.Body}, nil
}

// runAudit sends the steps through the bulk engine, labelled by inputs.
func (p *Provider) runAudit(ctx context.Context, steps []bulk.Step, inputs []string, concurrency int, on func(bulk.Result)) error {
	return bulk.Run(ctx, &auditSender{p: p, steps: steps}, inputs, bulk.Options{Concurrency: concurrency, BatchSize: 1, OnResult: on})
}
