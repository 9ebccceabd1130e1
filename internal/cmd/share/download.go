package share

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/progress"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/download"
	"github.com/odshare/odshare/internal/sharing/walk"
)

// DownloadOptions are the validated inputs of one `share download`.
type DownloadOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing
	Progress *progress.Tracker

	Item   sharing.Item
	Redeem sharing.Redeem
	// Password is a Box shared link's password (--password-stdin, ODSHARE_SHARE_PASSWORD).
	Password string
	// OutFile is -O: the file to write ("-" for standard output); "" saves under Dir.
	OutFile string
	// Dir is where files and folders are saved (--dir).
	Dir string
	// Recursive downloads a folder named by an id or a path (a folder link always is).
	Recursive bool
	// Format asks for a conversion (--format pdf).
	Format string
	// Overwrite replaces local files that differ.
	Overwrite bool
	// Concurrency is how many files download at once.
	Concurrency int
	// MaxPages, MaxDepth and MaxBacklog bound a folder's listing (as for `share children`).
	MaxPages, MaxDepth, MaxBacklog int
	// Engine tunes the download engine (tests: no waits, short stalls).
	Engine download.Options
}

// formats are the conversions Graph v1.0 documents for GET /content?format=
// [driveitem-get-content-format].
var formats = []string{"pdf", "html"}

func newCmdDownload(f *cmdutil.Factory, runF func(context.Context, *DownloadOptions) error) *cobra.Command {
	opts := &DownloadOptions{IO: f.IOStreams, Sharing: f.Sharing, Progress: f.Progress}
	var redeem redeemFlags
	var drive cmdutil.DriveFlags
	cmd := &cobra.Command{
		Use:   "download <sharing-url | share-id | item>",
		Short: "Download a shared file or folder",
		Long: `Download what a sharing link (or an item id or /path) names: a file, or a folder with everything
in it.

A file is read (GET /shares/{token}/driveItem, or the item), then its content: Graph answers
GET .../content with a redirect to a short-lived pre-authenticated URL on another host, which
odshare fetches without your token, streaming to disk. It is written to NAME.part and renamed
to NAME once complete and verified against the hash the provider gives (quickXorHash, else
sha1Hash); the report says "unverified" when there is none. A file that fails its hash is not
saved (exit 1).

Resuming: beside NAME.part, NAME.part.resume records which item and version the bytes are.
Run the same command again after an interruption and odshare continues from the .part with
Range on a fresh download URL, as long as the file is unchanged (same cTag/eTag, size and
hash); when it changed, or the server ignores Range, it starts over. A download URL that
expires mid-way is replaced with a fresh one; dropped connections and server errors are
retried.

A folder (given by a folder link, or with --recursive) is recreated under --dir as
DIR/<folder name>/..., --concurrency files at a time. Files already there and complete (same
size and hash) are skipped, so running the command again fetches only what is missing; a
local file that differs is left alone unless --overwrite. Names from the server are made
safe: no "..", "/" or "\", no control characters, none of < > : " | ? *, Windows' reserved
names (CON, NUL.txt, ...) prefixed with "_", trailing dots and spaces replaced, at most 243
bytes; names that collide get " (2)". Nothing is written outside --dir, through symbolic
links either. One line per file reports what happened; the exit status is 1 if any failed.

-O FILE writes a file to FILE instead ("-O -" to standard output, with no .part and no
resume across runs). --format pdf asks Graph to convert (GET .../content?format=pdf), for the
file types Graph converts; a conversion has no hash and is reported unverified.

Password-protected links: Graph's shares API takes no password, so such links cannot be
opened through it; open them in a browser.

Box (box:/path, box:file:ID, box:folder:ID with --recursive, or a Box shared link): the item
is read with its sha1 and file_version, then GET /2.0/files/{id}/content (with the link's
BoxApi header for anything reached through a link) answers with a redirect to Box's download
host, fetched without your token. The same .part, resume and verification rules apply, with
Box's sha1; file_version is the content version. Web links in a folder are skipped. A link's
password comes from --password-stdin or ODSHARE_SHARE_PASSWORD.

Output: a table of status, path, size, verification and notes; -o json an array of
{path, status, size, id, verifiedWith, resumedFrom, transferred, notes, error}; -o ndjson one
such object per file as it finishes. On a terminal, a progress bar shows bytes, rate, time
left and files done.`,
		Example: `  $ odshare share download 'https://1drv.ms/u/s!AbCdEf'
  $ odshare share download 'https://1drv.ms/f/s!AbCdEf' --dir ~/Downloads --concurrency 8
  $ odshare share download /Reports/Q3.xlsx -O q3.xlsx
  $ odshare share download 'https://contoso.sharepoint.com/:w:/g/EaBc...' --format pdf -O - | lp
  $ odshare share download 'https://app.box.com/s/13ynxiqe3y4tup3j0yn4qairs5ebfxo3' --dir ~/Downloads
  $ odshare share download box:/Reports --recursive --dir backup`,
		Args: cmdutil.ExactArgs(1, "missing item: give a sharing URL, a share id, an item id or a /path"),
		RunE: func(c *cobra.Command, args []string) error {
			fl := c.Flags()
			if err := cmdutil.MutuallyExclusive("specify only one of -O/--output-file or --dir", fl.Changed("output-file"), fl.Changed("dir")); err != nil {
				return err
			}
			if fl.Changed("output-file") && opts.OutFile == "" {
				return cmdutil.FlagErrorf("-O needs a file name, or - for standard output")
			}
			if st, err := os.Stat(opts.OutFile); opts.OutFile != "-" && err == nil && st.IsDir() {
				return cmdutil.FlagErrorf("-O %s is a directory: use --dir to save into it", output.Sanitize(opts.OutFile))
			}
			if strings.TrimSpace(opts.Dir) == "" {
				return cmdutil.FlagErrorf("--dir must not be blank")
			}
			opts.Format = strings.ToLower(opts.Format)
			if opts.Format != "" && !slices.Contains(formats, opts.Format) {
				return cmdutil.FlagErrorf("invalid --format %q: give %s", opts.Format, strings.Join(formats, " or "))
			}
			if err := checkWalkBounds(opts.Concurrency, opts.MaxPages, opts.MaxDepth, opts.MaxBacklog); err != nil {
				return err
			}
			var err error
			if opts.Printing, opts.Item, err = f.ItemTarget(drive, args[0]); err != nil {
				return err
			}
			if opts.OutFile == "-" && opts.Printing.JSON() {
				return cmdutil.FlagErrorf("-O - writes the file to standard output: -o %s and --jq can't be used with it", opts.Printing.Format)
			}
			if opts.Redeem, err = redeem.redeem(); err != nil {
				return err
			}
			if opts.Redeem != sharing.RedeemNone && !opts.Item.IsShare() {
				return cmdutil.FlagErrorf("--redeem and --redeem-if-necessary apply to sharing URLs and share ids")
			}
			if err := f.Sharing.CheckVerb(opts.Item, sharing.VerbShareDownload); err != nil {
				return err
			}
			if err := f.Sharing.CheckFlags(opts.Item, sharing.VerbShareDownload, cmdutil.Changed(c, "redeem", "redeem-if-necessary", "format", "password-stdin")...); err != nil {
				return err
			}
			if err := redeem.readPassword(f); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return downloadRun(c.Context(), opts)
		},
	}
	addRedeemFlags(cmd, &redeem, &opts.Password)
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&opts.OutFile, "output-file", "O", "", "Write the file to `FILE` (- for standard output)")
	fl.StringVar(&opts.Dir, "dir", ".", "Save into `DIR` (created if missing)")
	fl.BoolVarP(&opts.Recursive, "recursive", "r", false, "Download a folder named by an id or /path, and everything in it (a folder link always is)")
	fl.StringVar(&opts.Format, "format", "", "Ask Graph to convert the content: pdf or html")
	fl.BoolVar(&opts.Overwrite, "overwrite", false, "Replace local files that differ from the remote ones")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, fmt.Sprintf("How many files to download at once (1-%d)", maxConcurrency))
	fl.IntVar(&opts.MaxPages, "max-pages", DefaultMaxPages, "Stop listing a folder with an error after `N` pages in all")
	fl.IntVar(&opts.MaxDepth, "max-depth", defaultMaxDepth, "Fail on folders more than `N` levels below the downloaded folder")
	fl.IntVar(&opts.MaxBacklog, "max-backlog", defaultMaxBacklog, "Fail when more than `N` folders are waiting to be listed")
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	return cmd
}

func downloadRun(ctx context.Context, opts *DownloadOptions) error {
	p, err := opts.Sharing.Open(opts.Item.Provider)
	if err != nil {
		return err
	}
	d, ok := sharing.As[sharing.Downloader](p)
	if !ok {
		return fmt.Errorf("downloading is not supported for %s yet", output.Sanitize(opts.Item.Input))
	}
	p.SetMaxPages(opts.MaxPages)
	r, err := d.Remote(ctx, opts.Item, sharing.ShareOptions{Redeem: opts.Redeem, Password: opts.Password})
	if err != nil {
		return cmdutil.ItemError("find", opts.Item, err)
	}
	r.Skip = false // named alone, an item without content fails
	rep := newReporter(opts)
	bar := newDownloadBar(opts, r)
	eo := opts.Engine
	eo.Format, eo.Overwrite, eo.Concurrency, eo.Progress = opts.Format, opts.Overwrite, opts.Concurrency, bar

	if r.IsFolder {
		switch {
		case opts.OutFile != "":
			return fmt.Errorf("%s is a folder: -O names a file; use --dir to choose where the folder goes", output.Sanitize(opts.Item.Input))
		case !opts.Recursive && !opts.Item.IsShare():
			return fmt.Errorf("%s is a folder: pass --recursive to download it and everything in it", output.Sanitize(opts.Item.Input))
		}
		root, err := openDir(opts.Dir)
		if err != nil {
			return err
		}
		defer root.Close()
		list := func(ctx context.Context, folder sharing.Folder, each func([]sharing.Entry) error) error {
			if folder.IsRoot() && r.Folder != nil {
				folder = *r.Folder
			}
			return p.ListChildren(ctx, opts.Item, folder, sharing.ListOptions{Redeem: opts.Redeem, Password: opts.Password, ForDownload: true}, each)
		}
		to := download.TreeOptions{Options: eo, Walk: walk.Options{
			MaxDepth: opts.MaxDepth, MaxBacklog: opts.MaxBacklog, RootName: "shared folder", Clean: output.Sanitize,
		}}
		failed, err := download.Tree(ctx, d, list, r, root, to, rep.add)
		bar.finish()
		return rep.finish(ctx, failed, withPagesHint(err))
	}

	if opts.OutFile == "-" {
		res := download.Stream(ctx, d, r, opts.IO.Out, eo)
		bar.finish()
		if res.Err != nil {
			return fmt.Errorf("download %s: %w", output.Sanitize(opts.Item.Input), res.Err)
		}
		if res.Check == "" {
			fmt.Fprintf(opts.IO.ErrOut, "odshare: %s is unverified: %s\n", output.Sanitize(r.Name), unverifiedWhy(opts))
		}
		return nil
	}
	dir, name := opts.Dir, ""
	if opts.OutFile != "" {
		dir, name = filepath.Dir(opts.OutFile), filepath.Base(opts.OutFile)
	} else {
		var names download.Names
		name = names.Take(download.LocalName(r, opts.Format), true)
	}
	root, err := openDir(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	res := download.File(ctx, d, r, root, name, eo)
	bar.finish()
	if opts.OutFile != "" {
		res.Path = opts.OutFile
	} else if name != download.LocalName(r, opts.Format) {
		res.Notes = append(res.Notes, download.RenameNote(r))
	}
	if res.Err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(opts.IO.ErrOut, "odshare: the partial download is kept: run the same command again to resume it")
			return ctx.Err()
		}
		return fmt.Errorf("download %s: %w", output.Sanitize(opts.Item.Input), res.Err)
	}
	rep.add(res)
	return rep.finish(ctx, 0, nil)
}

// unverifiedWhy says why a download has no verification.
func unverifiedWhy(opts *DownloadOptions) string {
	if opts.Format != "" {
		return "a conversion has no hash to check it against"
	}
	return "the provider gave no hash for it"
}

// openDir creates dir if needed and opens it as the root nothing is written outside of.
func openDir(dir string) (*os.Root, error) {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return root, nil
}

// reporter prints the per-file results: a table or a JSON array at the end, ndjson as each file
// finishes.
type reporter struct {
	opts    *DownloadOptions
	mu      sync.Mutex
	results []fileResult
	nd      *output.NDJSONWriter
	errs    []error
	total   int
}

// fileResult is one file's line of the report, as JSON.
type fileResult struct {
	Path         string     `json:"path"`
	Status       string     `json:"status"`
	Size         int64      `json:"size"`
	ID           string     `json:"id,omitempty"`
	VerifiedWith *string    `json:"verifiedWith"`
	ResumedFrom  int64      `json:"resumedFrom,omitempty"`
	Transferred  int64      `json:"transferred"`
	Notes        []string   `json:"notes,omitempty"`
	Error        *errorJSON `json:"error,omitempty"`
}

type errorJSON struct {
	Message string `json:"message"`
}

func newReporter(opts *DownloadOptions) *reporter {
	r := &reporter{opts: opts}
	if opts.Printing.Format == output.FormatNDJSON && opts.Printing.JQ == "" {
		r.nd = output.NewNDJSONWriter(opts.IO.Out)
	}
	return r
}

func (rp *reporter) add(res download.Result) {
	fr := fileResult{Path: res.Path, Status: string(res.Status), Size: res.Size, ResumedFrom: res.From, Transferred: res.Transferred, Notes: res.Notes}
	if res.Remote != nil {
		fr.ID = res.Remote.ID
	}
	if res.Check != "" {
		c := res.Check
		fr.VerifiedWith = &c
	}
	if res.Err != nil {
		fr.Error = &errorJSON{Message: res.Err.Error()}
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	rp.total++
	if rp.nd != nil {
		if err := rp.nd.WriteValue(fr); err != nil {
			rp.errs = append(rp.errs, err)
		}
		return
	}
	rp.results = append(rp.results, fr)
}

// finish prints what was collected and the summary; err is the listing's.
func (rp *reporter) finish(ctx context.Context, failed int, err error) error {
	opts := rp.opts
	if len(rp.errs) > 0 {
		return rp.errs[0]
	}
	slices.SortFunc(rp.results, func(a, b fileResult) int { return strings.Compare(a.Path, b.Path) })
	switch {
	case rp.nd != nil:
	case opts.Printing.JSON():
		if werr := opts.Printing.WriteValue(opts.IO, rp.results); werr != nil {
			return werr
		}
	case len(rp.results) > 0:
		t := opts.Printing.Table(opts.IO, downloadColumns...)
		for _, r := range rp.results {
			t.AddRow(downloadRow(r, opts)...)
		}
		if werr := t.Render(); werr != nil {
			return werr
		}
	}
	switch {
	case ctx.Err() != nil:
		fmt.Fprintf(opts.IO.ErrOut, "odshare: %d files finished, %d of them failed; partial downloads are kept: run the same command again to resume\n", rp.total, failed)
		return ctx.Err()
	case err != nil:
		if failed > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "odshare: %d of %d files failed\n", failed, rp.total)
		}
		return err
	case failed > 0:
		fmt.Fprintf(opts.IO.ErrOut, "odshare: %d of %d files failed\n", failed, rp.total)
		return cmdutil.ErrSilent
	}
	return nil
}

var downloadColumns = []output.Column{
	{Header: "STATUS"}, {Header: "PATH", Truncate: true}, {Header: "SIZE", Drop: 3},
	{Header: "VERIFIED", Drop: 2}, {Header: "NOTE", Truncate: true, Drop: 1},
}

func downloadRow(r fileResult, opts *DownloadOptions) []string {
	verified := "unverified"
	switch {
	case r.VerifiedWith != nil:
		verified = *r.VerifiedWith
	case r.Status == string(download.Failed):
		verified = ""
	case r.Status == string(download.Skipped):
		verified = "size only"
		if opts.Format != "" {
			verified = "same time"
		}
	}
	var note []string
	if r.ResumedFrom > 0 {
		note = append(note, "from "+output.HumanSize(r.ResumedFrom))
	}
	note = append(note, r.Notes...)
	if r.Error != nil {
		note = append(note, r.Error.Message)
	}
	return []string{r.Status, r.Path, output.HumanSize(r.Size), verified, strings.Join(note, "; ")}
}

// downloadBar is the terminal's progress: bytes, rate, time left, and files done of those found.
type downloadBar struct {
	bar         *progress.Bar
	mu          sync.Mutex
	done, found int
	folder      bool
	name        string
}

func newDownloadBar(opts *DownloadOptions, r *sharing.Remote) *downloadBar {
	b := &downloadBar{folder: r.IsFolder, name: output.Sanitize(r.Name)}
	b.bar = opts.Progress.Bytes(b.label())
	return b
}

func (b *downloadBar) label() string {
	if !b.folder {
		return "Downloading " + b.name
	}
	return fmt.Sprintf("Downloading %d/%d files", b.done, b.found)
}

func (b *downloadBar) Expect(files int, n int64) {
	b.bar.AddTotal(n)
	if files != 0 {
		b.mu.Lock()
		b.found += files
		label := b.label()
		b.mu.Unlock()
		b.bar.SetLabel(label)
	}
}

func (b *downloadBar) Wrote(n int64) { b.bar.Add(n) }

func (b *downloadBar) Done(download.Result) {
	b.mu.Lock()
	b.done++
	label := b.label()
	b.mu.Unlock()
	b.bar.SetLabel(label)
}

func (b *downloadBar) finish() {
	b.bar.Complete()
	b.bar.Done()
}
