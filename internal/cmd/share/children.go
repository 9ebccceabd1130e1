package share

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/progress"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/walk"
)

// maxConcurrency bounds --concurrency: Graph throttles a client that lists too much at once.
const maxConcurrency = 16

// ChildrenOptions are the validated inputs of one `share children`.
type ChildrenOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing
	// Progress shows on a terminal that the listing is going on, and what it waits for.
	Progress *progress.Tracker

	Share  sharing.Item
	Redeem sharing.Redeem
	// Password is the shared link's password from --password-stdin; "" leaves it to
	// ODSHARE_SHARE_PASSWORD.
	Password string
	// Top is the $top page-size hint (1..999); 0 sends none and Graph uses its default.
	Top int
	// Recursive lists every descendant, not only the folder's own children.
	Recursive bool
	// Tree draws the folder as a tree (implies Recursive).
	Tree bool
	// Concurrency is how many folders are listed at once when walking.
	Concurrency int
	// MaxPages bounds the pages fetched in all (sharing.Provider.SetMaxPages).
	MaxPages int
	// MaxDepth bounds how many levels below the shared folder the walk goes; deeper is an error.
	MaxDepth int
	// MaxBacklog bounds the folders found but not yet listed; more is an error.
	MaxBacklog int
}

// Walk bounds: a hostile or broken server can make a tree endless in depth or in width.
const (
	// DefaultMaxPages ends an endless listing within a minute even on loopback, and is about two
	// million items at Graph's default page size of 200 (Graph's own bound, graph.DefaultMaxPages).
	DefaultMaxPages = 10000
	// defaultMaxDepth is deeper than SharePoint's 400-character paths allow for names of three
	// characters or more.
	defaultMaxDepth = 100
	// defaultMaxBacklog is a folder with 100,000 subfolders; a queued folder costs about 200
	// bytes, so the backlog stays within about 20 MB.
	defaultMaxBacklog = 100000
)

func newCmdChildren(f *cmdutil.Factory, runF func(context.Context, *ChildrenOptions) error) *cobra.Command {
	opts := &ChildrenOptions{IO: f.IOStreams, Sharing: f.Sharing, Progress: f.Progress}
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
                Both are spooled, not held in memory: a megabyte in memory, the rest in a
                temporary file, so memory stays flat for a folder of any size.
  --jq EXPR     jq's output for that array, printed only on success. An expression that
                starts with .[] (.[] | select(.file) | .name) runs on each item as it
                arrives, in flat memory; any other (map(...), length) is given the whole
                array at the end, held decoded.
  -o ndjson     one compact JSON object per line, written as each page arrives: memory
                stays flat however large the folder. If a later page fails, the lines
                already written stay, the error goes to stderr and the exit status is 1.

--top N asks Graph for pages of N items (1 to 999; Graph's default is 200).

--recursive also lists every subfolder (GET /drives/{driveId}/items/{id}/children, with
the drive id from each folder's parentReference), --concurrency folders at a time, and
prints every descendant. The table then shows each item's path relative to the shared
folder, sorted by path; JSON and ndjson hold Graph's objects unchanged, in the order the
pages arrive. The spool file is unlinked as soon as it is created on Unix, so even a killed
odshare leaves nothing behind; on Windows, where an open file can't be unlinked, each run
removes the spool files killed runs left.

--tree (implies --recursive) draws the folder as a tree for people: each name with its
size, folders ending in "/", children sorted by name.

Bounds, so that a broken or hostile server can't keep odshare listing forever or fill the
memory: the command stops with an error after --max-pages pages in all (default 10000,
about two million items at 200 a page) and never follows an @odata.nextLink longer than
64 KiB; --recursive also fails on a folder more than --max-depth levels below the shared
folder (default 100) and when more than --max-backlog folders (default 100000) are waiting
to be listed. They are safety bounds, not filters: raise them for a tree that really is
that large.

A Box shared folder is found with GET /2.0/shared_items, then listed with GET
/2.0/folders/{id}/items?fields=name,size,modified_at&limit=1000&usemarker=true and each
next_marker, every request with the link's BoxApi header (which also opens the subfolders of
--recursive); --top N sets limit. JSON holds Box's entries unchanged.`,
		Example: `  $ odshare share children 'https://1drv.ms/f/s!AbCdEf'
  $ odshare share children u!aHR0cHM6Ly8xZHJ2Lm1zL2YvcyFBYkNkRWY --jq '.[] | select(.file) | .name'
  $ odshare share children 'https://1drv.ms/f/s!AbCdEf' -o ndjson --top 999 | wc -l
  $ odshare share children 'https://1drv.ms/f/s!AbCdEf' --recursive --concurrency 8
  $ odshare share children 'https://1drv.ms/f/s!AbCdEf' --tree
  $ odshare share children https://app.box.com/s/13ynxiqe3y4tup3j0yn4qairs5ebfxo3 -o ndjson`,
		Args: cmdutil.ExactArgs(1, "missing sharing URL or share id"),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Printing, opts.Redeem, opts.Share, err = shareTarget(f, c, sharing.VerbShareChildren, redeem, args[0]); err != nil {
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
			if err := checkWalkBounds(opts.Concurrency, opts.MaxPages, opts.MaxDepth, opts.MaxBacklog); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return childrenRun(c.Context(), opts)
		},
	}
	addRedeemFlags(cmd, &redeem, &opts.Password)
	f.AddOutputFlags(cmd)
	fl := cmd.Flags()
	fl.IntVar(&opts.Top, "top", 0, "Ask Graph for pages of `N` items (1-999)")
	fl.BoolVarP(&opts.Recursive, "recursive", "r", false, "List every subfolder too")
	fl.BoolVar(&opts.Tree, "tree", false, "Draw the folder as a tree of names and sizes (implies --recursive)")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, fmt.Sprintf("How many folders to list at once with --recursive (1-%d)", maxConcurrency))
	fl.IntVar(&opts.MaxPages, "max-pages", DefaultMaxPages, "Stop with an error after `N` pages in all (each up to --top items, 200 by default)")
	fl.IntVar(&opts.MaxDepth, "max-depth", defaultMaxDepth, "With --recursive: fail on folders more than `N` levels below the shared folder")
	fl.IntVar(&opts.MaxBacklog, "max-backlog", defaultMaxBacklog, "With --recursive: fail when more than `N` folders are waiting to be listed")
	return cmd
}

func childrenRun(ctx context.Context, opts *ChildrenOptions) error {
	p, err := opts.Sharing.Open(opts.Share.Provider)
	if err != nil {
		return err
	}
	p.SetMaxPages(opts.MaxPages)
	return withPagesHint(listRun(ctx, p, opts))
}

// withPagesHint adds the way out to an error from the page bound.
func withPagesHint(err error) error {
	if sharing.IsPageLimit(err) {
		return fmt.Errorf("%w; raise the bound with --max-pages", err)
	}
	return err
}

// streams reports whether the listing goes out as ndjson as it arrives.
func (opts *ChildrenOptions) streams() bool {
	return opts.Printing.Format == output.FormatNDJSON && opts.Printing.JQ == ""
}

func listRun(ctx context.Context, p sharing.Provider, opts *ChildrenOptions) error {
	if opts.Recursive {
		return walkRun(ctx, p, opts)
	}
	lo := sharing.ListOptions{Redeem: opts.Redeem, PageSize: opts.Top, RawOnly: opts.Printing.JSON(), Password: opts.Password}
	sink, err := newListSink(opts)
	if err != nil {
		return err
	}
	defer sink.close()
	// Only ndjson reaches stdout before the last page has arrived (each page written and flushed
	// as it comes, a failure part-way leaving the lines already written, as the help says); the
	// other formats are spooled, so a failure leaves stdout empty. Meanwhile a terminal shows the
	// count.
	spinner := opts.spinner()
	n := 0
	err = p.ListChildren(ctx, opts.Share, sharing.Folder{}, lo, func(page []sharing.Entry) error {
		n += len(page)
		spinner.SetLabel("Listing the shared folder: " + plural(n, "item"))
		return sink.add("", page)
	})
	spinner.Done()
	if err != nil {
		return fmt.Errorf("list shared folder: %w", err)
	}
	return sink.finish()
}

// raws are the entries' JSON as the provider sent it.
func raws(entries []sharing.Entry) []json.RawMessage {
	out := make([]json.RawMessage, len(entries))
	for i, e := range entries {
		out[i] = e.Raw
	}
	return out
}

// spinner starts the line that shows a listing is under way (see progress.Tracker). None is
// drawn when ndjson streams to a terminal: its lines show the progress, and a spinner would be
// drawn in among them.
func (opts *ChildrenOptions) spinner() *progress.Bar {
	if opts.streams() && opts.IO.IsStdoutTTY() {
		return nil
	}
	return opts.Progress.Spinner("Listing the shared folder")
}

// walkRun lists the shared folder and every folder below it (package walk), --concurrency at a
// time, printing as the output format asks.
func walkRun(ctx context.Context, p sharing.Provider, opts *ChildrenOptions) error {
	var root *output.TreeNode
	if opts.Tree {
		e, err := p.GetSharedItem(ctx, opts.Share, sharing.ShareOptions{Redeem: opts.Redeem, Password: opts.Password})
		if err != nil {
			return fmt.Errorf("get shared folder: %w", err)
		}
		root = &output.TreeNode{Name: e.Name, Size: e.Size, Folder: e.IsFolder}
	}
	sink, err := newListSink(opts)
	if err != nil {
		return err
	}
	defer sink.close()
	spinner := opts.spinner()
	wo := walk.Options{
		Concurrency: opts.Concurrency, MaxDepth: opts.MaxDepth, MaxBacklog: opts.MaxBacklog,
		RootName: "shared folder", Clean: output.Sanitize, Sink: sink.add,
		OnProgress: func(items, folders int) {
			spinner.SetLabel(fmt.Sprintf("Listing the shared folder: %s in %s so far", plural(items, "item"), plural(folders, "folder")))
		},
	}
	if root != nil {
		wo.Root = root
		wo.OnEntry = func(parent any, e sharing.Entry) any {
			node := &output.TreeNode{Name: e.Name, Size: e.Size, Folder: e.IsFolder}
			dir := parent.(*output.TreeNode)
			dir.Children = append(dir.Children, node)
			return node
		}
	}
	lo := sharing.ListOptions{Redeem: opts.Redeem, PageSize: opts.Top, Password: opts.Password}
	err = walk.Walk(ctx, func(ctx context.Context, folder sharing.Folder, each func([]sharing.Entry) error) error {
		return p.ListChildren(ctx, opts.Share, folder, lo, each)
	}, wo)
	spinner.Done()
	if err != nil {
		return err
	}
	if root != nil {
		return output.WriteTree(opts.IO.Out, root)
	}
	return sink.finish()
}

// listSink is where a listing's pages go, for the output format: add takes each page with the
// path of its folder from the shared folder ("" for the shared folder itself), finish prints what
// was held back once the listing has succeeded, close frees it. Every sink holds at most a page in
// memory (and a table's widths, and for a walk each row's path): JSON and tables are spooled, in
// memory up to a megabyte and then in a temporary file. --jq runs an expression that starts with
// .[] on each item as it comes; any other needs the whole document, decoded at the end.
type listSink struct {
	add    func(dir string, page []sharing.Entry) error
	finish func() error
	close  func()
}

// newListSink picks the sink for the output format; a walk's table shows each item's path,
// sorted by path, in place of its name.
func newListSink(opts *ChildrenOptions) (*listSink, error) {
	pr := opts.Printing
	switch {
	case opts.Tree:
		return &listSink{add: func(string, []sharing.Entry) error { return nil }, finish: func() error { return nil }, close: func() {}}, nil

	case opts.streams():
		nd := output.NewNDJSONWriter(opts.IO.Out)
		return &listSink{
			add:    func(_ string, page []sharing.Entry) error { return nd.WriteValid(raws(page)...) },
			finish: func() error { return nil }, close: func() {},
		}, nil

	case pr.JSON() && pr.JQ == "":
		// One array, yet stdout must stay empty on failure: spool it, then copy it out once the
		// listing is complete.
		spool := output.NewSpooledArray()
		return &listSink{
			add: func(_ string, page []sharing.Entry) error {
				for _, e := range page {
					if err := spool.Add(e.Raw); err != nil {
						return fmt.Errorf("spool the listing: %w", err)
					}
				}
				return nil
			},
			finish: func() error { return spool.CopyTo(opts.IO.Out) }, close: spool.Close,
		}, nil

	case pr.JSON():
		// --jq: an expression that starts with .[] runs on each item as it comes; any other is
		// given the whole array, spooled until the listing is complete (output.JQArray).
		jq, err := output.NewJQArray(opts.IO, pr.JQ)
		if err != nil {
			return nil, err
		}
		return &listSink{
			add: func(_ string, page []sharing.Entry) error {
				for _, e := range page {
					if err := jq.Add(e.Raw); err != nil {
						return fmt.Errorf("spool the listing: %w", err)
					}
				}
				return nil
			},
			finish: func() error { return jq.CopyTo(opts.IO.Out) }, close: jq.Close,
		}, nil

	case !opts.Recursive:
		t := pr.Table(opts.IO, itemColumns...)
		return &listSink{
			add:    func(_ string, page []sharing.Entry) error { return addItemRows(t, page) },
			finish: t.Render, close: t.Close,
		}, nil
	}
	t := pr.Table(opts.IO, append([]output.Column{{Header: "PATH", Truncate: true}}, itemColumns[1:]...)...)
	return &listSink{
		add: func(dir string, page []sharing.Entry) error {
			for _, e := range page {
				p := joinPath(dir, e.Name)
				t.AddSortedRow(p, append([]string{p}, itemRow(e)[1:]...)...)
			}
			return nil
		},
		finish: t.Render, close: t.Close,
	}, nil
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
