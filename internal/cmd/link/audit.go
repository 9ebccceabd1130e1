package link

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/progress"
	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/sharing"
)

// AuditOptions are the validated inputs of one `link audit`.
type AuditOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing
	Progress *progress.Tracker

	Item sharing.Item
	// Filter selects the links reported (and revoked).
	Filter AuditFilter
	// Revoke removes what the filter matched; DryRun only says what would go; Yes skips the prompt.
	Revoke, DryRun, Yes bool
	Concurrency         int
	// Budget is --budget: resource units a minute, 0 for none.
	Budget int
}

// AuditFilter is what a link must be to be reported: every condition given holds.
type AuditFilter struct {
	Scopes []string // any of them; never empty
	Types  []string // any of them; empty means any type
	// Expired keeps links whose expiry has passed at Now; Before, when set, links that expire
	// before it (expired ones included).
	Expired bool
	Before  time.Time
	// NoPassword keeps links without a password.
	NoPassword bool
	Now        time.Time
}

// Match reports whether the link passes the filter.
func (f *AuditFilter) Match(l *sharing.Link) bool {
	if !slices.Contains(f.Scopes, l.Scope) || len(f.Types) > 0 && !slices.Contains(f.Types, l.Type) {
		return false
	}
	if f.NoPassword && l.HasPassword {
		return false
	}
	if f.Expired || !f.Before.IsZero() {
		exp, err := time.Parse(time.RFC3339, l.Expires)
		if l.Expires == "" || err != nil || exp.IsZero() {
			return false // never expires (or Graph's expiry can't be read: not known to pass)
		}
		if f.Expired && exp.After(f.Now) || !f.Before.IsZero() && !exp.Before(f.Before) {
			return false
		}
	}
	return true
}

// defaultAuditScopes are the links an audit looks for unless --scope says otherwise: those that
// work for people the owner never named.
var defaultAuditScopes = []string{"anonymous", "organization"}

func newCmdAudit(f *cmdutil.Factory, runF func(context.Context, *AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{IO: f.IOStreams, Sharing: f.Sharing, Progress: f.Progress}
	var (
		drive   cmdutil.DriveFlags
		scopes  []string
		types   []string
		before  string
		expired bool
	)
	cmd := &cobra.Command{
		Use:   "audit <folder-id | /path | / | sharing-url | box:folder>",
		Short: "Find every sharing link under a folder or a whole drive, and revoke them",
		Long: fmt.Sprintf(`Find every sharing link at or below an item: a folder, or the whole drive ("/").

One line per link: the path and id of the item the link is defined on, the permission id, type,
scope, roles, expiry, password yes/no, who it is for, who shared the item and when (the item's
"shared" facet, where Graph gives it: it is about the item's sharing, not always this link), and
the link's URL. A link defined on a folder above the audited item, which exposes it too, is
reported once, at the audited item, as "from above".

By default only links that work for people nobody named are reported: --scope anonymous and
organization. Filters, all of which must hold:
  --scope S          anonymous, organization or users; repeat for several
  --type T           %s; repeat for several
  --expired          links whose expiry has passed
  --expires-before W links that expire before W (a date: its start, local time; an RFC 3339
                     time; or a duration from now such as 30d); expired ones included
  --no-password      links without a password

How: one delta enumeration of the tree (pages of 999, only the properties needed, and on
OneDrive for Business and SharePoint "Prefer: hierarchicalsharing", so only the items where
sharing is set carry the shared facet), then the permissions of those items alone, 20 to a
$batch. Graph cannot return permissions with the items, and business drives list a folder's
link again on every item below it without saying it is inherited: odshare attributes each link
to the highest item that lists it (by permission id and URL). On OneDrive personal every item
below a shared folder carries the facet, so all of them are read.

Cost, in SharePoint's resource units: 1-2 per delta page and 5 per item read; 100,000 items of
which 2,000 are shared cost about 10,100 units (a small tenant has 1,200 a minute). Throttled
requests (429) hold every batch back for their Retry-After; the RateLimit-* headers Graph sends
near the limit (to app-only callers) hold a batch that would go over until the window resets.
--budget N keeps the run to N units a minute for tenants that must leave the rest to others;
without it, a run that Graph does not throttle is never slowed.

What you can see is Graph's to decide: delegated sign-in sees the permissions of items you own
or that apply to you; an audit of other people's drives or of a whole tenant needs app-only
sign-in with Sites.FullControl.All.

-o ndjson streams one link per line as it is found, in path order, so runs can be diffed. JSON
gives {"path", "itemId", "fromAbove", "permission"} per link, Graph's permission unchanged.

Box (box:/path, box:folder:ID, a Box URL): one link per item, sent with the folder listing, so
the audit is one walk of the tree (GET /2.0/folders/{id}/items?fields=name,shared_link, pages of
1,000, --concurrency folders at a time) and no request per item; the audited item and each folder
above it are read once. Box's open, company and collaborators are the scopes anonymous,
organization and users; the table adds Box's effective access (what policy makes of the link) and
vanity URL; JSON gives {"path", "itemId", "fromAbove", "box"} with Box's item unchanged. Box shows
a link only to people who can change it. --revoke sends PUT {"shared_link": null} for each link
and reads the item again. --budget is Graph's only.

--revoke removes the links the filters matched, through $batch, then reads every affected item
again to check each link is gone (Graph has been seen to answer success and remove nothing):
one result line per link, "revoked" only when the read afterwards no longer lists it. On a
terminal it asks first, with the count; elsewhere it needs --yes. --dry-run shows what would go
and sends nothing more. Links from above are not revoked: audit the folder they are on. The exit
status is 1 when an item could not be read, or a link could not be revoked or is still there.`, joinLinkTypes()),
		Example: `  $ odshare link audit /Projects
  $ odshare link audit / --scope anonymous --no-password -o ndjson > anonymous.ndjson
  $ odshare link audit /Shared --expires-before 30d --scope anonymous --scope organization --scope users
  $ odshare link audit /Projects --scope anonymous --revoke --dry-run
  $ odshare link audit /Projects --scope anonymous --revoke --yes --budget 600
  $ odshare link audit box:/Clients --scope anonymous --no-password --revoke --dry-run`,
		Args: cmdutil.ExactArgs(1, cmdutil.MissingItem),
		RunE: func(c *cobra.Command, args []string) error {
			// Everything is settled before a client exists: a usage error never reaches Graph.
			var err error
			if opts.Printing, opts.Item, err = f.ItemTarget(drive, args[0]); err != nil {
				return err
			}
			if err := f.Sharing.CheckVerb(opts.Item, sharing.VerbLinkAudit); err != nil {
				return err
			}
			if err := f.Sharing.CheckFlags(opts.Item, sharing.VerbLinkAudit, cmdutil.Changed(c, "budget")...); err != nil {
				return err
			}
			if opts.Item.IsLink && opts.Item.Kind == sharing.ByShareID {
				return cmdutil.FlagErrorf("give the folder (its path, id or sharing URL) to audit, not a share id")
			}
			opts.Filter.Now = time.Now()
			if len(scopes) == 0 {
				scopes = defaultAuditScopes
			}
			if opts.Filter.Scopes, err = parseEach(scopes, parseScope); err != nil {
				return err
			}
			if opts.Filter.Types, err = parseEach(types, parseLinkType); err != nil {
				return err
			}
			for _, t := range opts.Filter.Types {
				if err := f.Sharing.CheckSpec(opts.Item, sharing.VerbLinkAudit, sharing.LinkSpec{Type: t}); err != nil {
					return err
				}
			}
			opts.Filter.Expired = expired
			if c.Flags().Changed("expires-before") {
				if opts.Filter.Before, err = parseWhen(before, opts.Filter.Now); err != nil {
					return err
				}
			}
			if opts.DryRun && !opts.Revoke {
				return cmdutil.FlagErrorf("--dry-run goes with --revoke")
			}
			if opts.Yes && !opts.Revoke {
				return cmdutil.FlagErrorf("--yes goes with --revoke")
			}
			if opts.Concurrency < 1 || opts.Concurrency > 16 {
				return cmdutil.FlagErrorf("invalid --concurrency %d: use 1 to 16", opts.Concurrency)
			}
			if opts.Budget != 0 && opts.Budget < 5 {
				return cmdutil.FlagErrorf("invalid --budget %d: give at least 5 resource units a minute (one permission read), or 0 for none", opts.Budget)
			}
			if opts.Revoke && !opts.DryRun && !opts.Yes && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("use --yes to revoke without a prompt, or --dry-run to see what would go")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return auditRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVarP(&scopes, "scope", "s", nil, "Report links of this `scope`: "+joinScopes()+"; repeat for several (default anonymous and organization)")
	fl.StringSliceVarP(&types, "type", "t", nil, "Report links of this `type` only: "+joinLinkTypes()+"; repeat for several")
	fl.BoolVar(&expired, "expired", false, "Report only links whose expiry has passed")
	fl.StringVar(&before, "expires-before", "", "Report only links that expire before `WHEN` (a date, an RFC 3339 time or a duration such as 30d)")
	fl.BoolVar(&opts.Filter.NoPassword, "no-password", false, "Report only links without a password")
	fl.BoolVar(&opts.Revoke, "revoke", false, "Remove the links the filters match, then check each is gone")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "With --revoke: show what would be removed and remove nothing")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "With --revoke: remove without asking for confirmation")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, "Batches in flight (1-16; up to twice as many while a throttle shrinks them)")
	fl.IntVar(&opts.Budget, "budget", 0, "Spend at most `N` of Graph's resource units a minute (0: as fast as Graph allows)")
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(sharing.LinkTypes, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(sharing.Scopes, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("expires-before", cobra.FixedCompletions([]string{"7d", "30d", "90d"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// parseEach reads the values of a repeatable flag, each of which may hold several separated by
// commas, once each.
func parseEach(values []string, parse func(string) (string, error)) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, one := range strings.Split(v, ",") {
			x, err := parse(strings.TrimSpace(one))
			if err != nil {
				return nil, err
			}
			if !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
	}
	return out, nil
}

// parseWhen reads --expires-before: an RFC 3339 time, a date (its start, 00:00 local time: "before
// 2026-12-31" leaves that day out), or a duration from now (30d, 2w, 12h). Past times are fine.
func parseWhen(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseInLocation(time.DateOnly, s, now.Location()); err == nil {
		return d, nil
	}
	if d, err := parseDuration(s); err == nil && d > 0 {
		return now.Add(d), nil
	}
	return time.Time{}, cmdutil.FlagErrorf("invalid --expires-before %q: use a date (2026-12-31: its start, local time), an RFC 3339 time (2026-12-31T17:00:00Z) or a duration from now such as 30d, 2w or 12h", output.Sanitize(s))
}

// auditRow is one link found, as printed: the finding and, with --revoke, what became of it.
type auditRow struct {
	f      *sharing.Finding
	key    string // the provider's key for the link's object
	revoke *sharing.RevokeResult
	dry    bool // --dry-run: the result is what would happen
}

// MarshalJSON writes {"path", "itemId", "fromAbove", ["sharedBy", "sharedDateTime",] <key>: the
// provider's object unchanged, ["revoke": {"result", "status", "error"}]}.
func (r auditRow) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.field("path", r.f.Path)
	o.field("itemId", r.f.ItemID)
	o.field("fromAbove", r.f.FromAbove)
	if r.f.SharedBy != "" {
		o.field("sharedBy", r.f.SharedBy)
	}
	if r.f.SharedAt != "" {
		o.field("sharedDateTime", r.f.SharedAt)
	}
	if len(r.f.Link.Raw) > 0 {
		o.field(r.key, r.f.Link.Raw)
	}
	if r.revoke != nil {
		o.field("revoke", revokeJSON(*r.revoke, r.dry))
	}
	return o.close()
}

type revokeJSONShape struct {
	Result string `json:"result"`
	Status int    `json:"status,omitempty"`
	// Message is a note on a link revoked or skipped (why it was skipped; "already gone").
	Message string     `json:"message,omitempty"`
	Error   *bulkError `json:"error,omitempty"`
}

func revokeJSON(r sharing.RevokeResult, dry bool) revokeJSONShape {
	out := revokeJSONShape{Result: r.Outcome, Status: r.Status}
	if dry && r.Outcome != sharing.RevokeSkipped {
		out.Result = "would revoke"
	}
	if r.OK() {
		out.Message = redact.String(r.Message)
	} else {
		out.Error = &bulkError{Code: redact.String(r.Code), Message: redact.String(r.Message)}
	}
	return out
}

// auditColumns are the columns of the findings table. An audit is read for what is shared, how
// and until when: at 80 columns the path (cut last), scope, type, expiry and where the link comes
// from stay, and the URL (never cut, and as long as all of those together) goes before them when
// they would not fit beside it; -o wide or -o json has it. The rest goes, the least telling first.
var auditColumns = []output.Column{
	{Header: "PATH", Truncate: true}, {Header: "ITEM ID", Drop: 9}, {Header: "PERMISSION ID", Drop: 7},
	{Header: "TYPE", Drop: 1}, {Header: "SCOPE", Color: output.ScopeColor}, {Header: "ROLES", Drop: 8},
	{Header: "EXPIRES", Drop: 2}, {Header: "PASSWORD", Drop: 5}, {Header: "RECIPIENTS", Drop: 4, Truncate: true},
	{Header: "CREATED BY", Drop: 10, Truncate: true}, {Header: "CREATED", Drop: 11},
	{Header: "INHERITED", Drop: 3}, {Header: "URL", Drop: 6},
}

func auditCells(f *sharing.Finding) []string {
	l := f.Link
	inherited := "no"
	if f.FromAbove {
		inherited = "from above"
	}
	return []string{f.Path, f.ItemID, l.ID, cmdutil.Dash(l.Type), cmdutil.Dash(l.Scope), cmdutil.Dash(strings.Join(l.Roles, ",")),
		output.HumanTime(l.Expires), cmdutil.YesNo(l.HasPassword), cmdutil.Dash(strings.Join(l.Grantees, ", ")),
		cmdutil.Dash(f.SharedBy), humanTimeOrDash(f.SharedAt), inherited, cmdutil.Dash(l.URL)}
}

func humanTimeOrDash(s string) string {
	if s == "" {
		return "-"
	}
	return output.HumanTime(s)
}

// revokeColumns are the columns of the result of --revoke.
var revokeColumns = []output.Column{
	{Header: "PATH", Truncate: true}, {Header: "PERMISSION ID", Drop: 2}, {Header: "SCOPE", Drop: 1, Color: output.ScopeColor},
	{Header: "RESULT", Color: output.StatusColor}, {Header: "URL OR ERROR"},
}

func revokeCells(r auditRow) []string {
	f, res := r.f, r.revoke
	result, detail := res.Outcome, cmdutil.Dash(f.Link.URL)
	switch {
	case r.dry && res.Outcome != sharing.RevokeSkipped:
		result = "would revoke"
	case res.Outcome == sharing.RevokeSkipped:
		result, detail = "skipped", res.Message
	case res.Outcome == sharing.RevokeFailed && res.Status != 0:
		result = fmt.Sprintf("failed (HTTP %d)", res.Status)
		detail = joinCode(res.Code, res.Message)
	case !res.OK():
		detail = joinCode(res.Code, res.Message)
	}
	return []string{f.Path, f.Link.ID, cmdutil.Dash(f.Link.Scope), result, redact.String(detail)}
}

func joinCode(code, msg string) string {
	switch {
	case code == "":
		return msg
	case msg == "":
		return code
	}
	return code + ": " + msg
}

// oneLinkAuditColumns are the columns of the findings table for a provider whose items have one
// link each, without an id, roles, recipients or creator (Box): its own columns (extra) go before
// the URL, which, as in auditColumns, gives way to the path, scope, type and expiry.
func oneLinkAuditColumns(extra []string) []output.Column {
	cols := []output.Column{{Header: "PATH", Truncate: true}, {Header: "ITEM ID", Drop: 9},
		{Header: "TYPE", Drop: 3}, {Header: "SCOPE", Color: output.ScopeColor},
		{Header: "EXPIRES", Drop: 4}, {Header: "PASSWORD", Drop: 6}, {Header: "INHERITED", Drop: 5}}
	for i, name := range extra {
		cols = append(cols, output.Column{Header: strings.ToUpper(name), Drop: 8 - min(i, 1), Truncate: true})
	}
	return append(cols, output.Column{Header: "URL", Drop: 6})
}

func oneLinkAuditCells(f *sharing.Finding, extra []string) []string {
	l := f.Link
	inherited := "no"
	if f.FromAbove {
		inherited = "from above"
	}
	row := []string{f.Path, f.ItemID, cmdutil.Dash(l.Type), cmdutil.Dash(l.Scope), output.HumanTime(l.Expires), cmdutil.YesNo(l.HasPassword), inherited}
	for _, name := range extra {
		v := ""
		for _, x := range l.Extra {
			if x.Name == name {
				v = x.Value
			}
		}
		row = append(row, cmdutil.Dash(v))
	}
	return append(row, cmdutil.Dash(l.URL))
}

// oneLinkRevokeColumns are revokeColumns without the permission id.
var oneLinkRevokeColumns = []output.Column{revokeColumns[0], revokeColumns[2], revokeColumns[3], revokeColumns[4]}

// auditSink prints rows as the output format asks: streamed as ndjson, spooled into one JSON
// array or a table (stdout stays empty on failure, memory flat), or gathered for --jq. revoke picks
// the table of revoke results rather than that of findings; oneLink the columns of a provider
// whose links have no id (Box), with its extra columns.
type auditSink struct {
	opts    *AuditOptions
	key     string
	revoke  bool
	oneLink bool
	extra   []string
	nd      *output.NDJSONWriter
	spool   *output.SpooledArray
	table   *output.Table
	all     []json.RawMessage
}

func newAuditSink(opts *AuditOptions, key string, revoke, oneLink bool, extra []string) *auditSink {
	s := &auditSink{opts: opts, key: key, revoke: revoke, oneLink: oneLink, extra: extra}
	pr := opts.Printing
	switch {
	case pr.Format == output.FormatNDJSON && pr.JQ == "":
		s.nd = output.NewNDJSONWriter(opts.IO.Out)
	case pr.JSON() && pr.JQ == "":
		s.spool = output.NewSpooledArray()
	case pr.JSON():
	case revoke && oneLink:
		s.table = pr.Table(opts.IO, oneLinkRevokeColumns...)
	case revoke:
		s.table = pr.Table(opts.IO, revokeColumns...)
	case oneLink:
		s.table = pr.Table(opts.IO, oneLinkAuditColumns(extra)...)
	default:
		s.table = pr.Table(opts.IO, auditColumns...)
	}
	return s
}

func (s *auditSink) add(r auditRow) error {
	r.key = s.key
	if s.table != nil {
		switch {
		case s.revoke && s.oneLink:
			cells := revokeCells(r)
			s.table.AddRow(append(cells[:1:1], cells[2:]...)...)
		case s.revoke:
			s.table.AddRow(revokeCells(r)...)
		case s.oneLink:
			s.table.AddRow(oneLinkAuditCells(r.f, s.extra)...)
		default:
			s.table.AddRow(auditCells(r.f)...)
		}
		return nil
	}
	raw, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	switch {
	case s.nd != nil:
		return s.nd.Write(raw)
	case s.spool != nil:
		return s.spool.Add(raw)
	}
	s.all = append(s.all, raw)
	return nil
}

func (s *auditSink) close() {
	if s.spool != nil {
		s.spool.Close()
	}
	if s.table != nil {
		s.table.Close()
	}
}

// finish prints what was gathered.
func (s *auditSink) finish() error {
	switch {
	case s.nd != nil:
		return nil
	case s.spool != nil:
		return s.spool.CopyTo(s.opts.IO.Out)
	case s.table != nil:
		return s.table.Render()
	}
	return s.opts.Printing.Write(s.opts.IO, output.JoinJSONArray(s.all))
}

// streams reports whether rows go out as they come (ndjson), so no progress line is drawn among
// them on a terminal.
func (opts *AuditOptions) streams() bool {
	return opts.Printing.Format == output.FormatNDJSON && opts.Printing.JQ == "" && opts.IO.IsStdoutTTY()
}

// auditProgress draws the run on a terminal: a spinner while the tree is enumerated (items seen,
// candidates, rate), then a bar per phase (candidates read, links revoked, items checked) with
// the rate and the ETA.
type auditProgress struct {
	t     *progress.Tracker
	root  string
	quiet bool
	// withListing is a provider whose links come with the listing (Box): the scan finds them, and
	// there is nothing to read after.
	withListing bool
	mu          sync.Mutex
	phase       string
	spin        *progress.Bar
	bar         *progress.Bar
	done        int
	started     time.Time
}

func (p *auditProgress) on(pr sharing.AuditProgress) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr.Phase != p.phase {
		p.stopLocked()
		p.phase, p.done, p.started = pr.Phase, 0, time.Now()
		switch pr.Phase {
		case sharing.PhaseScan:
			p.spin = p.t.Spinner("Scanning " + p.root)
		case sharing.PhaseRead:
			p.bar = p.t.Bar(pr.Total, "Reading permissions")
		case sharing.PhaseRevoke:
			p.bar = p.t.Bar(pr.Total, "Revoking")
		case sharing.PhaseVerify:
			p.bar = p.t.Bar(pr.Total, "Checking")
		}
	}
	switch pr.Phase {
	case sharing.PhaseScan:
		rate := ""
		if s := time.Since(p.started).Seconds(); s >= 1 {
			rate = fmt.Sprintf(" (%.0f/s)", float64(pr.Scanned)/s)
		}
		if p.withListing {
			p.spin.SetLabel(fmt.Sprintf("Scanning %s: %s%s, %s found", p.root, count(pr.Scanned, "item", "items"), rate, count(pr.Links, "link", "links")))
		} else {
			p.spin.SetLabel(fmt.Sprintf("Scanning %s: %s%s, %d to read", p.root, count(pr.Scanned, "item", "items"), rate, pr.Candidates))
		}
	case sharing.PhaseRead:
		p.bar.SetLabel(fmt.Sprintf("Reading permissions of %d items (%s found)", pr.Total, count(pr.Links, "link", "links")))
		fallthrough
	default:
		for ; p.done < pr.Done; p.done++ {
			p.bar.Increment()
		}
	}
}

func (p *auditProgress) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopLocked()
}

func (p *auditProgress) stopLocked() {
	p.spin.Done()
	p.bar.Done()
	p.spin, p.bar = nil, nil
}

func auditRun(ctx context.Context, opts *AuditOptions) error {
	p, err := opts.Sharing.Open(opts.Item.Provider)
	if err != nil {
		return err
	}
	au, ok := sharing.As[sharing.Auditor](p)
	if !ok {
		return cmdutil.FlagErrorf("%s cannot audit links yet", opts.Sharing.Parser(opts.Item.Provider).Title())
	}
	var extra []string
	if ac, ok := sharing.As[sharing.AuditColumner](p); ok {
		extra = ac.AuditColumns()
	}
	sink := newAuditSink(opts, au.ResultKey(), opts.Revoke, opts.Item.OneLink, extra)
	defer sink.close()
	prog := &auditProgress{t: opts.Progress, root: output.Sanitize(opts.Item.Input), quiet: opts.streams(), withListing: opts.Item.OneLink}
	var mu sync.Mutex // findings and item failures arrive from the provider's workers
	var failures []sharing.ItemFailure
	ao := sharing.AuditOptions{
		Concurrency: opts.Concurrency,
		Budget:      opts.Budget,
		OnProgress:  prog.on,
		OnWait:      func(why string, d time.Duration) { opts.Progress.Waiting(why, d) },
		OnItemError: func(e sharing.ItemFailure) {
			mu.Lock()
			failures = append(failures, e)
			mu.Unlock()
		},
	}
	var matched []*sharing.Finding
	nMatched := 0
	sum, err := au.Audit(ctx, opts.Item, ao, func(f *sharing.Finding) error {
		if !opts.Filter.Match(f.Link) {
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		nMatched++
		if opts.Revoke {
			matched = append(matched, f)
			return nil
		}
		return sink.add(auditRow{f: f})
	})
	prog.stop()
	opts.Progress.Stop()
	if err != nil {
		return cmdutil.ItemError("audit", opts.Item, err)
	}
	for _, e := range failures {
		fmt.Fprintf(opts.IO.ErrOut, "odshare: could not read the links of %s: %s\n", output.Sanitize(e.Path), output.Sanitize(joinCode(e.Code, e.Message)))
	}
	read := ""
	if sum.Candidates > 0 {
		read = fmt.Sprintf(" %d read,", sum.Candidates) // Box reads no item on its own: links come with the listing
	}
	summary := fmt.Sprintf("%s scanned,%s %s found, %d matching the filters",
		count(sum.Scanned, "item", "items"), read, count(sum.Links, "link", "links"), nMatched)
	switch {
	case sum.Resyncs == 1:
		summary += " (the enumeration started over once: Graph's delta token expired)"
	case sum.Resyncs > 1:
		summary += fmt.Sprintf(" (the enumeration started over %d times: Graph's delta token expired)", sum.Resyncs)
	}
	if !opts.Revoke {
		if err := sink.finish(); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "%s.\n", capitalize(summary))
		if len(failures) > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "odshare: %s could not be read: the audit is incomplete\n", count(len(failures), "item", "items"))
			return cmdutil.ErrSilent
		}
		return nil
	}
	return revokeRun(ctx, opts, au, ao, sink, matched, summary, failures, prog)
}

func revokeRun(ctx context.Context, opts *AuditOptions, au sharing.Auditor, ao sharing.AuditOptions, sink *auditSink,
	matched []*sharing.Finding, summary string, failures []sharing.ItemFailure, prog *auditProgress) error {
	fmt.Fprintf(opts.IO.ErrOut, "%s.\n", capitalize(summary))
	incomplete := func() {
		if len(failures) > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "odshare: %s could not be read, so links there were not seen\n", count(len(failures), "item", "items"))
		}
	}
	revocable := 0
	byScope := map[string]int{}
	for _, f := range matched {
		if !f.FromAbove {
			revocable++
			byScope[f.Link.Scope]++
		}
	}
	if opts.DryRun {
		for _, f := range matched {
			res := sharing.RevokeResult{Finding: f, Outcome: sharing.RevokeRevoked}
			if f.FromAbove {
				res = sharing.RevokeResult{Finding: f, Outcome: sharing.RevokeSkipped, Message: sharing.SkippedFromAbove}
			}
			if err := sink.add(auditRow{f: f, revoke: &res, dry: true}); err != nil {
				return err
			}
		}
		if err := sink.finish(); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "Dry run: %s would be revoked; nothing was changed.\n", count(revocable, "link", "links"))
		incomplete()
		if len(failures) > 0 {
			return cmdutil.ErrSilent
		}
		return nil
	}
	if revocable == 0 {
		if err := writeSkipped(sink, matched); err != nil {
			return err
		}
		fmt.Fprintln(opts.IO.ErrOut, "No links to revoke.")
		incomplete()
		if len(failures) > 0 {
			return cmdutil.ErrSilent
		}
		return nil
	}
	if !opts.Yes {
		var parts []string
		for _, sc := range sharing.Scopes {
			if n := byScope[sc]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, sc))
			}
		}
		q := fmt.Sprintf("Revoke %s (%s) found under %s? [y/N] ", count(revocable, "link", "links"), strings.Join(parts, ", "), output.Sanitize(opts.Item.Input))
		ok, err := confirm(opts.IO, q)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(opts.IO.ErrOut, "Nothing revoked.")
			return cmdutil.ErrSilent
		}
	}
	var mu sync.Mutex
	bad := 0
	err := au.Revoke(ctx, matched, ao, func(r sharing.RevokeResult) error {
		mu.Lock()
		defer mu.Unlock()
		if !r.OK() {
			bad++
		}
		return sink.add(auditRow{f: r.Finding, revoke: &r})
	})
	prog.stop()
	opts.Progress.Stop()
	if werr := sink.finish(); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	incomplete()
	if bad > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "odshare: %d of %s not revoked or still present\n", bad, count(revocable, "link", "links"))
		return cmdutil.ErrSilent
	}
	if len(failures) > 0 {
		return cmdutil.ErrSilent
	}
	return nil
}

// writeSkipped reports links from above as skipped, when nothing else is to be revoked.
func writeSkipped(sink *auditSink, matched []*sharing.Finding) error {
	for _, f := range matched {
		res := sharing.RevokeResult{Finding: f, Outcome: sharing.RevokeSkipped, Message: sharing.SkippedFromAbove}
		if err := sink.add(auditRow{f: f, revoke: &res}); err != nil {
			return err
		}
	}
	return sink.finish()
}

// count is "1 link", "2 links".
func count(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
