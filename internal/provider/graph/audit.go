package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/safetext"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

var _ sharing.Auditor = (*Provider)(nil)

// The audit's delta enumeration [notes §1.4]: pages of 999 items (Graph's own page is 200; 999
// and 1000 were seen honoured on business drives, notes §1.1), only the properties the audit
// reads, and on business drives and libraries Prefer: hierarchicalsharing, so that only the root
// of each permission hierarchy (and items with sharing of their own) carries the shared facet
// and the items that merely inherit it are not read.
const (
	deltaTop = 999
	// maxResyncs bounds how often an enumeration starts over after Graph's 410 resyncRequired.
	maxResyncs = 3
	// maxDepth bounds how far up a path is followed through the enumeration's folders, so a
	// server whose parents form a cycle cannot hang the audit.
	maxDepth = 4096
)

var (
	deltaSelect   = []string{"id", "name", "parentReference", "file", "folder", "package", "root", "deleted", "remoteItem", "shared"}
	rootSelect    = []string{"id", "name", "parentReference", "file", "folder", "package", "root", "shared"}
	preferSharing = []string{"hierarchicalsharing"}
)

// revokeRef is where a Finding's link can be removed.
type revokeRef struct{ driveID, itemID string }

// auditItem is an item whose permissions an audit reads.
type auditItem struct {
	id, parent, name string
	path             string
	sharedBy         string
	sharedAt         string
	// above is the audited item's parent, read on business drives to tell the links defined above
	// the audited item (which business drives list on it without inheritedFrom) from its own.
	above bool
	root  bool
}

// scan is what the delta enumeration keeps: every folder's parent and name (to build paths: delta
// never sends parentReference.path) and the candidates. Files that are not candidates are counted
// and forgotten, so memory grows with the folders, not the items.
type scan struct {
	rootID  string
	folders map[string][2]string // id -> parent id, name
	cands   map[string]*auditItem
	scanned int
}

func newScan(rootID string) *scan {
	return &scan{rootID: rootID, folders: map[string][2]string{}, cands: map[string]*auditItem{}}
}

// take reads one delta page. An item may come more than once: the last one counts [delta doc].
func (s *scan) take(page []json.RawMessage) error {
	for _, raw := range page {
		var it api.DriveItem
		if err := json.Unmarshal(raw, &it); err != nil {
			return &sharing.AnswerError{Err: fmt.Errorf("delta: decode item: %w", err)}
		}
		if it.ID == "" {
			return &sharing.AnswerError{Err: errors.New("delta: Graph sent an item without an id")}
		}
		s.scanned++
		parent := ""
		if it.ParentReference != nil {
			parent = it.ParentReference.ID
		}
		if it.Deleted != nil {
			delete(s.folders, it.ID)
			delete(s.cands, it.ID)
			continue
		}
		if it.Folder != nil || it.Package != nil || it.Root != nil {
			s.folders[it.ID] = [2]string{parent, it.Name}
		}
		if it.ID == s.rootID || it.RemoteItem != nil || !sharedNonEmpty(it.Shared) {
			// The root is read anyway; a shortcut's links are its target's, in another drive;
			// an empty shared facet is an item with unique permissions but no sharing.
			delete(s.cands, it.ID)
			continue
		}
		c := &auditItem{id: it.ID, parent: parent, name: it.Name, sharedAt: it.Shared.SharedDateTime}
		c.sharedBy = ownerName(it.Shared.SharedBy)
		s.cands[it.ID] = c
	}
	return nil
}

// sharedNonEmpty reports whether an item's shared facet says anything: with hierarchicalsharing
// an item whose unique sharing was removed, and an unshared enumerated root, get an empty one
// [delta doc].
func sharedNonEmpty(sh *api.Shared) bool {
	return sh != nil && (sh.Scope != "" || sh.Owner != nil || sh.SharedBy != nil || sh.SharedDateTime != "")
}

// pathOf is the path of the item with this parent and name, through the enumeration's folders,
// under rootPath.
func (s *scan) pathOf(parent, name, rootPath string, memo map[string]string) string {
	var chain []string
	id := parent
	for depth := 0; ; depth++ {
		if id == s.rootID {
			break
		}
		if p, ok := memo[id]; ok {
			rootPath = p
			break
		}
		f, ok := s.folders[id]
		if !ok || depth > maxDepth {
			// Graph did not send this folder: say so rather than guess.
			rootPath = rootPath + "/(folder " + safetext.Line(id) + ")"
			break
		}
		chain = append(chain, id)
		id = f[0]
	}
	p := rootPath
	for i := len(chain) - 1; i >= 0; i-- {
		p = joinPath(p, s.folders[chain[i]][1])
		memo[chain[i]] = p
	}
	return joinPath(p, name)
}

func joinPath(dir, name string) string {
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

// comparePaths orders paths segment by segment, so that every folder comes right before what is
// in it ("/a", "/a/x", "/a-b").
func comparePaths(a, b string) int {
	return strings.Compare(strings.ReplaceAll(a, "/", "\x00"), strings.ReplaceAll(b, "/", "\x00"))
}

// itemPathOf is an item's path from its drive's root, from parentReference.path
// ("/drives/{id}/root:/Reports"); the drive's root is "/". Without a parent path (an item reached
// through a share) it is the item's name alone.
func itemPathOf(di *api.DriveItem) string {
	if di.Root != nil {
		return "/"
	}
	if di.ParentReference != nil {
		if _, after, ok := strings.Cut(di.ParentReference.Path, "root:"); ok {
			if p, err := url.PathUnescape(after); err == nil {
				after = p
			}
			return joinPath("/"+strings.TrimPrefix(after, "/"), di.Name)
		}
	}
	return di.Name
}

// Audit finds every sharing link at or below the item [notes §1.4]:
//
//  1. GET the item (its drive, drive type, path and parent).
//  2. One delta enumeration of its subtree: GET /drives/{d}/items/{id}/delta?$top=999&$select=…,
//     with Prefer: hierarchicalsharing on business drives and libraries; every nextLink; a 410
//     resyncRequired starts it over (at most maxResyncs times) with nothing kept from before.
//  3. The candidates: the item itself, and every item with a non-empty shared facet; on business
//     drives also the item's parent, whose links are the ones from above.
//  4. Their permissions, GET {item}/permissions (every page), through $batch of 20, paced by the
//     bulk engine (429 and Retry-After hold every worker) and by auditPacer (the budget,
//     RateLimit-* headers).
//  5. Each link is attributed to the item it is defined on. Candidates are taken in path order,
//     so a folder's permissions are read before those of anything in it; a link is keyed by
//     permission id and URL, and the first item that lists it is where it is defined: business
//     drives never send inheritedFrom [PR] and list a folder's link again on every item below it
//     (corso#3708). On the audited item, a link also listed on its parent, or marked inheritedFrom
//     (OneDrive personal), is from above.
//
// Links go to each in path order as soon as every candidate before them has been read.
func (p *Provider) Audit(ctx context.Context, it sharing.Item, o sharing.AuditOptions, each func(*sharing.Finding) error) (*sharing.AuditSummary, error) {
	addr, err := p.c.ItemAddress(ctx, driveOf(it), refOf(it))
	if err != nil {
		return nil, err
	}
	root, _, err := p.c.GetItem(ctx, addr, rootSelect...)
	if err != nil {
		return nil, err
	}
	if root.ID == "" || root.ParentReference == nil || root.ParentReference.DriveID == "" {
		return nil, &sharing.AnswerError{Err: errors.New("Graph did not return the item's id and drive id")}
	}
	driveID := root.ParentReference.DriveID
	business := !strings.EqualFold(root.ParentReference.DriveType, "personal")
	rootPath := itemPathOf(root)
	rootAddr := msgraph.DriveItemPath(driveID, root.ID)
	pace := newAuditPacer(o.Budget, batchUnits(o.Budget), p.c.Retry().Sleep, o.OnWait)
	sum := &sharing.AuditSummary{}
	progress := func(pr sharing.AuditProgress) {
		if o.OnProgress != nil {
			o.OnProgress(pr)
		}
	}

	// 2. The enumeration.
	var sc *scan
	do := msgraph.DeltaOptions{Top: deltaTop, Select: deltaSelect}
	if business {
		do.Prefer = preferSharing
	}
	progress(sharing.AuditProgress{Phase: sharing.PhaseScan})
	for {
		sc = newScan(root.ID)
		first := true
		_, err = p.c.Delta(ctx, rootAddr, do, func(page []json.RawMessage) error {
			if err := sc.take(page); err != nil {
				return err
			}
			progress(sharing.AuditProgress{Phase: sharing.PhaseScan, Scanned: sc.scanned, Candidates: len(sc.cands) + 1})
			// The next page waits for the budget (1 unit: a delta page with a token; the first,
			// without one, 2).
			cost := unitsGet
			if first {
				cost, first = unitsList, false
			}
			if err := pace.wait(ctx, cost); err != nil {
				return err
			}
			pace.settle(cost)
			return nil
		})
		if msgraph.IsResync(err) && sum.Resyncs < maxResyncs {
			sum.Resyncs++
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("delta: %w", err)
		}
		break
	}
	sum.Scanned = sc.scanned

	// 3. The candidates, in path order.
	memo := map[string]string{}
	var items []*auditItem
	for _, c := range sc.cands {
		c.path = sc.pathOf(c.parent, c.name, rootPath, memo)
		items = append(items, c)
	}
	slices.SortFunc(items, func(a, b *auditItem) int {
		if c := comparePaths(a.path, b.path); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	rootItem := &auditItem{id: root.ID, path: rootPath, root: true}
	if root.Shared != nil {
		rootItem.sharedBy, rootItem.sharedAt = ownerName(root.Shared.SharedBy), root.Shared.SharedDateTime
	}
	items = append([]*auditItem{rootItem}, items...)
	if business && root.Root == nil && root.ParentReference.ID != "" {
		parentPath := "/"
		if i := strings.LastIndex(rootPath, "/"); i > 0 {
			parentPath = rootPath[:i]
		}
		items = append([]*auditItem{{id: root.ParentReference.ID, path: parentPath, above: true}}, items...)
	}
	sum.Candidates = len(items)
	if items[0].above {
		sum.Candidates--
	}

	// 4 and 5. The permissions, attributed in order.
	at := &attributor{each: each, items: items, results: make([]*bulk.Result, len(items)),
		seen: map[string]bool{}, above: map[string]bool{}, driveID: driveID, o: o, sum: sum}
	steps := make([]bulk.Step, len(items))
	inputs := make([]string, len(items))
	for i, c := range items {
		steps[i] = &auditStep{index: i, method: http.MethodGet, url: msgraph.ItemActionPath(msgraph.DriveItemPath(driveID, c.id), "permissions")}
		inputs[i] = c.path
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	s := &auditSender{c: p.c, steps: steps, pace: pace, batch: batchSize(o.Budget)}
	progress(sharing.AuditProgress{Phase: sharing.PhaseRead, Scanned: sum.Scanned, Candidates: sum.Candidates, Total: len(items)})
	err = s.run(runCtx, inputs, o.Concurrency, func(r bulk.Result) {
		at.take(r)
		if at.err != nil {
			cancel()
		}
		progress(sharing.AuditProgress{Phase: sharing.PhaseRead, Scanned: sum.Scanned, Candidates: sum.Candidates,
			Done: at.done, Total: len(items), Links: sum.Links})
	})
	if at.err != nil {
		return sum, at.err
	}
	if err != nil {
		return sum, err
	}
	return sum, nil
}

// batchSize is how many permission operations go in one batch: 20 [BAT], fewer when a client budget
// could not pay for 20 at once.
func batchSize(budget int) int {
	if budget <= 0 {
		return msgraph.MaxBatchRequests
	}
	return max(1, min(msgraph.MaxBatchRequests, budget/unitsPermission))
}

// batchUnits is the most units one batch costs, the client budget's burst.
func batchUnits(budget int) int { return batchSize(budget) * unitsPermission }

// attributor turns the candidates' permissions, which arrive in any order, into findings in path
// order, each link at the item where it is defined.
type attributor struct {
	each    func(*sharing.Finding) error
	items   []*auditItem
	results []*bulk.Result
	next    int // the first candidate not handed on yet
	done    int
	seen    map[string]bool // links attributed so far, by permission id and URL
	above   map[string]bool // links the audited item's parent lists
	driveID string
	o       sharing.AuditOptions
	sum     *sharing.AuditSummary
	err     error
	mu      sync.Mutex
}

// linkKey is a link's identity across the items that list it.
func linkKey(l *sharing.Link) string { return l.ID + "\x00" + normLinkURL(l.URL) }

func (a *attributor) take(r bulk.Result) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.done++
	rr := r
	a.results[r.Index] = &rr
	for a.err == nil && a.next < len(a.items) && a.results[a.next] != nil {
		a.handle(a.items[a.next], a.results[a.next])
		a.results[a.next] = nil
		a.next++
	}
}

func (a *attributor) handle(c *auditItem, r *bulk.Result) {
	if r.Err != nil {
		a.sum.Failed++
		if a.o.OnItemError != nil {
			path := c.path
			if c.above {
				path += " (the folder above the audited item: its links are reported as the audited item's own)"
			}
			a.o.OnItemError(sharing.ItemFailure{Path: path, Status: r.Status, Code: r.Err.Code, Message: r.Err.Message})
		}
		return
	}
	var perms []json.RawMessage
	if err := json.Unmarshal(r.Raw, &perms); err != nil {
		a.err = &sharing.AnswerError{Err: fmt.Errorf("permissions of %s: %w", safetext.Line(c.path), err)}
		return
	}
	for _, raw := range perms {
		l, err := decodePermission(raw)
		if err != nil {
			a.err = &sharing.AnswerError{Err: fmt.Errorf("permissions of %s: %w", safetext.Line(c.path), err)}
			return
		}
		if !l.IsLink {
			continue
		}
		key := linkKey(l)
		if c.above {
			a.above[key] = true
			continue
		}
		if a.seen[key] {
			continue // listed again below the item it is defined on
		}
		a.seen[key] = true
		f := &sharing.Finding{Path: c.path, ItemID: c.id, Link: l, SharedBy: c.sharedBy, SharedAt: c.sharedAt}
		if c.root && (a.above[key] || l.Inherited) {
			f.FromAbove = true
		} else {
			f.Ref = revokeRef{driveID: a.driveID, itemID: c.id}
		}
		a.sum.Links++
		if err := a.each(f); err != nil {
			a.err = err
			return
		}
	}
}

// normLinkURL is a link's URL as sameLinkURL compares it.
func normLinkURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.Scheme, u.Host, u.Fragment, u.RawFragment = strings.ToLower(u.Scheme), strings.ToLower(u.Host), "", ""
	q := u.Query()
	q.Del("e")
	u.RawQuery = q.Encode()
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// ResultKey is "permission": audit JSON holds Graph's permission under it, as bulk JSON does.
// (Provider.ResultKey serves both.)

// Revoke removes the links through $batch (DELETE /drives/{d}/items/{i}/permissions/{id}), then
// reads the permissions of every item a removal was sent for again and checks each link is gone
// [notes §1.1: a delete Graph answered with success has been seen to remove nothing]. Links from
// above the audited item are skipped: they are defined on a folder the audit did not cover. A
// link is revoked only when the read afterwards no longer lists it.
func (p *Provider) Revoke(ctx context.Context, links []*sharing.Finding, o sharing.AuditOptions, each func(sharing.RevokeResult) error) error {
	pace := newAuditPacer(o.Budget, batchUnits(o.Budget), p.c.Retry().Sleep, o.OnWait)
	type pending struct {
		f   *sharing.Finding
		ref revokeRef
		res bulk.Result
	}
	// Every link's outcome, in the order given: those from above at once, the others once read again.
	outcomes, at := bulk.SkipFromAbove(links, func(f *sharing.Finding) bool { _, ok := f.Ref.(revokeRef); return ok })
	todo := make([]*pending, len(at))
	for k, i := range at {
		todo[k] = &pending{f: links[i], ref: links[i].Ref.(revokeRef)}
	}
	emitAll := func() error {
		for _, r := range outcomes {
			if r == nil {
				continue
			}
			if err := each(*r); err != nil {
				return err
			}
		}
		return nil
	}
	if len(todo) == 0 {
		return emitAll()
	}
	progress := func(pr sharing.AuditProgress) { bulk.Progress(o, pr) }

	// The removals.
	steps := make([]bulk.Step, len(todo))
	inputs := make([]string, len(todo))
	for i, t := range todo {
		u, err := msgraph.PermissionPath(msgraph.DriveItemPath(t.ref.driveID, t.ref.itemID), t.f.Link.ID)
		if err != nil {
			return err
		}
		steps[i] = &auditStep{index: i, method: http.MethodDelete, url: u}
		inputs[i] = t.f.Path
	}
	done := 0
	s := &auditSender{c: p.c, steps: steps, pace: pace, batch: batchSize(o.Budget)}
	progress(sharing.AuditProgress{Phase: sharing.PhaseRevoke, Total: len(todo)})
	runErr := s.run(ctx, inputs, o.Concurrency, func(r bulk.Result) {
		todo[r.Index].res = r
		done++
		progress(sharing.AuditProgress{Phase: sharing.PhaseRevoke, Done: done, Total: len(todo)})
	})
	if bulk.EndsRevoke(ctx, runErr) {
		return runErr
	}

	// The check: every item a removal may have reached is read again, unless the run is over.
	var checks []*revokeCheck
	byItem := map[revokeRef]*revokeCheck{}
	for _, t := range todo {
		if bulk.MayBeGone(t.res) && byItem[t.ref] == nil {
			byItem[t.ref] = &revokeCheck{ref: t.ref}
			checks = append(checks, byItem[t.ref])
		}
	}
	if runErr == nil && len(checks) > 0 {
		steps = make([]bulk.Step, len(checks))
		inputs = make([]string, len(checks))
		for i, ch := range checks {
			steps[i] = &auditStep{index: i, method: http.MethodGet, url: msgraph.ItemActionPath(msgraph.DriveItemPath(ch.ref.driveID, ch.ref.itemID), "permissions")}
			inputs[i] = ch.ref.itemID
		}
		done = 0
		s = &auditSender{c: p.c, steps: steps, pace: pace, batch: batchSize(o.Budget)}
		progress(sharing.AuditProgress{Phase: sharing.PhaseVerify, Total: len(checks)})
		runErr = s.run(ctx, inputs, o.Concurrency, func(r bulk.Result) {
			done++
			progress(sharing.AuditProgress{Phase: sharing.PhaseVerify, Done: done, Total: len(checks)})
			checks[r.Index].take(r)
		})
	}

	for i, t := range todo {
		r := revokeOutcome(t.f, t.res, byItem[t.ref])
		outcomes[at[i]] = &r
	}
	if err := emitAll(); err != nil {
		return err
	}
	return runErr
}

// revokeCheck is one item read again after removals: the links it still lists.
type revokeCheck struct {
	ref   revokeRef
	links []*sharing.Link
	err   *bulk.Error
	read  bool
}

func (ch *revokeCheck) take(r bulk.Result) {
	if r.Err != nil {
		ch.err = r.Err
		return
	}
	var perms []json.RawMessage
	if err := json.Unmarshal(r.Raw, &perms); err != nil {
		ch.err = &bulk.Error{Code: "invalidResponse", Message: "the permissions read again are not a JSON array"}
		return
	}
	for _, raw := range perms {
		l, err := decodePermission(raw)
		if err != nil {
			ch.err = &bulk.Error{Code: "invalidResponse", Message: safetext.Line(err.Error())}
			return
		}
		ch.links = append(ch.links, l)
	}
	ch.read = true
}

// lists reports whether the item still lists the link: the same permission id, and the same URL
// when both say one.
func (ch *revokeCheck) lists(l *sharing.Link) bool {
	for _, q := range ch.links {
		if q.ID == l.ID && (q.URL == "" || l.URL == "" || normLinkURL(q.URL) == normLinkURL(l.URL)) {
			return true
		}
	}
	return false
}

// revokeOutcome settles one link from its removal's result and its item's read afterwards.
func revokeOutcome(f *sharing.Finding, del bulk.Result, ch *revokeCheck) sharing.RevokeResult {
	var rc *bulk.RevokeCheck
	if ch != nil {
		rc = &bulk.RevokeCheck{Read: ch.read, Err: ch.err, Lists: ch.read && ch.lists(f.Link)}
	}
	return bulk.RevokeOutcome("Graph", f, del, rc)
}
