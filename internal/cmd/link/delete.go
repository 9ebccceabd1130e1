package link

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// DeleteOptions are the validated inputs of one `link delete`.
type DeleteOptions struct {
	IO       *iostreams.IOStreams
	Sharing  *sharing.Registry
	Printing cmdutil.Printing

	Item sharing.Item
	// IDs are the permissions to delete; when empty, Type and Scope select links instead.
	IDs   []string
	Type  string
	Scope string
	// Yes skips the confirmation prompt.
	Yes bool
	// ItSelf deletes the link the item argument (a sharing URL or share id) is.
	ItSelf bool
}

func newCmdDelete(f *cmdutil.Factory, runF func(context.Context, *DeleteOptions) error) *cobra.Command {
	opts := &DeleteOptions{IO: f.IOStreams, Sharing: f.Sharing}
	var (
		drive     cmdutil.DriveFlags
		linkType  string
		scope     string
		typeGiven bool
	)
	cmd := &cobra.Command{
		Use:   "delete {<sharing-url | share-id> | <item> [<permission-id>...]}",
		Short: "Delete sharing links from a drive item",
		Long: fmt.Sprintf(`Delete permissions from a drive item (DELETE {item}/permissions/{id}).

Give the permission ids to delete (see "odshare link list --all"), or select the item's
sharing links with --type and/or --scope, or give the sharing URL (or share id) of a link
alone to delete that link. Graph deletes only permissions set on the item
itself: links inherited from a parent folder are skipped (delete them on that folder).

On a terminal odshare asks before deleting; elsewhere pass --yes. Each deletion is reported
on stdout; a failed one is reported with Graph's error and makes the exit status 1.

A Box item's link is deleted with the item (or the link's URL) alone: PUT
/2.0/{files|folders|web_links}/{id} with {"shared_link": null}. A later link on the item gets
a new URL, and the old one stops working. An item without a link is "nothing deleted", not an
error.

--type:  %s
--scope: %s`, joinLinkTypes(), joinScopes()),
		Example: `  $ odshare link delete 'https://1drv.ms/f/s!AbCdEf' --yes
  $ odshare link delete /Reports --scope anonymous
  $ odshare link delete /Reports/Q3.xlsx aTowIy5mfG1lbWJlcnNoaXB8... --yes
  $ odshare link delete /Photos --type edit --scope organization --yes -o json
  $ odshare link delete 'box:/Reports/Q3 report.pdf' --yes`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &cmdutil.FlagError{Err: errors.New(cmdutil.MissingItem)}
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			// Everything, the confirmation rule included, is settled before a client exists: a
			// usage error never reaches Graph.
			var err error
			if opts.Printing, opts.Item, err = f.ItemTarget(drive, args[0]); err != nil {
				return err
			}
			if len(args) > 1 && opts.Item.OneLink {
				return oneLinkError(f, opts.Item)
			}
			for _, id := range args[1:] {
				if strings.TrimSpace(id) == "" {
					return cmdutil.FlagErrorf("invalid permission id %q", output.Sanitize(id))
				}
				if !slices.Contains(opts.IDs, id) {
					opts.IDs = append(opts.IDs, id)
				}
			}
			typeGiven = c.Flags().Changed("type")
			if typeGiven {
				if opts.Type, err = parseLinkType(linkType); err != nil {
					return err
				}
			}
			if c.Flags().Changed("scope") {
				if opts.Scope, err = parseScope(scope); err != nil {
					return err
				}
			}
			filtered := opts.Type != "" || opts.Scope != ""
			switch {
			case len(opts.IDs) == 0 && !filtered && opts.Item.IsLink:
				opts.ItSelf = true
			case len(opts.IDs) == 0 && !filtered:
				return cmdutil.FlagErrorf("nothing to delete: give permission ids, --type or --scope, or the sharing URL of the link itself")
			case len(opts.IDs) > 0 && filtered:
				return cmdutil.FlagErrorf("give permission ids or --type/--scope, not both")
			}
			if err := f.Sharing.CheckFlags(opts.Item, sharing.VerbLinkDelete, cmdutil.Changed(c, "type", "scope")...); err != nil {
				return err
			}
			if err := f.Sharing.CheckSpec(opts.Item, sharing.VerbLinkDelete, sharing.LinkSpec{Type: opts.Type, Scope: opts.Scope}); err != nil {
				return err
			}
			if !opts.Yes && !opts.IO.CanPrompt() {
				return cmdutil.FlagErrorf("use --yes to delete without a prompt")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return deleteRun(c.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&linkType, "type", "t", "", "Delete the item's links of this `type`: "+joinLinkTypes())
	fl.StringVarP(&scope, "scope", "s", "", "Delete the item's links with this scope: "+joinScopes())
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "Delete without asking for confirmation")
	cmdutil.AddDriveFlags(cmd, &drive)
	f.AddOutputFlags(cmd)
	cmd.ValidArgsFunction = f.CompleteItems(&drive, false)
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(sharing.LinkTypes, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("scope", cobra.FixedCompletions(sharing.Scopes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// deleteResult is one permission's outcome; it is also the JSON shape printed with -o json.
type deleteResult struct {
	// ID is the permission's id; a link without one (Box: the item is the key) is named by Item.
	ID     string `json:"id,omitempty"`
	Item   string `json:"item,omitempty"`
	Status int    `json:"status"`
	Error  *struct {
		Code    string `json:"code,omitempty"`
		Message string `json:"message"`
	} `json:"error,omitempty"`

	kind, scope string
}

func deleteRun(ctx context.Context, opts *DeleteOptions) error {
	p, t, err := cmdutil.OpenItem(ctx, opts.Sharing, opts.Item)
	if err != nil {
		return err
	}
	item := output.Sanitize(opts.Item.Input)
	// The listing names what is about to go (for the prompt and the report) and finds the
	// inherited links a filter must skip.
	links, err := p.ListLinks(ctx, t, true)
	if err != nil {
		return cmdutil.ItemError("list permissions of", opts.Item, err)
	}
	var targets []*sharing.Link
	if opts.ItSelf && opts.Item.OneLink && len(links) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "No shared link on %s; nothing deleted.\n", item)
		return nil
	}
	if opts.ItSelf {
		l, err := pickLink(p, links, opts.Item)
		if err != nil {
			return err
		}
		targets = append(targets, l)
	} else if len(opts.IDs) > 0 {
		// Ids are deleted as given, even ones the listing doesn't show: the provider has the last word.
		for _, id := range opts.IDs {
			l := &sharing.Link{ID: id}
			for _, q := range links {
				if q.ID == id {
					l = q
				}
			}
			targets = append(targets, l)
		}
	} else {
		for _, l := range links {
			if !l.IsLink || (opts.Type != "" && l.Type != opts.Type) || (opts.Scope != "" && l.Scope != opts.Scope) {
				continue
			}
			if l.Inherited {
				where := "; delete it on the folder it comes from"
				if from := cmdutil.Inherited(l); from != "yes" {
					where = " " + output.Sanitize(from) + "; delete it there"
				}
				fmt.Fprintf(opts.IO.ErrOut, "Skipping %s: inherited%s.\n", output.Sanitize(l.ID), where)
				continue
			}
			targets = append(targets, l)
		}
	}
	if len(targets) == 0 {
		fmt.Fprintf(opts.IO.ErrOut, "No matching links on %s; nothing deleted.\n", item)
		return nil
	}
	if !opts.Yes {
		// Name what is about to go, so the answer is an informed one.
		var q strings.Builder
		if opts.ItSelf {
			q.WriteString("About to delete:\n")
		} else {
			fmt.Fprintf(&q, "About to delete from %s:\n", item)
		}
		for _, l := range targets {
			fmt.Fprintf(&q, "  %s\n", describe(l))
		}
		noun := plural(len(targets), "permission", "permissions")
		if opts.Item.OneLink {
			noun = "shared link" // the item's one link (Box)
		}
		fmt.Fprintf(&q, "Delete %d %s? [y/N] ", len(targets), noun)
		ok, err := confirm(opts.IO, q.String())
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintln(opts.IO.ErrOut, "Nothing deleted.")
			return cmdutil.ErrSilent
		}
	}

	var results []*deleteResult
	failed := false
	var fatal error
	for _, l := range targets {
		r := &deleteResult{ID: l.ID, kind: "-", scope: "-"}
		if l.ID == "" {
			r.Item = opts.Item.Input
		}
		if l.Described {
			r.kind, r.scope = l.Kind, dash(l.Scope)
		}
		status, err := p.DeleteLink(ctx, t, l)
		ae, answered := sharing.AsAPIError(err)
		switch {
		case err == nil:
			r.Status = status
		case answered:
			failed = true
			r.Status = ae.HTTPStatus()
			r.Error = &struct {
				Code    string `json:"code,omitempty"`
				Message string `json:"message"`
			}{Code: ae.ErrorCode(), Message: ae.ErrorMessage()}
			fmt.Fprintf(opts.IO.ErrOut, "delete %s: %v\n", output.Sanitize(r.name()), err)
		default:
			// Not the provider's answer (network, interrupt): what happened to this one is
			// unknown, so stop, report what was done and return the error.
			fatal = fmt.Errorf("delete %s: %w", output.Sanitize(r.name()), err)
		}
		if fatal != nil {
			break
		}
		results = append(results, r)
	}
	if err := writeDeleteResults(opts.IO, opts.Printing, results); err != nil {
		return err
	}
	if fatal != nil {
		return fatal
	}
	if failed {
		return cmdutil.ErrSilent
	}
	return nil
}

func writeDeleteResults(ios *iostreams.IOStreams, pr cmdutil.Printing, results []*deleteResult) error {
	if len(results) == 0 {
		return nil
	}
	if pr.JSON() {
		return pr.WriteValue(ios, results)
	}
	first := "ID"
	if results[0].ID == "" {
		first = "ITEM"
	}
	t := pr.Table(ios, output.Column{Header: first}, output.Column{Header: "TYPE", Drop: 2},
		output.Column{Header: "SCOPE", Drop: 1, Color: output.ScopeColor}, output.Column{Header: "STATUS", Color: output.StatusColor})
	for _, r := range results {
		status := "deleted"
		if r.Error != nil {
			status = fmt.Sprintf("failed (HTTP %d)", r.Status)
		}
		t.AddRow(r.name(), r.kind, r.scope, status)
	}
	return t.Render()
}

// name is what the result is about: the permission id, or the item of a link without one.
func (r *deleteResult) name() string {
	if r.ID != "" {
		return r.ID
	}
	return r.Item
}

// describe names a permission in one line for the prompt: kind, scope, URL or grantees, id.
func describe(l *sharing.Link) string {
	if !l.Described && len(l.Grantees) == 0 {
		return output.Sanitize(l.ID) + " (not among the item's permissions as listed; Graph will say)"
	}
	parts := []string{l.Kind}
	if l.Scope != "" {
		parts = append(parts, l.Scope)
	}
	switch {
	case l.IsLink && l.URL != "":
		parts = append(parts, l.URL)
	case len(l.Grantees) > 0:
		parts = append(parts, "for "+strings.Join(l.Grantees, ", "))
	}
	if l.ID == "" {
		return output.Sanitize(strings.Join(parts, " "))
	}
	return output.Sanitize(strings.Join(parts, " ")) + " (id " + output.Sanitize(l.ID) + ")"
}

// confirm asks a yes/no question on stderr and reads the answer from stdin; only y or yes
// (any case) is yes.
func confirm(ios *iostreams.IOStreams, question string) (bool, error) {
	fmt.Fprint(ios.ErrOut, question)
	line, err := bufio.NewReader(ios.In).ReadString('\n')
	if err != nil && line == "" {
		fmt.Fprintln(ios.ErrOut)
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
