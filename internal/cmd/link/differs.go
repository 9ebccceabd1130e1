package link

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// lacking names, in a word each, what the differences are about: password, expiry, recipients.
func lacking(diffs []sharing.Difference) []string {
	out := make([]string, len(diffs))
	for i, d := range diffs {
		out[i] = d.Setting
	}
	return out
}

// linkArgs are the link settings as given on the command line, for the `link update` hint of an
// existing link that lacks some of them.
type linkArgs struct {
	scope, linkType, vanity, expires string
	canDownload                      *bool
}

// updateFlag is the `link update` flag that sets what a difference is about, as the user gave it;
// "" when there is none.
func (a linkArgs) updateFlag(setting string) string {
	switch setting {
	case "expiry":
		return "--expires " + shellQuote(a.expires)
	case "scope":
		return "--scope " + shellQuote(a.scope)
	case "type":
		return "--type " + shellQuote(a.linkType)
	case "vanity name":
		return "--vanity-name " + shellQuote(a.vanity)
	case "password":
		return "--password-stdin"
	case "download":
		if a.canDownload != nil {
			return "--can-download=" + strconv.FormatBool(*a.canDownload)
		}
	}
	return ""
}

// existingLinkError is the refusal of an existing link that lacks what was asked: what differs on
// the first line, the ways to get what was asked on the next.
type existingLinkError struct {
	item  string // as the user gave it
	link  *sharing.Link
	diffs []sharing.Difference
	// keptBy says who left the link as it was: the provider that returned it unchanged (Graph's
	// createLink), or odshare, which sent nothing (StatusDiffers: Box, whose PUT would change it).
	keptBy string
	args   linkArgs
	// update lists the `link update` flags that would set every difference; empty when one of
	// them needs a new link (a password or recipients on Graph).
	update []string
}

// newExistingLinkError refuses res's link. oneLink says the item has one link only (Box), which
// odshare read rather than change: it then says it left the link unchanged.
func newExistingLinkError(item, service string, args linkArgs, res *sharing.LinkResult, oneLink bool) *existingLinkError {
	e := &existingLinkError{item: item, link: res.Link, diffs: res.Differences, args: args,
		keptBy: service + " returned it unchanged"}
	if res.Status == sharing.StatusDiffers || oneLink {
		e.keptBy = "odshare left it unchanged"
	}
	for _, d := range res.Differences {
		f := args.updateFlag(d.Setting)
		if !d.Updatable || f == "" {
			e.update = nil
			break
		}
		if !contains(e.update, f) {
			e.update = append(e.update, f)
		}
	}
	return e
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Summary is the first line: which link came back and what it lacks.
func (e *existingLinkError) Summary() string {
	what := "a link"
	if e.link.IsLink {
		what = fmt.Sprintf("a %s link (scope %s)", e.link.Type, dash(e.link.Scope))
	}
	return fmt.Sprintf("%s already has %s and %s: %s", output.Sanitize(e.item), what, e.keptBy, strings.Join(sharing.Texts(e.diffs), "; "))
}

// Hint says how to get what was asked.
func (e *existingLinkError) Hint() string {
	target := shellQuote(e.item)
	if e.link.ID != "" {
		target += " " + shellQuote(e.link.ID)
	}
	var ways []string
	if len(e.update) > 0 {
		what := "change it"
		if len(e.update) == 1 && strings.HasPrefix(e.update[0], "--expires ") {
			what = "set the expiry"
		}
		ways = append(ways, fmt.Sprintf("%s with `odshare link update %s %s`", what, target, strings.Join(e.update, " ")))
	}
	ways = append(ways, fmt.Sprintf("delete it with `odshare link delete %s` and run this again", target))
	return "To get what you asked: " + strings.Join(ways, ", or ") + "; or pass --allow-existing to accept the existing link."
}

func (e *existingLinkError) Error() string { return e.Summary() + "\n" + e.Hint() }
