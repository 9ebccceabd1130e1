package link

import (
	"fmt"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/output"
)

// expiryTolerance is how far an expiry Graph reports may be from the one asked for and still be
// the same: Graph keeps whole seconds, a service may round.
const expiryTolerance = time.Minute

// differences lists, as phrases for people, what the link Graph returned lacks of what was asked:
// a password, an expiry, recipients. createLink returns an item's existing link of the same type
// and scope (200) without applying the new options [CL1], so a person or script must be told.
// Nothing listed means the link carries everything that was asked.
func differences(req api.CreateLinkRequest, p *permission) []string {
	var out []string
	if req.Password != "" && !p.HasPassword {
		out = append(out, "it has no password")
	}
	if req.ExpirationDateTime != "" {
		want, _ := time.Parse(time.RFC3339, req.ExpirationDateTime)
		got, err := time.Parse(time.RFC3339, p.ExpirationDateTime)
		switch {
		case p.ExpirationDateTime == "" || (err == nil && got.IsZero()):
			out = append(out, fmt.Sprintf("it never expires (asked: %s)", output.HumanTime(req.ExpirationDateTime)))
		case err != nil || got.Sub(want).Abs() > expiryTolerance:
			out = append(out, fmt.Sprintf("it expires %s (asked: %s)", output.HumanTime(p.ExpirationDateTime), output.HumanTime(req.ExpirationDateTime)))
		}
	}
	var missing []string
	for _, r := range req.Recipients {
		if !p.grantedToEmail(r.Email) {
			missing = append(missing, r.Email)
		}
	}
	if len(missing) > 0 {
		out = append(out, "it is not for "+strings.Join(missing, ", "))
	}
	return out
}

// lacking names, in a word each, what the differences are about: password, expiry, recipients.
func lacking(diffs []string) []string {
	var out []string
	for _, d := range diffs {
		w := "recipients"
		switch {
		case strings.Contains(d, "password"):
			w = "password"
		case strings.Contains(d, "expires"):
			w = "expiry"
		}
		out = append(out, w)
	}
	return out
}

// grantedToEmail reports whether the permission names the address among the people it is for.
func (p *permission) grantedToEmail(email string) bool {
	for _, e := range p.emails {
		if strings.EqualFold(e, email) {
			return true
		}
	}
	return false
}

// existingLinkError is the refusal of an existing link that lacks what was asked: what differs on
// the first line, the ways to get what was asked on the next.
type existingLinkError struct {
	item  string // as the user gave it
	perm  *permission
	diffs []string
	// expires is --expires as given, for the `link update` hint; empty when the expiry is fine.
	expires   string
	needsNew  bool // a password or recipients: only a new link carries them
	fixExpiry bool
}

func newExistingLinkError(item string, req api.CreateLinkRequest, expiresArg string, p *permission, diffs []string) *existingLinkError {
	e := &existingLinkError{item: item, perm: p, diffs: diffs, expires: expiresArg}
	for _, d := range diffs {
		if strings.HasPrefix(d, "it never expires") || strings.HasPrefix(d, "it expires") {
			e.fixExpiry = true
		} else {
			e.needsNew = true
		}
	}
	return e
}

// Summary is the first line: which link came back and what it lacks.
func (e *existingLinkError) Summary() string {
	what := "a link"
	if e.perm.Link != nil {
		what = fmt.Sprintf("a %s link (scope %s)", e.perm.Link.Type, dash(string(e.perm.Link.Scope)))
	}
	return fmt.Sprintf("%s already has %s and Graph returned it unchanged: %s", output.Sanitize(e.item), what, strings.Join(e.diffs, "; "))
}

// Hint says how to get what was asked.
func (e *existingLinkError) Hint() string {
	item, id := shellQuote(e.item), shellQuote(e.perm.ID)
	var ways []string
	if e.fixExpiry && !e.needsNew {
		ways = append(ways, fmt.Sprintf("set the expiry with `odshare link update %s %s --expires %s`", item, id, shellQuote(e.expires)))
	}
	ways = append(ways, fmt.Sprintf("delete it with `odshare link delete %s %s` and run this again", item, id))
	return "To get what you asked: " + strings.Join(ways, ", or ") + "; or pass --allow-existing to accept the existing link."
}

func (e *existingLinkError) Error() string { return e.Summary() + "\n" + e.Hint() }

// shellQuote quotes s for a POSIX shell when it holds anything but plain characters, so a hint
// can be pasted as is.
func shellQuote(s string) string {
	s = output.Sanitize(s)
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:,@%=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
