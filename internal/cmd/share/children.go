package share

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/progress"
)

// maxConcurrency bounds --concurrency: Graph throttles a client that lists too much at once.
const maxConcurrency = 16

// ChildrenOptions are the validated inputs of one `share children`.
type ChildrenOptions struct {
	IO       *iostreams.IOStreams
	Graph    func() (*graph.Client, error)
	Printing cmdutil.Printing
	// Progress shows on a terminal that the listing is going on, and what it waits for.
	Progress *progress.Tracker

	Token  string
	Prefer graph.Prefer
	// Top is the $top page-size hint (1..999); 0 sends none and Graph uses its default.
	Top int
	// Recursive lists every descendant, not only the folder's own children.
	Recursive bool
	// Tree draws the folder as a tree (implies Recursive).
	Tree bool
	// Concurrency is how many folders are listed at once when walking.
	Concurrency int
	// MaxPages bounds the pages fetched in all (graph.Client.SetMaxPages).
	MaxPages int
	// MaxDepth bounds how many levels below the shared folder the walk goes; deeper is an error.
	MaxDepth int
	// MaxBacklog bounds the folders found but not yet listed; more is an error.
	MaxBacklog int
}

// Walk bounds: a hostile or broken server can make a tree endless in depth or in width.
const (
	// defaultMaxDepth is deeper than SharePoint's 400-character paths allow for names of three
	// characters or more.
	defaultMaxDepth = 100
	// defaultMaxBacklog is a folder with 100,000 subfolders; a queued folder costs about 200
	// bytes, so the backlog stays within about 20 MB.
	defaultMaxBacklog = 100000
)

func newCmdChildren(f *cmdutil.Factory, runF func(context.Context, *ChildrenOptions) error) *cobra.Command {
	opts := &ChildrenOptions{IO: f.IOStreams, Graph: f.Graph, Progress: f.Progress}
	var redeem redeemFlags
	cmd := &cobra.Command{
		Use:   "children <sharing-url | share-id>",
		Short: "List the items in a shared folder",
		Long: `List the children of a shared folder (GET /shares/{token}/driveItem/children), following
every @odata.nextLink to the end.

Output:
  table         name, kind, size, modified time and id; nothing is printed until the
                listing is complete, so a failure leaves stdout empty.
  -o json       one array holding every page's items as Graph sent them; also printed
                only on success.
  -o ndjson     one compact JSON object per line, written as each page arrives: memory
                stays flat however large the folder. If a later page fails, the lines
                already written stay, the error goes to stderr and the exit status is 1.

--top N asks Graph for pages of N items (1 to 999; Graph's default is 200).

--recursive also lists every subfolder (GET /drives/{driveId}/items/{id}/children, with
the drive id from each folder's parentReference), --concurrency folders at a time, and
prints every descendant. The table then shows each item's path relative to the shared
folder, sorted by path; JSON and ndjson hold Graph's objects unchanged, in the order the
pages arrive. -o json with --recursive is spooled to a temporary file rather than held in
memory, and still printed only on success. On Unix the file is unlinked as soon as it is
created, so even a killed odshare leaves nothing behind; on Windows, where an open file can't
be unlinked, each run removes the spool files killed runs left.

--tree (implies --recursive) draws the folder as a tree for people: each name with its
size, folders ending in "/", children sorted by name.

Bounds, so that a broken or hostile server can't keep odshare listing forever or fill the
memory: the command stops with an error after --max-pages pages in all (default 10000,
about two million items at 200 a page) and never follows an @odata.nextLink longer than
64 KiB; --recursive also fails on a folder more than --max-depth levels below the shared
folder (default 100) and when more than --max-backlog folders (default 100000) are waiting
to be listed. They are safety bounds, not filters: raise them for a tree that really is
that large.`,
		Example: `  $ odshare share children 'https://1drv.ms/f/s!AbCdEf'
  $ odshare share children u!aHR0cHM6Ly8xZHJ2Lm1zL2YvcyFBYkNkRWY --jq '.[] | select(.file) | .name'
  $ odshare share children 'https://1drv.ms/f/s!AbCdEf' -o ndjson --top 999 | wc -l
  $ odshare share children 'https://1drv.ms/f/s!AbCdEf' --recursive --concurrency 8
  $ odshare share children 'https://1drv.ms/f/s!AbCdEf' --tree`,
		Args: cmdutil.ExactArgs(1, "missing sharing URL or share id"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, opts.Prefer, opts.Token, err = shareTarget(f, redeem, args[0]); err != nil {
				return err
			}
			fl := c.Flags()
			if fl.Changed("top") && (opts.Top < 1 || opts.Top > 999) {
				return cmdutil.FlagErrorf("invalid --top %d: give a page size from 1 to 999", opts.Top)
			}
			if opts.Tree {
				if opts.Printing.JSON() {
					return cmdutil.FlagErrorf("--tree draws a tree for people: it can't be combined with -o %s or --jq", opts.Printing.Format)
				}
				opts.Recursive = true
			}
			for _, name := range []string{"concurrency", "max-depth", "max-backlog"} {
				if fl.Changed(name) && !opts.Recursive {
					return cmdutil.FlagErrorf("--%s needs --recursive or --tree", name)
				}
			}
			if opts.Concurrency < 1 || opts.Concurrency > maxConcurrency {
				return cmdutil.FlagErrorf("invalid --concurrency %d: give 1 to %d", opts.Concurrency, maxConcurrency)
			}
			for _, b := range []struct {
				name string
				v    int
			}{{"max-pages", opts.MaxPages}, {"max-depth", opts.MaxDepth}, {"max-backlog", opts.MaxBacklog}} {
				if b.v < 1 {
					return cmdutil.FlagErrorf("invalid --%s %d: give a number of at least 1", b.name, b.v)
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return childrenRun(c.Context(), opts)
		},
	}
	addRedeemFlags(cmd, &redeem)
	f.AddOutputFlags(cmd)
	fl := cmd.Flags()
	fl.IntVar(&opts.Top, "top", 0, "Ask Graph for pages of `N` items (1-999)")
	fl.BoolVarP(&opts.Recursive, "recursive", "r", false, "List every subfolder too")
	fl.BoolVar(&opts.Tree, "tree", false, "Draw the folder as a tree of names and sizes (implies --recursive)")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, fmt.Sprintf("How many folders to list at once with --recursive (1-%d)", maxConcurrency))
	fl.IntVar(&opts.MaxPages, "max-pages", graph.DefaultMaxPages, "Stop with an error after `N` pages in all (each up to --top items, 200 by default)")
	fl.IntVar(&opts.MaxDepth, "max-depth", defaultMaxDepth, "With --recursive: fail on folders more than `N` levels below the shared folder")
	fl.IntVar(&opts.MaxBacklog, "max-backlog", defaultMaxBacklog, "With --recursive: fail when more than `N` folders are waiting to be listed")
	return cmd
}

func childrenRun(ctx context.Context, opts *ChildrenOptions) error {
	client, err := opts.Graph()
	if err != nil {
		return err
	}
	client.SetMaxPages(opts.MaxPages)
	return withPagesHint(listRun(ctx, client, opts))
}

// withPagesHint adds the way out to an error from the page bound.
func withPagesHint(err error) error {
	var pl *graph.PageLimitError
	if errors.As(err, &pl) {
		return fmt.Errorf("%w; raise the bound with --max-pages", err)
	}
	return err
}

func listRun(ctx context.Context, client *graph.Client, opts *ChildrenOptions) error {
	var err error
	if opts.Recursive {
		return walkRun(ctx, client, opts)
	}
	if opts.Printing.Format == output.FormatNDJSON && opts.Printing.JQ == "" {
		// Each page is written and flushed as it arrives, so memory stays flat; a failure
		// part-way leaves the lines already written (documented in the help).
		bw := bufio.NewWriter(opts.IO.Out)
		err := listShareRoot(ctx, client, opts, func(page []json.RawMessage) error {
			for _, it := range page {
				if err := output.WriteNDJSONLine(bw, it); err != nil {
					return err
				}
			}
			return bw.Flush()
		})
		if err != nil {
			return fmt.Errorf("list shared folder: %w", err)
		}
		return nil
	}
	// Nothing is printed until the last page has arrived, so a failure part-way leaves stdout
	// empty rather than holding half a listing; meanwhile a terminal shows the count.
	var items []json.RawMessage
	spinner := opts.spinner()
	err = listShareRoot(ctx, client, opts, func(page []json.RawMessage) error {
		items = append(items, page...)
		spinner.SetLabel("Listing the shared folder: " + plural(len(items), "item"))
		return nil
	})
	spinner.Done()
	if err != nil {
		return fmt.Errorf("list shared folder: %w", err)
	}
	if opts.Printing.JSON() {
		return opts.Printing.Write(opts.IO, output.JoinJSONArray(items))
	}
	t := opts.Printing.Table(opts.IO, itemColumns...)
	if err := addItemRows(t, items); err != nil {
		return err
	}
	return t.Render()
}

// spinner starts the line that shows a listing is under way (see progress.Tracker). None is
// drawn when ndjson streams to a terminal: its lines show the progress, and a spinner would be
// drawn in among them.
func (opts *ChildrenOptions) spinner() *progress.Bar {
	if opts.Printing.Format == output.FormatNDJSON && opts.Printing.JQ == "" && opts.IO.IsStdoutTTY() {
		return nil
	}
	return opts.Progress.Spinner("Listing the shared folder")
}

// listShareRoot lists the shared folder itself; $top is sent only when --top was given.
func listShareRoot(ctx context.Context, client *graph.Client, opts *ChildrenOptions, each func([]json.RawMessage) error) error {
	return client.ListShareChildren(ctx, opts.Token, opts.Prefer, opts.Top, each)
}

// folderJob is one folder to list: the shared folder itself (addr "") or a subfolder by its
// /drives/{driveId}/items/{id} address. Jobs point at their parent, so a queued folder costs
// its own address and name, not a copy of its path or ancestry.
type folderJob struct {
	addr   string
	name   string
	parent *folderJob
	depth  int // 0 for the shared folder
	node   *output.TreeNode
}

// path is the folder's path relative to the shared folder; "" for the shared folder.
func (j *folderJob) path() string {
	var names []string
	for ; j != nil && j.parent != nil; j = j.parent {
		names = append(names, j.name)
	}
	slices.Reverse(names)
	return strings.Join(names, "/")
}

// within reports whether addr is this folder or one it sits in. A shortcut (remoteItem) to one
// of them would make the walk endless; any other folder, shortcut or not, is listed.
func (j *folderJob) within(addr string) bool {
	for ; j != nil; j = j.parent {
		if j.addr == addr {
			return true
		}
	}
	return false
}

// pageSink receives every page of the walk, one call at a time, with the folder's path.
type pageSink func(dir string, raws []json.RawMessage, items []api.DriveItem) error

// walker lists a shared folder and its subfolders with a fixed pool of opts.Concurrency workers
// taking folders from one bounded stack. Memory stays flat: a discovered folder is a small job
// on the stack (at most opts.MaxBacklog of them), never a goroutine, and the walk fails rather
// than grow past opts.MaxDepth levels. Taking the newest folder first (depth first) keeps the
// stack short: it holds the unlisted siblings along one path, not a whole level of the tree.
type walker struct {
	ctx    context.Context
	cancel context.CancelFunc
	client *graph.Client
	opts   *ChildrenOptions
	sink   pageSink

	mu    sync.Mutex // guards everything below, serialises sink calls and tree building
	cond  *sync.Cond
	stack []*folderJob
	busy  int // folders being listed
	err   error
	// what a terminal is shown: items listed, folders begun
	spinner        *progress.Bar
	items, folders int
}

func walkRun(ctx context.Context, client *graph.Client, opts *ChildrenOptions) error {
	var root *output.TreeNode
	if opts.Tree {
		di, _, err := client.ResolveShare(ctx, opts.Token, opts.Prefer)
		if err != nil {
			return fmt.Errorf("get shared folder: %w", err)
		}
		root = &output.TreeNode{Name: di.Name, Size: di.Size, Folder: di.IsFolder()}
	}
	sink, finish, cleanup, err := newWalkSink(opts)
	if err != nil {
		return err
	}
	defer cleanup()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &walker{ctx: ctx, cancel: cancel, client: client, opts: opts, sink: sink, stack: []*folderJob{{node: root}}}
	w.cond = sync.NewCond(&w.mu)
	w.spinner = opts.spinner()
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	var wg sync.WaitGroup
	for range max(opts.Concurrency, 1) {
		wg.Go(w.work)
	}
	wg.Wait()
	w.spinner.Done()
	if w.err != nil {
		return w.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if root != nil {
		return output.WriteTree(opts.IO.Out, root)
	}
	return finish()
}

// newWalkSink picks where the walk's pages go for the output format, and what to do once the
// walk has succeeded.
func newWalkSink(opts *ChildrenOptions) (sink pageSink, finish func() error, cleanup func(), err error) {
	cleanup = func() {}
	pr := opts.Printing
	switch {
	case opts.Tree:
		return func(string, []json.RawMessage, []api.DriveItem) error { return nil }, nil, cleanup, nil

	case pr.Format == output.FormatNDJSON && pr.JQ == "":
		bw := bufio.NewWriter(opts.IO.Out)
		return func(_ string, raws []json.RawMessage, _ []api.DriveItem) error {
			for _, r := range raws {
				if err := output.WriteNDJSONLine(bw, r); err != nil {
					return err
				}
			}
			return bw.Flush()
		}, func() error { return nil }, cleanup, nil

	case pr.JSON() && pr.JQ == "":
		// One array, yet stdout must stay empty on failure: spool to a temporary file, then
		// copy it out once the walk is complete.
		tmp, err := openSpool()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("spool the listing: %w", err)
		}
		cleanup = func() { tmp.Close(); os.Remove(tmp.Name()) }
		bw := bufio.NewWriter(tmp)
		arr := output.NewJSONArrayWriter(bw)
		return func(_ string, raws []json.RawMessage, _ []api.DriveItem) error {
				for _, r := range raws {
					if err := arr.Add(r); err != nil {
						return err
					}
				}
				return nil
			}, func() error {
				if err := arr.Close(); err != nil {
					return err
				}
				if err := bw.Flush(); err != nil {
					return err
				}
				if _, err := tmp.Seek(0, io.SeekStart); err != nil {
					return err
				}
				_, err := io.Copy(opts.IO.Out, tmp)
				return err
			}, cleanup, nil

	case pr.JSON():
		// --jq needs the whole document.
		var all []json.RawMessage
		return func(_ string, raws []json.RawMessage, _ []api.DriveItem) error {
			all = append(all, raws...)
			return nil
		}, func() error { return pr.Write(opts.IO, output.JoinJSONArray(all)) }, cleanup, nil
	}

	type row struct {
		path  string
		cells []string
	}
	var rows []row
	return func(dir string, _ []json.RawMessage, items []api.DriveItem) error {
			for _, it := range items {
				p := joinPath(dir, it.Name)
				rows = append(rows, row{p, append([]string{p}, itemRow(it)[1:]...)})
			}
			return nil
		}, func() error {
			slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.path, b.path) })
			t := opts.Printing.Table(opts.IO, append([]output.Column{{Header: "PATH", Truncate: true}}, itemColumns[1:]...)...)
			for _, r := range rows {
				t.AddRow(r.cells...)
			}
			return t.Render()
		}, cleanup, nil
}

// work lists folders until none is left or the walk has failed.
func (w *walker) work() {
	for {
		job := w.next()
		if job == nil {
			return
		}
		err := w.list(job)
		if err != nil {
			where := "shared folder"
			if p := job.path(); p != "" {
				where = output.Sanitize(p)
			}
			err = fmt.Errorf("list %s: %w", where, err)
		}
		w.done(err)
	}
}

// list lists one folder, handing its pages to w.page. A panic here (in a worker goroutine, out of
// app.Run's reach) becomes the walk's error.
func (w *walker) list(job *folderJob) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &cmdutil.PanicError{Value: r}
		}
	}()
	each := func(page []json.RawMessage) error { return w.page(job, page) }
	if job.addr == "" {
		return listShareRoot(w.ctx, w.client, w.opts, each)
	}
	return w.client.ListChildren(w.ctx, job.addr, w.opts.Top, each)
}

// next takes the newest queued folder, waiting while other workers may still queue some; nil
// means the walk is over (finished, failed or cancelled).
func (w *walker) next() *folderJob {
	w.mu.Lock()
	defer w.mu.Unlock()
	for len(w.stack) == 0 && w.busy > 0 && w.err == nil && w.ctx.Err() == nil {
		w.cond.Wait()
	}
	if len(w.stack) == 0 || w.err != nil || w.ctx.Err() != nil {
		w.cond.Broadcast()
		return nil
	}
	job := w.stack[len(w.stack)-1]
	w.stack[len(w.stack)-1] = nil
	w.stack = w.stack[:len(w.stack)-1]
	w.busy++
	w.folders++
	return job
}

// done ends one folder's listing; the first error stops the walk (later ones are its
// consequences).
func (w *walker) done(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.busy--
	if err != nil && w.err == nil {
		w.err = err
		w.cancel()
	}
	w.cond.Broadcast()
}

// page hands one page to the sink and queues the subfolders on it.
func (w *walker) page(job *folderJob, raws []json.RawMessage) error {
	items := make([]api.DriveItem, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &items[i]); err != nil {
			return fmt.Errorf("decode drive item: %w", err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.ctx.Err()
	}
	if err := w.sink(job.path(), raws, items); err != nil {
		return err
	}
	for _, it := range items {
		var node *output.TreeNode
		if job.node != nil {
			node = &output.TreeNode{Name: it.Name, Size: it.Size, Folder: it.IsFolder()}
			job.node.Children = append(job.node.Children, node)
		}
		if !walkable(it) {
			continue
		}
		addr, err := graph.AddressOf(&it)
		if err != nil {
			return err
		}
		if job.within(addr) {
			continue // a shortcut back into its own ancestry
		}
		sub := &folderJob{addr: addr, name: it.Name, parent: job, depth: job.depth + 1, node: node}
		if sub.depth > w.opts.MaxDepth {
			return fmt.Errorf("%s is %d folders deep, more than --max-depth %d allows (raise it to go deeper)",
				output.Sanitize(sub.path()), sub.depth, w.opts.MaxDepth)
		}
		if len(w.stack) >= w.opts.MaxBacklog {
			return fmt.Errorf("more than %d folders are waiting to be listed, the most --max-backlog allows (raise it for a folder this wide)",
				w.opts.MaxBacklog)
		}
		w.stack = append(w.stack, sub)
	}
	w.items += len(items)
	w.spinner.SetLabel(fmt.Sprintf("Listing the shared folder: %s in %s so far", plural(w.items, "item"), plural(w.folders, "folder")))
	w.cond.Broadcast()
	return nil
}

// walkable reports whether the walk descends into an item: folders only. Packages such as
// OneNote notebooks are one thing to people (notes §5), so they are listed but not opened.
func walkable(it api.DriveItem) bool {
	return it.Folder != nil || (it.RemoteItem != nil && it.RemoteItem.Folder != nil)
}

// plural is "1 item", "2 items".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
