package link

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

// csvRow is one data row of --from-file as written: its line and its cells by column.
type csvRow struct {
	line                       int
	item, email, role, expires string
}

// inviteColumns are the columns --from-file takes, by header name (any case); recipient is another
// name for email.
var inviteColumns = map[string]string{"item": "item", "email": "email", "recipient": "email", "role": "role", "expires": "expires"}

// badRow is a row of --from-file that cannot be sent, and why.
type badRow struct {
	line int
	msg  string
}

// readInviteCSV reads --from-file: CSV with a header row, then one invitation per row. Blank lines
// and lines starting with "#" are skipped; a UTF-8 byte order mark (as spreadsheets write) is
// ignored. A header it cannot use is a usage error; rows it cannot read are returned as bad.
func readInviteCSV(path, name string, ios *iostreams.IOStreams) (rows []csvRow, bad []badRow, err error) {
	r := io.Reader(ios.In)
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, cmdutil.FlagErrorf("--from-file: %v", err)
		}
		defer f.Close()
		r = f
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, cmdutil.FlagErrorf("%s is empty: it needs a header row (item,email,role[,expires]) and one row per invitation", name)
	}
	if err != nil {
		return nil, nil, csvError(name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		c, ok := inviteColumns[h]
		if !ok {
			return nil, nil, cmdutil.FlagErrorf("%s: unknown column %q in the header: the columns are item, email, role and expires", name, output.Sanitize(h))
		}
		if _, dup := col[c]; dup {
			return nil, nil, cmdutil.FlagErrorf("%s: the header names column %s twice", name, c)
		}
		col[c] = i
	}
	for _, c := range []string{"item", "email"} {
		if _, ok := col[c]; !ok {
			return nil, nil, cmdutil.FlagErrorf("%s: the header has no %s column: the columns are item, email, role and expires", name, c)
		}
	}
	cell := func(rec []string, c string) string {
		if i, ok := col[c]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			bad = append(bad, badRow{pe.StartLine, pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, nil, csvError(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) > len(header) { // fewer is fine: the cells left out are empty
			bad = append(bad, badRow{line, fmt.Sprintf("%d cells, but the header has %d columns", len(rec), len(header))})
			continue
		}
		rows = append(rows, csvRow{line: line, item: cell(rec, "item"), email: cell(rec, "email"), role: cell(rec, "role"), expires: cell(rec, "expires")})
	}
	return rows, bad, nil
}

// csvError is a --from-file that cannot be read at all.
func csvError(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return cmdutil.FlagErrorf("%s:%d: %v", name, pe.StartLine, pe.Err)
	}
	return fmt.Errorf("read %s: %w", name, err)
}

// inviteFromFile reads and checks every row of --from-file before anything is sent: any bad row
// is a usage error listing every bad row by line, and nothing is sent.
func inviteFromFile(ctx context.Context, f *cmdutil.Factory, drive cmdutil.DriveFlags, opts *InviteOptions, given []string, runF func(context.Context, *InviteOptions) error) error {
	name := opts.FromFile
	if name == "-" {
		name = "stdin"
	}
	csvRows, bad, err := readInviteCSV(opts.FromFile, name, opts.IO)
	if err != nil {
		return err
	}
	now := time.Now()
	seen := map[string]int{} // item and address -> line
	for _, r := range csvRows {
		row, msg := inviteRow(f, opts.Spec, r, now)
		// A repeat is reported whatever else is wrong with either row.
		key := r.item + "\x00" + strings.ToLower(r.email)
		if first, dup := seen[key]; dup && r.item != "" {
			repeat := fmt.Sprintf("the same item and email as line %d", first)
			if msg == "" {
				msg = repeat
			} else {
				msg += "; and " + repeat
			}
		} else if !dup {
			seen[key] = r.line
		}
		if msg != "" {
			bad = append(bad, badRow{r.line, msg})
			continue
		}
		opts.Rows = append(opts.Rows, row)
	}
	if len(bad) == 0 && len(opts.Rows) == 0 {
		return cmdutil.FlagErrorf("no invitations in %s: after the header, give one row per invitation", name)
	}
	items := make([]*sharing.Item, len(opts.Rows))
	for i := range opts.Rows {
		items[i] = &opts.Rows[i].Item
	}
	if err := f.Locate(drive, items...); err != nil {
		return err
	}
	for _, row := range opts.Rows {
		if err := checkInviteItem(f.Sharing, row.Item, row.Spec, append(given, "recipient")); err != nil {
			bad = append(bad, badRow{row.Line, err.Error()})
		}
	}
	if len(bad) > 0 {
		slices.SortStableFunc(bad, func(a, b badRow) int { return a.line - b.line })
		lines := make([]string, len(bad))
		for i, b := range bad {
			lines[i] = fmt.Sprintf("%s:%d: %s", name, b.line, b.msg)
		}
		rows := "rows are"
		if len(bad) == 1 {
			rows = "row is"
		}
		return cmdutil.FlagErrorf("%d %s invalid, so nothing was sent:\n%s", len(bad), rows, strings.Join(lines, "\n"))
	}
	if runF != nil {
		return runF(ctx, opts)
	}
	return inviteBulkRun(ctx, opts)
}

// inviteRow checks one row and returns its invitation, or why it is bad (one line, safe to print;
// an item with credentials in it is not repeated).
func inviteRow(f *cmdutil.Factory, flags sharing.LinkSpec, r csvRow, now time.Time) (InviteRow, string) {
	if r.item == "" {
		return InviteRow{}, "no item"
	}
	it, err := f.ParseItem(r.item)
	if sharing.IsSensitive(err) {
		return InviteRow{}, err.Error()
	}
	if err != nil {
		return InviteRow{}, fmt.Sprintf("item %q: %v", output.Sanitize(r.item), err)
	}
	if !cmdutil.ValidEmail(r.email) {
		return InviteRow{}, fmt.Sprintf("invalid email %q: give an address such as megan@contoso.com", output.Sanitize(r.email))
	}
	spec := flags
	spec.Recipients = []string{r.email}
	switch role, ok := cmdutil.ParseRole(r.role); {
	case r.role == "" && len(flags.Roles) == 0:
		return InviteRow{}, "no role: give read or write (or --role for the rows without one)"
	case r.role == "":
	case !ok:
		return InviteRow{}, fmt.Sprintf("invalid role %q: use read or write", output.Sanitize(r.role))
	default:
		spec.Roles = []string{role}
	}
	if r.expires != "" {
		if spec.Expires, err = parseExpiryAs("expires", r.expires, now); err != nil {
			return InviteRow{}, output.Sanitize(err.Error())
		}
	}
	return InviteRow{Line: r.line, Item: it, Spec: spec}, ""
}

// inviteResult is one row's line of bulk output: the row as given and what the provider answered,
// its object under the provider's key ("permission" for Graph).
type inviteResult struct {
	Line      int
	Item      string
	Recipient string
	Role      string
	// Status is the HTTP status (200, 207; the failing one; 0 without an answer).
	Status int
	// Result is granted, granted-not-notified or failed.
	Result string
	Raw    json.RawMessage
	// NotifyError says why a recipient granted access was not notified.
	NotifyError *notifyError
	Error       *bulkError

	key string
	id  string
}

type notifyError struct {
	Code      string `json:"code"`
	InnerCode string `json:"innerCode,omitempty"`
	Message   string `json:"message"`
}

// MarshalJSON writes {"line", "item", "recipient", "role", "status", "result", <key>,
// "notifyError", "error"}, the last three only when set.
func (r inviteResult) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.field("line", r.Line)
	o.field("item", r.Item)
	o.field("recipient", r.Recipient)
	o.field("role", r.Role)
	o.field("status", r.Status)
	o.field("result", r.Result)
	if len(r.Raw) > 0 {
		o.field(r.key, r.Raw)
	}
	if r.NotifyError != nil {
		o.field("notifyError", r.NotifyError)
	}
	if r.Error != nil {
		o.field("error", r.Error)
	}
	return o.close()
}

// failed reports a row that granted nothing (or whose outcome is unknown).
func (r inviteResult) failed() bool { return r.Result == string(sharing.GrantFailed) }

// outcomeUnknownInvite replaces the engine's words for an invitation sent without an answer.
const outcomeUnknownInvite = "sent, but no answer came back: the invitation may have been made; run the same command again to settle it (Graph updates a permission that exists; the person may be e-mailed twice)"

// toInviteResult turns the provider's outcome for a row into the printed one.
func toInviteResult(inv bulk.Inviter, row InviteRow, r bulk.Result) inviteResult {
	out := inviteResult{Line: row.Line, Item: row.Item.Input, Recipient: row.Spec.Recipients[0], Role: strings.Join(row.Spec.Roles, ","),
		Status: r.Status, Result: string(sharing.GrantFailed), key: inv.ResultKey()}
	if r.Err != nil {
		msg := r.Err.Message
		if r.Err.Code == bulk.OutcomeUnknown {
			msg = outcomeUnknownInvite
		}
		// On stdout, once per row: redacted where the client read it, and again here.
		out.Error = &bulkError{Code: redact.String(r.Err.Code), Message: redact.String(msg)}
		return out
	}
	g, err := inv.ReadGrant(r, out.Recipient)
	if err != nil {
		out.Raw = r.Raw
		out.Error = &bulkError{Code: "invalidResponse", Message: redact.String(err.Error())}
		return out
	}
	out.Result = string(g.Status)
	if g.Link != nil {
		out.Raw, out.id = g.Link.Raw, g.Link.ID
	}
	switch g.Status {
	case sharing.GrantedNotNotified:
		out.NotifyError = &notifyError{Code: g.Code, InnerCode: g.InnerCode, Message: redact.String(g.Message)}
	case sharing.GrantFailed:
		out.Error = &bulkError{Code: g.Code, Message: redact.String(g.Message)}
	}
	return out
}

// inviteBulkRun sends every row's invitation, each provider's through its bulk engine (Graph: JSON
// batching), and prints one result per row: streamed with -o ndjson, else in file order at the end.
func inviteBulkRun(ctx context.Context, opts *InviteOptions) error {
	var parts []*bulkPart
	inviters := make([]bulk.Inviter, len(opts.Rows))
	byProvider := map[string]*bulkPart{}
	specs := map[*bulkPart][]sharing.LinkSpec{}
	items := map[*bulkPart][]sharing.Item{}
	partInviter := map[*bulkPart]bulk.Inviter{}
	for i, row := range opts.Rows {
		part := byProvider[row.Item.Provider]
		if part == nil {
			p, err := opts.Sharing.Open(row.Item.Provider)
			if err != nil {
				return err
			}
			inv, ok := sharing.As[bulk.Inviter](p)
			if !ok {
				return fmt.Errorf("%s cannot invite many people at once: invite one item at a time", opts.Sharing.Parser(row.Item.Provider).Title())
			}
			part = &bulkPart{}
			byProvider[row.Item.Provider], partInviter[part] = part, inv
			parts = append(parts, part)
		}
		part.indexes = append(part.indexes, i)
		part.inputs = append(part.inputs, row.Item.Input)
		items[part] = append(items[part], row.Item)
		specs[part] = append(specs[part], row.Spec)
		inviters[i] = partInviter[part]
	}
	for _, part := range parts {
		s, err := partInviter[part].InviteSender(items[part], specs[part])
		if err != nil {
			return err
		}
		part.sender = s
	}
	sink := newBulkSink[inviteResult](opts.Printing, opts.IO, len(opts.Rows))
	failed, quiet, unknown, notSent, refusedApp := 0, 0, 0, 0, 0
	bar := opts.Progress.Bar(len(opts.Rows), "Inviting")
	end := runBulk(ctx, parts, bulk.Options{Concurrency: opts.Concurrency}, func(pos int, r bulk.Result) error {
		bar.Increment()
		res := toInviteResult(inviters[pos], opts.Rows[pos], r)
		switch {
		case res.Result == string(sharing.GrantedNotNotified):
			quiet++
		case res.failed():
			failed++
			switch {
			case res.Error.Code == bulk.OutcomeUnknown:
				unknown++
			case notSentCode(res.Error.Code):
				notSent++
			case res.Status == 403:
				refusedApp++
			}
		}
		return sink.add(pos, res)
	})
	bar.Done()
	if err := end.failure(); err != nil {
		return err
	}
	if !sink.stream {
		if err := printInviteResults(opts, sink.Results); err != nil {
			return err
		}
	}
	w := opts.IO.ErrOut
	if end.stopped {
		stopSummary(w, "invitations", len(opts.Rows), failed, notSent, unknown, "run the same command again to finish: invitations already made are updated, not doubled")
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return end.runErr
	}
	if quiet > 0 {
		fmt.Fprintf(w, "odshare: %d of %d recipients were granted access but not notified: tell them another way\n", quiet, len(opts.Rows))
	}
	if failed == 0 {
		return nil
	}
	fmt.Fprintf(w, "odshare: %d of %d invitations failed\n", failed, len(opts.Rows))
	if unknown > 0 {
		fmt.Fprintf(w, "odshare: %d of them were sent without an answer (outcome unknown): run the same command again to settle them\n", unknown)
	}
	if refusedApp > 0 && opts.AppOnly() {
		fmt.Fprintln(w, "odshare: "+appOnlyInviteHint)
	}
	return cmdutil.ErrSilent
}

// printInviteResults prints every row's result in file order: a table, or one JSON array.
func printInviteResults(opts *InviteOptions, results []inviteResult) error {
	if opts.Printing.JSON() {
		return opts.Printing.WriteValue(opts.IO, results)
	}
	t := opts.Printing.Table(opts.IO, output.Column{Header: "ITEM", Truncate: true}, output.Column{Header: "RECIPIENT"},
		output.Column{Header: "ROLE", Drop: 2}, output.Column{Header: "STATUS", Color: output.StatusColor},
		output.Column{Header: "ID", Drop: 3}, output.Column{Header: "NOTE", Drop: 1, Truncate: true})
	for _, r := range results {
		note := ""
		switch {
		case r.NotifyError != nil:
			note = grantNote(sharing.Grant{Status: sharing.GrantedNotNotified, Code: r.NotifyError.Code, InnerCode: r.NotifyError.InnerCode, Message: r.NotifyError.Message})
		case r.Error != nil && r.Error.Code == bulk.OutcomeUnknown:
			note = "outcomeUnknown: sent without an answer: the invitation may exist"
		case r.Error != nil:
			note = r.Error.Code + ": " + r.Error.Message
		}
		t.AddRow(r.Item, r.Recipient, r.Role, r.Result, dash(r.id), dash(note))
	}
	return t.Render()
}
