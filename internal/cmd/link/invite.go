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
	"github.com/odshare/odshare/internal/sharing"
)

// InviteOptions are the validated inputs of one `link invite`.
type InviteOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing
	Progress *progress.Tracker
	// AppOnly says whether the credential is app-only, for the hint when Graph refuses a guest.
	AppOnly func() bool

	Item sharing.Item
	// Spec is the invitation: recipients, roles and the rest; only what was given is set, except
	// Notify and RequireSignIn, which are always sent.
	Spec sharing.LinkSpec

	// Rows are the invitations of --from-file (Item and Spec.Recipients are unused then), each
	// with its own item, one recipient, role and expiry.
	Rows        []InviteRow
	FromFile    string
	Concurrency int
}

// InviteRow is one row of --from-file.
type InviteRow struct {
	// Line is the row's line in the file.
	Line int
	Item sharing.Item
	// Spec is the invitation of the row's one recipient.
	Spec sharing.LinkSpec
}

func newCmdInvite(f *cmdutil.Factory, runF func(context.Context, *InviteOptions) error) *cobra.Command {
	opts := &InviteOptions{IO: f.IOStreams, Sharing: f.Sharing, Progress: f.Progress}
	opts.AppOnly = func() bool {
		cfg, err := f.Config()
		return err == nil && cfg.AppOnly()
	}
	var (
		drive      cmdutil.DriveFlags
		recipients []string
		role       string
		expires    string
		noNotify   bool
		signIn     bool
		retain     bool
		pwStdin    bool
	)
	cmd := &cobra.Command{
		Use:   "invite {<item> --recipient EMAIL... --role read|write | --from-file FILE}",
		Short: "Give people access to a drive item, and tell them",
		Long: `Give people access to a drive item with Graph's invite (POST {item}/invite): each recipient
gets a permission of their own with --role (read or write), and an e-mail with a link unless
--no-notify. Recipients must sign in to open the item unless --require-sign-in=false.

Graph answers 207 Multi-Status when it granted access but could not notify some recipients (an
unknown mailbox, a quota, a verification the sender's account needs): they are shown as
"granted-not-notified" with Graph's inner code. That is not a failure: the exit status is 0, and
stderr says who must be told another way. A refusal of the whole invitation (a guest the
tenant's policy or an app-only sign-in cannot invite, a role or option the drive does not take)
is Graph's error, exit 1, and nobody was granted anything.

--message is the e-mail's text, at most 2,000 characters as Graph counts them (an emoji counts
two). --expires takes a date (2026-12-31: the end of that day in your local time zone), an
RFC 3339 time, or a duration from now (7d, 2w, 12h); Graph applies it on OneDrive personal
(premium accounts) and, on OneDrive for Business and SharePoint, to sharing links only, so an
invitation there keeps no expiry. A password (OneDrive personal only) is read with
--password-stdin, or from ODSHARE_LINK_PASSWORD, never from the command line.

Many invitations at once: --from-file FILE ("-" for stdin) is CSV with a header row naming the
columns item, email (or recipient), role and, optionally, expires, one invitation per row:

  item,email,role,expires
  /Reports/Q3.xlsx,megan@contoso.com,write,30d
  /Reports/Q3.xlsx,guest@fabrikam.com,read,

Empty role or expires cells take --role and --expires. Every row is checked first: any invalid
row (a bad item, address, role or expiry, the same item and address twice) is reported with its
line number and nothing is sent (exit 2). Each row is one invite request for one recipient, sent
through Graph JSON batching (20 per batch, --concurrency batches in flight, throttled requests
retried after their Retry-After), so a recipient Graph refuses fails alone. The output has one
line per row: granted, granted-not-notified or failed with Graph's code; the exit status is 1
when any failed. An invitation sent without an answer coming back is "outcomeUnknown": running
the same command again settles it (Graph updates a permission that exists; the person may be
e-mailed twice).

JSON: for one item, Graph's permissions unchanged (an array; on a 207 each entry carries its own
"error"); for --from-file, one object per row, {"line", "item", "recipient", "role", "status",
"result", "permission", "notifyError", "error"}, "permission" being Graph's object unchanged;
-o ndjson streams them as they complete.`,
		Example: `  $ odshare link invite /Reports/Q3.xlsx --recipient megan@contoso.com --role write
  $ odshare link invite /Plans --recipient a@fabrikam.com --recipient b@fabrikam.com --role read --message 'For Monday' --no-notify
  $ odshare link invite --from-file invites.csv -o ndjson > results.ndjson`,
		Args: func(c *cobra.Command, args []string) error {
			switch {
			case len(args) == 0 && opts.FromFile == "":
				return &cmdutil.FlagError{Err: errors.New(cmdutil.MissingItem)}
			case len(args) > 0 && opts.FromFile != "":
				return cmdutil.FlagErrorf("give an item or --from-file, not both: the file's rows name their items")
			case len(args) > 1:
				return cmdutil.FlagErrorf("too many arguments: %q (invite several items with --from-file)", args[1:])
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			// Everything is validated here, before a client exists: a usage error never reaches Graph.
			var err error
			if opts.Printing, err = f.ResolvePrinting(); err != nil {
				return err
			}
			if err := resolvePassword(f, c, opts.IO, &opts.Spec, pwStdin, opts.FromFile); err != nil {
				return err
			}
			if opts.Concurrency < 1 || opts.Concurrency > 16 {
				return cmdutil.FlagErrorf("invalid --concurrency %d: use 1 to 16", opts.Concurrency)
			}
			spec := &opts.Spec
			if c.Flags().Changed("role") {
				r, ok := cmdutil.ParseRole(role)
				if !ok {
					return cmdutil.FlagErrorf("invalid --role %q: valid values are %s", role, cmdutil.RoleUsage())
				}
				spec.Roles = []string{r}
			}
			if expires != "" {
				if spec.Expires, err = parseExpiry(expires, time.Now()); err != nil {
					return &cmdutil.FlagError{Err: err}
				}
			}
			notify := !noNotify
			spec.Notify, spec.RequireSignIn = &notify, &signIn
			if c.Flags().Changed("retain-inherited-permissions") {
				spec.RetainInherited = &retain
			}
			given := cmdutil.Changed(c, "role", "message", "no-notify", "require-sign-in", "expires", "password-stdin", "retain-inherited-permissions")
			if spec.Password != "" {
				given = append(given, "password-stdin")
			}
			if opts.FromFile != "" {
				if len(recipients) > 0 {
					return cmdutil.FlagErrorf("give --recipient or --from-file, not both: the file's rows name the recipients")
				}
				return inviteFromFile(c.Context(), f, drive, opts, given, runF)
			}
			if spec.Recipients, err = cmdutil.ParseRecipients("recipient", recipients); err != nil {
				return err
			}
			if len(spec.Recipients) == 0 {
				return cmdutil.FlagErrorf("missing --recipient: give the email address of each person to invite")
			}
			if len(spec.Roles) == 0 {
				return cmdutil.FlagErrorf("missing --role: give read or write")
			}
			if opts.Item, err = f.ParseItem(args[0]); err != nil {
				return err
			}
			if err := f.Locate(drive, &opts.Item); err != nil {
				return err
			}
			if err := checkInviteItem(f.Sharing, opts.Item, *spec, append(given, "recipient")); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return inviteRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&recipients, "recipient", nil, "`email` of a person to invite (repeatable)")
	fl.StringVar(&role, "role", "", "The `role` to give: "+cmdutil.RoleUsage()+" (with --from-file, for rows without one)")
	fl.StringVar(&opts.Spec.Message, "message", "", "The invitation e-mail's `text` (at most 2,000 characters)")
	fl.BoolVar(&noNotify, "no-notify", false, "Grant access without e-mailing the recipients (Graph's sendInvitation: false)")
	fl.BoolVar(&signIn, "require-sign-in", true, "Recipients must sign in to open the item (sent always)")
	fl.StringVar(&expires, "expires", "", "Expiry: a date (end of that day, local time), an RFC 3339 `time`, or a duration such as 7d, 2w (with --from-file, for rows without one)")
	fl.BoolVar(&pwStdin, "password-stdin", false, "Read the invitation's password from stdin (OneDrive personal only; a hidden prompt at a terminal)")
	fl.BoolVar(&retain, "retain-inherited-permissions", true, "Keep inherited permissions when the item is shared for the first time (sent only when given)")
	fl.StringVar(&opts.FromFile, "from-file", "", "Read invitations from a CSV `file` with a header: item,email,role[,expires] (\"-\" for stdin)")
	fl.IntVar(&opts.Concurrency, "concurrency", 4, "Batches in flight with --from-file (1-16; up to twice as many while a throttle shrinks them)")
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	_ = cmd.MarkFlagFilename("from-file")
	_ = cmd.RegisterFlagCompletionFunc("expires", cmdutil.CompleteExpires)
	_ = cmd.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(sharing.InviteRoles, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("recipient", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("message", cobra.NoFileCompletions)
	return cmd
}

// checkInviteItem refuses, before anything is sent, an item whose provider does not invite, or a
// flag or setting it does not take for invitations.
func checkInviteItem(reg *sharing.Registry, it sharing.Item, spec sharing.LinkSpec, given []string) error {
	if err := reg.CheckVerb(it, sharing.VerbLinkInvite); err != nil {
		return err
	}
	if err := reg.CheckFlags(it, sharing.VerbLinkInvite, given...); err != nil {
		return err
	}
	return reg.CheckSpec(it, sharing.VerbLinkInvite, spec)
}

// inviterOf opens the item's provider as an Inviter.
func inviterOf(reg *sharing.Registry, it sharing.Item) (sharing.Inviter, sharing.Provider, error) {
	p, err := reg.Open(it.Provider)
	if err != nil {
		return nil, nil, err
	}
	inv, ok := sharing.As[sharing.Inviter](p)
	if !ok {
		return nil, nil, fmt.Errorf("%s cannot invite people", reg.Parser(it.Provider).Title())
	}
	return inv, p, nil
}

func inviteRun(ctx context.Context, opts *InviteOptions) error {
	inv, p, err := inviterOf(opts.Sharing, opts.Item)
	if err != nil {
		return err
	}
	t, err := p.Open(ctx, opts.Item)
	if err != nil {
		return cmdutil.ItemError("find", opts.Item, err)
	}
	spinner := opts.Progress.Spinner("Inviting")
	res, err := inv.Invite(ctx, t, opts.Spec)
	spinner.Done()
	if err != nil {
		err = cmdutil.ItemError("invite people to", opts.Item, err)
		if sharing.StatusOf(err) == 403 && opts.AppOnly() {
			return &cmdutil.HintError{Err: err, Hint: appOnlyInviteHint}
		}
		return err
	}
	if opts.Printing.JSON() {
		if err := opts.Printing.Write(opts.IO, res.Raw); err != nil {
			return err
		}
	} else if err := printGrants(opts, res.Grants); err != nil {
		return err
	}
	return grantSummary(opts.IO, res.Grants)
}

// appOnlyInviteHint follows Graph's refusal of an invitation made app-only: "New guests can't be
// invited using app-only access. Existing guests can be invited using app-only requests." [INV]
const appOnlyInviteHint = "An app-only sign-in can invite only people already in the directory (members and existing guests): sign in as a person (`odshare auth login`) to invite new guests."

// grantColumns are the columns of an invitation's results; the NOTE says why a recipient was not
// notified or got nothing.
var grantColumns = []output.Column{
	{Header: "RECIPIENT"}, {Header: "STATUS", Color: output.StatusColor}, {Header: "ROLES", Drop: 3},
	{Header: "EXPIRES", Drop: 2}, {Header: "ID", Drop: 4}, {Header: "NOTE", Drop: 1, Truncate: true},
}

func printGrants(opts *InviteOptions, grants []sharing.Grant) error {
	t := opts.Printing.Table(opts.IO, grantColumns...)
	for _, g := range grants {
		roles, expires, id := "-", "-", "-"
		if g.Link != nil {
			roles, expires, id = dash(strings.Join(g.Link.Roles, ",")), output.HumanTime(g.Link.Expires), dash(g.Link.ID)
		}
		t.AddRow(g.Recipient, string(g.Status), roles, expires, id, dash(grantNote(g)))
	}
	return t.Render()
}

// grantNote is why a recipient was not notified, or got nothing: Graph's code, inner code and
// message.
func grantNote(g sharing.Grant) string {
	if g.Status == sharing.Granted {
		return ""
	}
	code := g.Code
	if g.InnerCode != "" && g.InnerCode != code {
		code += " (" + g.InnerCode + ")"
	}
	prefix := ""
	if g.Status == sharing.GrantedNotNotified {
		prefix = "not notified: "
	}
	switch {
	case code != "" && g.Message != "":
		return prefix + code + ": " + g.Message
	case code != "":
		return prefix + code
	}
	return prefix + g.Message
}

// grantSummary tells stderr who was granted but not notified, and fails the command when a
// recipient got nothing.
func grantSummary(ios *iostreams.IOStreams, grants []sharing.Grant) error {
	var quiet, failed []string
	for _, g := range grants {
		switch g.Status {
		case sharing.GrantedNotNotified:
			quiet = append(quiet, g.Recipient)
		case sharing.GrantFailed:
			failed = append(failed, g.Recipient)
		}
	}
	if len(quiet) > 0 {
		fmt.Fprintf(ios.ErrOut, "odshare: %d of %d recipients were granted access but not notified (%s): tell them another way\n",
			len(quiet), len(grants), output.Sanitize(strings.Join(quiet, ", ")))
	}
	if len(failed) > 0 {
		fmt.Fprintf(ios.ErrOut, "odshare: Graph's answer grants nothing to %d of %d recipients (%s)\n",
			len(failed), len(grants), output.Sanitize(strings.Join(failed, ", ")))
		return cmdutil.ErrSilent
	}
	return nil
}
