package link

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
	"github.com/odshare/odshare/internal/redact"
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

// bulkResult is one line of bulk output: the item as given and what Graph answered. An existing
// link that lacks what was asked carries both its permission and the error saying so.
type bulkResult struct {
	Item       string          `json:"item"`
	Status     int             `json:"status"`
	Permission json.RawMessage `json:"permission,omitempty"`
	Error      *bulkError      `json:"error,omitempty"`

	created bool
	differs string // for the table: what an existing link lacks
}

type bulkError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// outcomeUnknown reports an item whose createLink was sent but never answered.
func (r bulkResult) outcomeUnknown() bool {
	return r.Error != nil && r.Error.Code == graph.BulkOutcomeUnknown
}

// notSent reports an item whose createLink was never sent (or every send was refused) because the
// run stopped.
func (r bulkResult) notSent() bool {
	return r.Error != nil && (r.Error.Code == graph.BulkCancelled || r.Error.Code == graph.BulkStalled || r.Error.Code == "unauthenticated")
}

// codeExistingLinkDiffers is odshare's error code for an existing link returned without the
// password, expiry or recipients asked for.
const codeExistingLinkDiffers = "existingLinkDiffers"

// toBulkResult turns Graph's outcome into the printed one, holding an existing link that lacks
// what was asked against the item unless --allow-existing.
func toBulkResult(opts *CreateOptions, r graph.BulkResult) bulkResult {
	out := bulkResult{Item: r.Input, Status: r.Status, Permission: r.Permission, created: r.Created}
	if r.Err != nil {
		// On stdout, once per item: Graph's text is redacted where the client read it, and again
		// here for text from anywhere else.
		out.Error = &bulkError{Code: redact.String(r.Err.Code), Message: redact.String(r.Err.Message)}
		return out
	}
	if r.Created || opts.AllowExisting {
		return out
	}
	l, err := graphprovider.ReadLink(r.Permission)
	if err != nil {
		out.Error = &bulkError{Code: "invalidResponse", Message: err.Error()}
		return out
	}
	if diffs := graphprovider.Differences(opts.Request, l); len(diffs) > 0 {
		e := newExistingLinkError(r.Input, opts.ExpiresArg, l, diffs)
		out.differs = "existing link without the " + strings.Join(lacking(diffs), ", ") + " asked for"
		out.Error = &bulkError{Code: codeExistingLinkDiffers, Message: e.Summary() + ". " + e.Hint()}
	}
	return out
}

// rerunAdvice says how to run the command again so that a link an unanswered request made is
// reported as existing: the same command, unless --expires counts from now; then a rerun would ask
// a later expiry and hold the link as differing, so it names the time this run asked.
func rerunAdvice(opts *CreateOptions) string {
	if opts.ExpiresArg != "" && relativeExpiry(opts.ExpiresArg) {
		return fmt.Sprintf("run the same command again with --expires %s in place of %s", opts.Request.Expires, shellQuote(opts.ExpiresArg))
	}
	return "run the same command again"
}

// bulkRun shares many items through Graph JSON batching. Results stream as they complete with
// -o ndjson; otherwise they are printed in input order once all are done.
func bulkRun(ctx context.Context, opts *CreateOptions) error {
	p, err := opts.Sharing.Open(graphprovider.Name)
	if err != nil {
		return err
	}
	client := p.(*graphprovider.Provider).Client()
	items := make([]graph.BulkItem, len(opts.Bulk))
	for i, it := range opts.Bulk {
		items[i] = graph.BulkItem{Input: it.Input, Ref: graphprovider.Ref(it)}
	}
	stream := opts.Printing.Format == output.FormatNDJSON && opts.Printing.JQ == ""
	results := make([]bulkResult, len(opts.Bulk))
	failed, differs, unknown, notSent := 0, 0, 0, 0
	bar := opts.Progress.Bar(len(opts.Bulk), "Sharing")
	var writeErr error
	out := bufio.NewWriter(opts.IO.Out)
	err = client.CreateLinks(ctx, graphprovider.Drive(opts.Bulk[0]), items, graphprovider.CreateRequest(opts.Request), graph.BulkOptions{
		Concurrency: opts.Concurrency,
		Rerun:       rerunAdvice(opts),
		OnResult: func(r graph.BulkResult) {
			defer func() { // a worker goroutine, out of app.Run's reach
				if p := recover(); p != nil && writeErr == nil {
					writeErr = &cmdutil.PanicError{Value: p}
				}
			}()
			bar.Increment()
			res := toBulkResult(opts, r)
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
			if !stream {
				results[r.Index] = res
				return
			}
			line, err := output.MarshalJSON(res)
			if err == nil {
				err = output.WriteNDJSONLine(out, line)
			}
			if err == nil {
				err = out.Flush()
			}
			if err != nil && writeErr == nil {
				writeErr = err
			}
		},
	})
	bar.Done()
	var stalled *graph.BulkStalledError
	stopped := ctx.Err() != nil || errors.As(err, &stalled) // the run ended early, results for all
	if err != nil && !stopped {
		return err
	}
	if writeErr != nil {
		return writeErr
	}
	if !stream {
		// On a terminal, the items a stopped run never sent are summed up below, not listed.
		if err := printBulk(opts, results, stopped && !opts.Printing.JSON() && opts.IO.IsStdoutTTY()); err != nil {
			return err
		}
	}
	if stopped {
		done := len(opts.Bulk) - failed
		fmt.Fprintf(opts.IO.ErrOut, "odshare: %d of %d items done, %d not sent", done, len(opts.Bulk), notSent)
		if unknown > 0 {
			fmt.Fprintf(opts.IO.ErrOut, ", %d sent without an answer (outcome unknown)", unknown)
		}
		if other := failed - notSent - unknown; other > 0 {
			fmt.Fprintf(opts.IO.ErrOut, ", %d failed", other)
		}
		fmt.Fprintf(opts.IO.ErrOut, "; %s to finish: links already made are reported as existing\n", rerunAdvice(opts))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
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
		var p struct {
			Link struct {
				WebURL string `json:"webUrl"`
			} `json:"link"`
		}
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
			_ = json.Unmarshal(r.Permission, &p)
			status := "existing"
			if r.created {
				status = "created"
			}
			t.AddRow(r.Item, status, p.Link.WebURL)
		}
	}
	return t.Render()
}
