package link

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/progress"
	"github.com/odshare/odshare/internal/redact"
	"github.com/odshare/odshare/internal/sharing"
)

// CreateOptions are the validated inputs of one `link create`.
type CreateOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing
	// Progress shows on a terminal that the command is working, and what it waits for.
	Progress *progress.Tracker

	Item sharing.Item
	// Request is what the link should be; only what was given is set.
	Request sharing.LinkSpec

	// Bulk is set when several items were given (arguments or --from-file); Item is unused then.
	Bulk        []sharing.Item
	Concurrency int
	QR          bool
	// AllowExisting accepts a link Graph already had even when it lacks the password, expiry or
	// recipients asked for; without it such a link is an error.
	AllowExisting bool
	// Args are the other settings as given, for the `link update` hint of an existing link.
	Args linkArgs
}

func newCmdCreate(f *cmdutil.Factory, runF func(context.Context, *CreateOptions) error) *cobra.Command {
	opts := &CreateOptions{IO: f.IOStreams, Sharing: f.Sharing, Progress: f.Progress}
	var (
		drive      cmdutil.DriveFlags
		linkType   string
		scope      string
		expires    string
		recipients []string
		retain     bool
		fromFile   string
		pwStdin    bool
		vanity     string
		canDL      bool
	)
	cmd := &cobra.Command{
		Use:   "create <item-id | /path | sharing-url | share-id>...",
		Short: "Create sharing links for drive items",
		Long: fmt.Sprintf(`Create a sharing link for a drive item with Graph's createLink, or for a Box item.

Graph answers 201 for a new link and 200 when a link of that type and scope already exists;
the table says "created" or "existing". Graph returns an existing link as it is: when it lacks
the --password, --expires or --recipient asked for, odshare says what differs and how to get
it (link update, or delete and create again) and exits 1 without printing the link, unless
--allow-existing says an existing link is acceptable (then it is printed, with a note on
stderr). With several items this applies to each: such an item is reported as failed.

--type:  %s
--scope: %s (users needs at least one --recipient)

Which types and options a drive supports is Graph's to decide: embed links and --password are
OneDrive personal only; organization scope and review, blocksDownload and createOnly links are
OneDrive for Business and SharePoint only. Without --scope, Graph creates the organization's
default kind of link.

The password never needs to be on the command line, where other local users can read it (ps,
/proc/PID/cmdline) and the shell keeps it in its history: --password-stdin reads it from stdin
(the first line; a hidden prompt at a terminal), and ODSHARE_LINK_PASSWORD is used when neither
--password nor --password-stdin is given.

--expires takes a date (2026-12-31: the end of that day in your local time zone), an RFC 3339
time, or a duration from now (7d, 2w, 12h, 30m, 1w2d); it is sent in UTC.

Several items (arguments, or --from-file with one item per line, "-" for stdin; blank lines and
lines starting with "#" are skipped) are shared through Graph JSON batching: up to 20 requests
per batch, --concurrency batches in flight, throttled requests retried after their Retry-After.
Every item appears in the output exactly once, in input order (as each completes with
-o ndjson); JSON gives {"item", "status", "permission"} or {"item", "status", "error"} per item.
The exit status is 1 when any item failed. A progress bar is shown on a terminal.

An item is reported as not done ("cancelled", "stalled": error code, status 0) only when its
request was never sent. One that was sent but never answered (Ctrl-C while it was on its way, a
timeout, a dropped connection) is "outcomeUnknown": the link may exist. Running the same command
again settles it, since Graph then returns a link that exists (reported as existing) or makes it;
with a relative --expires (7d) the advice names the time the run asked, to pass in its place.
After Ctrl-C a terminal shows the items with an outcome and one line for the rest. A run stops
when Graph has answered nothing for 2 minutes, as long as one request waits.

--qr also prints the link as a QR code (on stderr when stdout is not a terminal).

Box items (box:/path, box:file:ID, box:folder:ID, box:web_link:ID, Box URLs) have one link
each, and Box changes that link when asked again, so odshare reads the item first
(GET /2.0/{files|folders|web_links}/{id}?fields=name,shared_link) and sends the PUT only when
the item has no link ("created"). A link with every setting asked is "existing"; one with other
settings is left as it is: odshare says what differs, points at "link update" and exits 1
(--allow-existing accepts it). A setting left out does not count; a --password always differs
from a link that has one, since Box never shows passwords. For Box:
  --scope   anonymous = open, organization = company, users = collaborators (the item's
            collaborators); left out, the enterprise's default
  --type    view (downloads allowed), blocksDownload (preview only), edit (files only);
            left out, Box's default permissions; embed, review and createOnly don't exist
  --password  open links only; --expires is sent in UTC as 2026-12-31T17:00:00+00:00
  --vanity-name NAME  the custom URL https://app.box.com/v/NAME (12-30 letters, digits,
            hyphens; the admin must allow custom URLs)
  --can-download[=false]  the download permission (open and company links)
--recipient, --retain-inherited-permissions and the drive flags are Graph's: refused for Box
items, as --vanity-name and --can-download are for Graph's, before anything is sent. Several
Box items are shared with single requests, --concurrency at a time, paced by Box's 429s; JSON
gives Box's item (with its shared_link) under "box" where Graph's permission is under
"permission", and every success has "result": created, existing (or differs).`,
			joinLinkTypes(), joinScopes()),
		Example: `  $ odshare link create /Reports/Q3.xlsx --type view --scope organization
  $ odshare link create 01ABCDEF... --type edit --scope users --recipient megan@contoso.com
  $ odshare link create /Photos --type view --scope anonymous --expires 7d --password 'pa55'
  $ odshare link create /Docs/plan.docx --type view --user megan@contoso.com -o json
  $ odshare link create 'box:/Reports/Q3 report.pdf' --type view --scope anonymous --expires 30d
  $ odshare link create box:folder:123456 --scope organization --vanity-name northwind-q3-report`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 && fromFile == "" {
				return &cmdutil.FlagError{Err: errors.New(cmdutil.MissingItem)}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			// Everything is validated here, before a client exists: a usage error never reaches Graph.
			var err error
			if opts.Printing, err = f.ResolvePrinting(); err != nil {
				return err
			}
			if err := resolvePassword(f, c, opts.IO, &opts.Request, pwStdin, fromFile); err != nil {
				return err
			}
			inputs := args
			if fromFile != "" {
				lines, err := readItems(fromFile, opts.IO)
				if err != nil {
					return err
				}
				inputs = append(append([]string(nil), args...), lines...)
				if len(inputs) == 0 {
					return cmdutil.FlagErrorf("no items in %s", fromFile)
				}
			}
			if len(inputs) == 1 && fromFile == "" {
				if opts.Item, err = f.ParseItem(inputs[0]); err != nil {
					return err
				}
			} else {
				if opts.QR {
					return cmdutil.FlagErrorf("--qr works with one item only")
				}
				// Every item is checked before anything is sent: one bad line sends nothing.
				for i, in := range inputs {
					it, err := f.ParseItem(in)
					if sharing.IsSensitive(err) {
						return cmdutil.FlagErrorf("item %d: %v", i+1, err) // the line holds credentials: not echoed
					}
					if err != nil {
						return cmdutil.FlagErrorf("item %d (%q): %v", i+1, in, err)
					}
					opts.Bulk = append(opts.Bulk, it)
				}
			}
			items := []*sharing.Item{&opts.Item}
			if opts.Bulk != nil {
				items = items[:0]
				for i := range opts.Bulk {
					items = append(items, &opts.Bulk[i])
				}
			}
			if err := f.Locate(drive, items...); err != nil {
				return err
			}
			if opts.Concurrency < 1 || opts.Concurrency > 16 {
				return cmdutil.FlagErrorf("invalid --concurrency %d: use 1 to 16", opts.Concurrency)
			}
			req := &opts.Request
			if linkType != "" {
				if req.Type, err = parseLinkType(linkType); err != nil {
					return err
				}
			}
			if scope != "" {
				if req.Scope, err = parseScope(scope); err != nil {
					return err
				}
			}
			for _, r := range recipients {
				if !cmdutil.ValidEmail(r) {
					return cmdutil.FlagErrorf("invalid --recipient %q: give an email address such as megan@contoso.com", r)
				}
				req.Recipients = append(req.Recipients, r)
			}
			if expires != "" {
				if isNever(expires) {
					return cmdutil.FlagErrorf("--expires %s removes an expiry: use it with `odshare link update`", expires)
				}
				if req.Expires, err = parseExpiry(expires, time.Now()); err != nil {
					return &cmdutil.FlagError{Err: err}
				}
			}
			if c.Flags().Changed("retain-inherited-permissions") {
				req.RetainInherited = &retain
			}
			req.VanityName = vanity
			if c.Flags().Changed("vanity-name") && vanity == "" {
				return cmdutil.FlagErrorf("--vanity-name must not be empty")
			}
			if c.Flags().Changed("can-download") {
				req.CanDownload = &canDL
			}
			opts.Args = linkArgs{scope: scope, linkType: linkType, vanity: vanity, expires: expires, canDownload: req.CanDownload}
			// A flag or setting an item's provider does not take is refused before anything is sent.
			given := cmdutil.Changed(c, "type", "scope", "password", "password-stdin", "expires", "recipient", "retain-inherited-permissions", "vanity-name", "can-download")
			for _, it := range items {
				if err := f.Sharing.CheckFlags(*it, sharing.VerbLinkCreate, given...); err != nil {
					return err
				}
				if err := f.Sharing.CheckSpec(*it, sharing.VerbLinkCreate, *req); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			if opts.Bulk != nil {
				return bulkRun(c.Context(), opts)
			}
			return createRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&linkType, "type", "t", "", "Link `type`: "+joinLinkTypes())
	fl.StringVarP(&scope, "scope", "s", "", "Who the link works for: "+joinScopes())
	fl.StringVar(&opts.Request.Password, "password", "", "Password for the link (OneDrive personal; Box open links); visible to other local users in the process list and kept in shell history: prefer --password-stdin or ODSHARE_LINK_PASSWORD")
	fl.BoolVar(&pwStdin, "password-stdin", false, "Read the link's password from stdin (a hidden prompt at a terminal)")
	fl.StringVar(&expires, "expires", "", "Expiry: a date (end of that day, local time), an RFC 3339 `time`, or a duration such as 7d, 2w, 12h")
	fl.StringArrayVar(&recipients, "recipient", nil, "`email` of a person the link is for (repeatable; with --scope users)")
	fl.BoolVar(&retain, "retain-inherited-permissions", true, "Keep inherited permissions when the item is shared for the first time (sent only when given)")
	fl.StringVar(&fromFile, "from-file", "", "Read items from `file`, one per line (\"-\" for stdin)")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, "Batches (Graph; up to twice as many while a throttle shrinks them) or requests (Box) in flight when sharing many items (1-16)")
	fl.BoolVar(&opts.QR, "qr", false, "Also print the link as a QR code")
	fl.BoolVar(&opts.AllowExisting, "allow-existing", false, "Accept an existing link that lacks what was asked (--password, --expires, --recipient; for Box any setting)")
	fl.StringVar(&vanity, "vanity-name", "", "Box: the custom URL `name` of the link, https://app.box.com/v/NAME (12-30 letters, digits, hyphens)")
	fl.BoolVar(&canDL, "can-download", true, "Box: whether the link allows downloads (--can-download=false: preview only)")
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, true)
	_ = cmd.MarkFlagFilename("from-file")
	_ = cmd.RegisterFlagCompletionFunc("expires", cmdutil.CompleteExpires)
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(sharing.LinkTypes, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(sharing.Scopes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// resolvePassword picks the link password: --password, --password-stdin (not both), else
// ODSHARE_LINK_PASSWORD. stdin can feed either the password or --from-file -, not both. The
// password is registered with package redact, so no message can print it whatever Graph echoes.
func resolvePassword(f *cmdutil.Factory, c *cobra.Command, ios *iostreams.IOStreams, req *sharing.LinkSpec, fromStdin bool, fromFile string) error {
	given := c.Flags().Lookup("password") != nil && c.Flags().Changed("password")
	switch {
	case given && fromStdin:
		return cmdutil.FlagErrorf("--password and --password-stdin cannot be used together")
	case fromStdin && fromFile == "-":
		return cmdutil.FlagErrorf("--password-stdin and --from-file - both read stdin: give the items in a file or as arguments")
	case given && req.Password == "":
		return cmdutil.FlagErrorf("--password must not be empty")
	case fromStdin:
		pw, err := cmdutil.ReadSecret(ios, "Link password: ")
		if errors.Is(err, cmdutil.ErrNoSecretInput) {
			return cmdutil.FlagErrorf("--password-stdin: no password on stdin")
		}
		if err != nil {
			return err
		}
		req.Password = pw
	case !given:
		cfg, err := f.Config()
		if err != nil {
			return err
		}
		req.Password = cfg.LinkPassword
	}
	redact.Add(req.Password)
	return nil
}

func createRun(ctx context.Context, opts *CreateOptions) error {
	p, err := opts.Sharing.Open(opts.Item.Provider)
	if err != nil {
		return err
	}
	spinner := opts.Progress.Spinner("Creating the link")
	res, err := p.CreateLink(ctx, opts.Item, opts.Request)
	spinner.Done()
	if err != nil {
		return cmdutil.ItemError("create link for", opts.Item, err)
	}
	l := res.Link
	if diffs := res.Differences; len(diffs) > 0 {
		texts := strings.Join(sharing.Texts(diffs), "; ")
		switch {
		case res.Status == sharing.StatusCreated:
			// A new link that still differs: the organization's policy (a maximum expiry) won.
			fmt.Fprintf(opts.IO.ErrOut, "Note: %s created the link, but %s.\n", opts.Sharing.Parser(opts.Item.Provider).Service(), texts)
		case !opts.AllowExisting:
			return newExistingLinkError(opts.Item.Input, opts.Sharing.Parser(opts.Item.Provider).Service(), opts.Args, res, opts.Item.OneLink)
		default:
			fmt.Fprintf(opts.IO.ErrOut, "Note: kept the existing link (--allow-existing): %s.\n", texts)
		}
	}
	if opts.Printing.JSON() {
		if err := opts.Printing.Write(opts.IO, l.Raw); err != nil {
			return err
		}
		return printQR(opts, l)
	}
	// Fitted to the terminal, the scope stays longest, then the password and the expiry when they
	// were asked for (to show they were applied), the status, the type (asked for too).
	password, expires := 6, 5
	if opts.Request.Password != "" {
		password = 2
	}
	if opts.Request.Expires != "" {
		expires = 3
	}
	t := opts.Printing.Table(opts.IO,
		output.Column{Header: "TYPE", Drop: 7}, output.Column{Header: "SCOPE", Drop: 1, Color: output.ScopeColor},
		output.Column{Header: "URL"}, output.Column{Header: "EXPIRES", Drop: expires}, output.Column{Header: "PASSWORD", Drop: password},
		output.Column{Header: "STATUS", Drop: 4, Color: output.StatusColor})
	status := res.Status
	if status == sharing.StatusDiffers {
		status = sharing.StatusExisting // accepted with --allow-existing
	}
	t.AddRow(l.Type, l.Scope, l.URL, output.HumanTime(l.Expires), cmdutil.YesNo(l.HasPassword), string(status))
	if err := t.Render(); err != nil {
		return err
	}
	return printQR(opts, l)
}

func joinLinkTypes() string { return strings.Join(sharing.LinkTypes, ", ") }
func joinScopes() string    { return strings.Join(sharing.Scopes, ", ") + " (or anyone)" }

// parseLinkType reads --type in any case ("blocksdownload"), as Graph's own values are mixed-case.
func parseLinkType(s string) (string, error) {
	if t, ok := sharing.ParseLinkType(s); ok {
		return t, nil
	}
	return "", cmdutil.FlagErrorf("invalid --type %q: valid values are %s", s, joinLinkTypes())
}

// parseScope reads --scope in any case, and "anyone" as anonymous: SharePoint's sharing dialog
// calls such links "Anyone with the link".
func parseScope(s string) (string, error) {
	if sc, ok := sharing.ParseScope(s); ok {
		return sc, nil
	}
	return "", cmdutil.FlagErrorf("invalid --scope %q: valid values are %s", s, joinScopes())
}
