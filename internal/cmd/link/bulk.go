package link

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

// readItems reads --from-file: one item per line, blank lines and "#" comments skipped.
func readItems(name string, ios *iostreams.IOStreams) ([]string, error) {
	r := io.Reader(ios.In)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, cmdutil.FlagErrorf("--from-file: %v", err)
		}
		defer f.Close()
		r = f
	}
	var items []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		items = append(items, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return items, nil
}

// bulkResult is one line of bulk output: the item as given and what the provider answered, its
// object under the provider's key ("permission" for Graph). An existing link that lacks what was
// asked carries both its object and the error saying so.
type bulkResult struct {
	Item   string
	Status int
	Raw    json.RawMessage
	Error  *bulkError

	key     string // the provider's key for Raw
	url     string // for the table: the link's URL
	created bool
	differs string // for the table: what an existing link lacks
}

// MarshalJSON writes {"item", "status", <key>, "result", "error"}, the last three only when set.
func (r bulkResult) MarshalJSON() ([]byte, error) {
	var o jsonObject
	o.field("item", r.Item)
	o.field("status", r.Status)
	if len(r.Raw) > 0 {
		o.field(r.key, r.Raw)
	}
	if word := r.word(); word != "" {
		o.field("result", word)
	}
	if r.Error != nil {
		o.field("error", r.Error)
	}
	return o.close()
}

// jsonObject writes one JSON object field by field, in order: odshare's values marshalled as
// output does (nothing re-escaped), a provider's json.RawMessage as it is.
type jsonObject struct {
	b   bytes.Buffer
	err error
}

func (o *jsonObject) field(name string, v any) {
	if o.err != nil {
		return
	}
	if o.b.Len() == 0 {
		o.b.WriteByte('{')
	} else {
		o.b.WriteByte(',')
	}
	k, err := output.MarshalJSON(name)
	if err != nil {
		o.err = err
		return
	}
	o.b.Write(k)
	o.b.WriteByte(':')
	val, ok := v.(json.RawMessage)
	if !ok {
		if val, err = output.MarshalJSON(v); err != nil {
			o.err = err
			return
		}
	}
	o.b.Write(val)
}

// close ends the object and returns it.
func (o *jsonObject) close() ([]byte, error) {
	if o.err != nil {
		return nil, o.err
	}
	if o.b.Len() == 0 {
		o.b.WriteByte('{')
	}
	o.b.WriteByte('}')
	return o.b.Bytes(), nil
}

// word is what became of the item's link, as the table's STATUS says it: created, existing, or
// differs (an existing link without what was asked); "" for an item that failed otherwise. The
// HTTP status alone can't tell: Box answers 200 to a PUT that makes a link.
func (r bulkResult) word() string {
	switch {
	case r.differs != "":
		return string(sharing.StatusDiffers)
	case r.Error != nil || len(r.Raw) == 0:
		return ""
	case r.created:
		return string(sharing.StatusCreated)
	}
	return string(sharing.StatusExisting)
}

type bulkError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// outcomeUnknown reports an item whose link-making request was sent but never answered.
func (r bulkResult) outcomeUnknown() bool {
	return r.Error != nil && r.Error.Code == bulk.OutcomeUnknown
}

// notSent reports an item whose request was never sent (or every send was refused) because the
// run stopped.
func (r bulkResult) notSent() bool { return r.Error != nil && notSentCode(r.Error.Code) }

// notSentCode reports the engine's codes for an item it never sent because the run stopped.
func notSentCode(code string) bool {
	return code == bulk.Cancelled || code == bulk.Stalled || code == bulk.Unauthenticated
}

// codeExistingLinkDiffers is odshare's error code for an existing link returned without the
// password, expiry or recipients asked for.
const codeExistingLinkDiffers = "existingLinkDiffers"

// toBulkResult turns the provider's outcome into the printed one, holding an existing link that
// lacks what was asked against the item unless --allow-existing.
func toBulkResult(opts *CreateOptions, ln bulk.Linker, it sharing.Item, r bulk.Result) bulkResult {
	out := bulkResult{Item: r.Input, Status: r.Status, Raw: r.Raw, key: ln.ResultKey(), created: r.Created}
	if r.Err != nil {
		// On stdout, once per item: the provider's text is redacted where the client read it, and
		// again here for text from anywhere else.
		out.Error = &bulkError{Code: redact.String(r.Err.Code), Message: redact.String(r.Err.Message)}
		return out
	}
	l, diffs, err := ln.ReadLink(r.Raw, opts.Request)
	if err == nil {
		out.url = l.URL
	}
	if r.Created || opts.AllowExisting {
		return out
	}
	if err != nil {
		out.Error = &bulkError{Code: "invalidResponse", Message: err.Error()}
		return out
	}
	if len(diffs) > 0 {
		e := newExistingLinkError(r.Input, opts.Sharing.Parser(it.Provider).Service(), opts.Args,
			&sharing.LinkResult{Link: l, Status: sharing.StatusExisting, Differences: diffs}, it.OneLink)
		out.differs = "existing link without the " + strings.Join(lacking(diffs), ", ") + " asked for"
		out.Error = &bulkError{Code: codeExistingLinkDiffers, Message: e.Summary() + ". " + e.Hint()}
	}
	return out
}

// rerunAdvice says how to run the command again so that a link an unanswered request made is
// reported as existing: the same command, unless --expires counts from now; then a rerun would ask
// a later expiry and hold the link as differing, so it names the time this run asked.
func rerunAdvice(opts *CreateOptions) string {
	if opts.Args.expires != "" && relativeExpiry(opts.Args.expires) {
		return fmt.Sprintf("run the same command again with --expires %s in place of %s", opts.Request.Expires, shellQuote(opts.Args.expires))
	}
	return "run the same command again"
}

// bulkGroup is the items of one provider in a bulk run.
type bulkGroup struct {
	linker  bulk.Linker
	sender  bulk.Sender
	indexes []int // each item's position among all the items
}

// bulkGroups opens the provider of every item and prepares its part of the run.
func bulkGroups(opts *CreateOptions) ([]*bulkGroup, error) {
	var groups []*bulkGroup
	byProvider := map[string]*bulkGroup{}
	items := map[*bulkGroup][]sharing.Item{}
	for i, it := range opts.Bulk {
		g := byProvider[it.Provider]
		if g == nil {
			p, err := opts.Sharing.Open(it.Provider)
			if err != nil {
				return nil, err
			}
			ln, ok := sharing.As[bulk.Linker](p)
			if !ok {
				return nil, cmdutil.FlagErrorf("%s cannot share several items at once: give one item", opts.Sharing.Parser(it.Provider).Title())
			}
			g = &bulkGroup{linker: ln}
			byProvider[it.Provider] = g
			groups = append(groups, g)
		}
		g.indexes = append(g.indexes, i)
		items[g] = append(items[g], it)
	}
	for _, g := range groups {
		s, err := g.linker.LinkSender(items[g], opts.Request)
		if err != nil {
			return nil, err
		}
		g.sender = s
	}
	return groups, nil
}

// bulkPart is one provider's share of a bulk run: its sender, its inputs and their positions among
// all the run's inputs.
type bulkPart struct {
	sender  bulk.Sender
	inputs  []string
	indexes []int
}

// bulkOutcome is how a bulk run ended: stopped early (interrupted, or the provider stalled), the
// first error an engine returned, and the first error writing a result.
type bulkOutcome struct {
	stopped          bool
	runErr, writeErr error
}

// failure is the error that ends a command before its results are printed: an engine's error in a
// run that was not stopped early, or a write error.
func (o bulkOutcome) failure() error {
	if o.runErr != nil && !o.stopped {
		return o.runErr
	}
	return o.writeErr
}

// bulkSink takes a bulk run's printed results: streamed as they complete with -o ndjson (and no
// --jq), else kept in input order for the end (Results).
type bulkSink[T any] struct {
	stream  bool
	out     *output.NDJSONWriter
	Results []T
}

func newBulkSink[T any](pr cmdutil.Printing, ios *iostreams.IOStreams, n int) *bulkSink[T] {
	s := &bulkSink[T]{stream: pr.Format == output.FormatNDJSON && pr.JQ == "", out: output.NewNDJSONWriter(ios.Out)}
	if !s.stream {
		s.Results = make([]T, n)
	}
	return s
}

// add takes the result at position pos.
func (s *bulkSink[T]) add(pos int, v T) error {
	if s.stream {
		return s.out.WriteValue(v)
	}
	s.Results[pos] = v
	return nil
}

// runBulk runs every part through the bulk engine at once, handing each result to onResult with its
// position among all inputs. onResult calls are serialized; an error or a panic in one is kept
// (the first) and ends no run, so every result is still counted.
func runBulk(ctx context.Context, parts []*bulkPart, o bulk.Options, onResult func(pos int, r bulk.Result) error) bulkOutcome {
	var out bulkOutcome
	var mu sync.Mutex // the parts' engines report concurrently
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for pi, part := range parts {
		po := o
		po.OnResult = func(r bulk.Result) {
			mu.Lock()
			defer mu.Unlock()
			defer func() { // a worker goroutine, out of app.Run's reach
				if p := recover(); p != nil && out.writeErr == nil {
					out.writeErr = &cmdutil.PanicError{Value: p}
				}
			}()
			if err := onResult(part.indexes[r.Index], r); err != nil && out.writeErr == nil {
				out.writeErr = err
			}
		}
		wg.Go(func() { errs[pi] = bulk.Run(ctx, part.sender, part.inputs, po) })
	}
	wg.Wait()
	out.stopped = ctx.Err() != nil
	for _, e := range errs {
		var stalled *bulk.StalledError
		if errors.As(e, &stalled) {
			out.stopped = true // the run ended early, results for all
		}
		if e != nil && out.runErr == nil {
			out.runErr = e
		}
	}
	return out
}

// stopSummary is the line a stopped run ends with on stderr: what was done, and how to finish.
func stopSummary(w io.Writer, noun string, total, failed, notSent, unknown int, finish string) {
	fmt.Fprintf(w, "odshare: %d of %d %s done, %d not sent", total-failed, total, noun, notSent)
	if unknown > 0 {
		fmt.Fprintf(w, ", %d sent without an answer (outcome unknown)", unknown)
	}
	if other := failed - notSent - unknown; other > 0 {
		fmt.Fprintf(w, ", %d failed", other)
	}
	fmt.Fprintf(w, "; %s\n", finish)
}

// bulkRun shares many items, each provider's through its bulk engine (Graph: JSON batching).
// Results stream as they complete with -o ndjson; otherwise they are printed in input order once
// all are done.
func bulkRun(ctx context.Context, opts *CreateOptions) error {
	groups, err := bulkGroups(opts)
	if err != nil {
		return err
	}
	sink := newBulkSink[bulkResult](opts.Printing, opts.IO, len(opts.Bulk))
	failed, differs, unknown, notSent := 0, 0, 0, 0
	bar := opts.Progress.Bar(len(opts.Bulk), "Sharing")
	parts := make([]*bulkPart, len(groups))
	linkers := make([]bulk.Linker, len(opts.Bulk))
	for gi, g := range groups {
		parts[gi] = &bulkPart{sender: g.sender, indexes: g.indexes}
		for _, idx := range g.indexes {
			parts[gi].inputs = append(parts[gi].inputs, opts.Bulk[idx].Input)
			linkers[idx] = g.linker
		}
	}
	end := runBulk(ctx, parts, bulk.Options{Concurrency: opts.Concurrency, Rerun: rerunAdvice(opts)}, func(pos int, r bulk.Result) error {
		bar.Increment()
		res := toBulkResult(opts, linkers[pos], opts.Bulk[pos], r)
		if res.Error != nil {
			failed++
		}
		if res.differs != "" {
			differs++
		}
		switch {
		case res.outcomeUnknown():
			unknown++
		case res.notSent():
			notSent++
		}
		return sink.add(pos, res)
	})
	bar.Done()
	if err := end.failure(); err != nil {
		return err
	}
	if !sink.stream {
		// On a terminal, the items a stopped run never sent are summed up below, not listed.
		if err := printBulk(opts, sink.Results, end.stopped && !opts.Printing.JSON() && opts.IO.IsStdoutTTY()); err != nil {
			return err
		}
	}
	if end.stopped {
		stopSummary(opts.IO.ErrOut, "items", len(opts.Bulk), failed, notSent, unknown, rerunAdvice(opts)+" to finish: links already made are reported as existing")
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return end.runErr
	}
	if failed > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "odshare: %d of %d items failed\n", failed, len(opts.Bulk))
		if unknown > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "odshare: %d of them were sent without an answer (outcome unknown): %s; a link that was made is then reported as existing\n", unknown, rerunAdvice(opts))
		}
		if differs > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "odshare: %d of them already had a link without what was asked: change it with `odshare link update`, or delete it and run again; --allow-existing accepts such links\n", differs)
		}
		return cmdutil.ErrSilent
	}
	return nil
}

// printBulk prints every item's result, in input order; with skipNotSent, those of items never sent
// are left out (the caller sums them up).
func printBulk(opts *CreateOptions, results []bulkResult, skipNotSent bool) error {
	if opts.Printing.JSON() {
		return opts.Printing.WriteValue(opts.IO, results)
	}
	t := opts.Printing.Table(opts.IO, output.Column{Header: "ITEM"},
		output.Column{Header: "STATUS", Color: output.StatusColor}, output.Column{Header: "URL OR ERROR"})
	for _, r := range results {
		switch {
		case skipNotSent && r.notSent():
		case r.differs != "":
			t.AddRow(r.Item, "differs", r.differs)
		case r.outcomeUnknown():
			// The hint is in the summary line: the row says only what is known.
			t.AddRow(r.Item, "unknown", "sent without an answer: the link may exist")
		case r.notSent():
			t.AddRow(r.Item, "not sent", r.Error.Message)
		case r.Error != nil:
			t.AddRow(r.Item, "error", r.Error.Code+": "+r.Error.Message)
		default:
			status := string(sharing.StatusExisting)
			if r.created {
				status = string(sharing.StatusCreated)
			}
			t.AddRow(r.Item, status, r.url)
		}
	}
	return t.Render()
}
