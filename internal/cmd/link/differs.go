package link

import (
	"fmt"
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

// existingLinkError is the refusal of an existing link that lacks what was asked: what differs on
// the first line, the ways to get what was asked on the next.
type existingLinkError struct {
	item  string // as the user gave it
	link  *sharing.Link
	diffs []sharing.Difference
	// expires is --expires as given, for the `link update` hint; empty when the expiry is fine.
	expires   string
	needsNew  bool // something only a new link carries (a password, recipients)
	fixExpiry bool
}

func newExistingLinkError(item, expiresArg string, l *sharing.Link, diffs []sharing.Difference) *existingLinkError {
	e := &existingLinkError{item: item, link: l, diffs: diffs, expires: expiresArg}
	for _, d := range diffs {
		if d.Setting == "expiry" {
			e.fixExpiry = true
		}
		if !d.Updatable {
			e.needsNew = true
		}
	}
	return e
}

// Summary is the first line: which link came back and what it lacks.
func (e *existingLinkError) Summary() string {
	what := "a link"
	if e.link.IsLink {
		what = fmt.Sprintf("a %s link (scope %s)", e.link.Type, dash(e.link.Scope))
	}
	return fmt.Sprintf("%s already has %s and Graph returned it unchanged: %s", output.Sanitize(e.item), what, strings.Join(sharing.Texts(e.diffs), "; "))
}

// Hint says how to get what was asked.
func (e *existingLinkError) Hint() string {
	item, id := shellQuote(e.item), shellQuote(e.link.ID)
	var ways []string
	if e.fixExpiry && !e.needsNew {
		ways = append(ways, fmt.Sprintf("set the expiry with `odshare link update %s %s --expires %s`", item, id, shellQuote(e.expires)))
	}
	ways = append(ways, fmt.Sprintf("delete it with `odshare link delete %s %s` and run this again", item, id))
	return "To get what you asked: " + strings.Join(ways, ", or ") + "; or pass --allow-existing to accept the existing link."
}

func (e *existingLinkError) Error() string { return e.Summary() + "\n" + e.Hint() }
