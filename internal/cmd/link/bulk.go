package link

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/progress"
)

// readItems reads --from-file: one item per line, blank lines and "#" comments skipped.
func readItems(name string, ios *iostreams.IOStreams) ([]string, error) {
	var r io.Reader = ios.In
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

// bulkResult is one line of bulk output: the item as given and what Graph answered.
type bulkResult struct {
	Item       string          `json:"item"`
	Status     int             `json:"status"`
	Permission json.RawMessage `json:"permission,omitempty"`
	Error      *bulkError      `json:"error,omitempty"`
}

type bulkError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func toBulkResult(r graph.BulkResult) bulkResult {
	out := bulkResult{Item: r.Input, Status: r.Status, Permission: r.Permission}
	if r.Err != nil {
		out.Error = &bulkError{Code: r.Err.Code, Message: r.Err.Message}
	}
	return out
}

// bulkRun shares many items through Graph JSON batching. Results stream as they complete with
// -o ndjson; otherwise they are printed in input order once all are done.
func bulkRun(ctx context.Context, opts *CreateOptions) error {
	client, err := opts.Graph()
	if err != nil {
		return err
	}
	stream := opts.Printing.Format == output.FormatNDJSON && opts.Printing.JQ == ""
	results := make([]*graph.BulkResult, len(opts.Bulk))
	failed := 0
	bar := progress.Start(opts.IO, len(opts.Bulk), "Sharing")
	var writeErr error
	out := bufio.NewWriter(opts.IO.Out)
	err = client.CreateLinks(ctx, opts.Drive, opts.Bulk, opts.Request, graph.BulkOptions{
		Concurrency: opts.Concurrency,
		OnResult: func(r graph.BulkResult) {
			bar.Increment()
			if r.Err != nil {
				failed++
			}
			if !stream {
				results[r.Index] = &r
				return
			}
			line, err := output.MarshalJSON(toBulkResult(r))
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
	if err != nil && ctx.Err() == nil {
		return err
	}
	if writeErr != nil {
		return writeErr
	}
	if !stream {
		if err := printBulk(opts, results); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if failed > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "odshare: %d of %d items failed\n", failed, len(opts.Bulk))
		return cmdutil.ErrSilent
	}
	return nil
}

func printBulk(opts *CreateOptions, results []*graph.BulkResult) error {
	if opts.Printing.JSON() {
		all := make([]bulkResult, 0, len(results))
		for _, r := range results {
			all = append(all, toBulkResult(*r))
		}
		return opts.Printing.WriteValue(opts.IO, all)
	}
	t := output.NewTable(opts.IO, "ITEM", "STATUS", "URL OR ERROR")
	for _, r := range results {
		switch {
		case r.Err != nil:
			t.AddRow(r.Input, "error", r.Err.Code+": "+r.Err.Message)
		default:
			var p struct {
				Link struct {
					WebURL string `json:"webUrl"`
				} `json:"link"`
			}
			_ = json.Unmarshal(r.Permission, &p)
			status := "existing"
			if r.Created {
				status = "created"
			}
			t.AddRow(r.Input, status, p.Link.WebURL)
		}
	}
	return t.Render()
}
