package bulk

import (
	"context"
	"errors"
	"net/http"

	"github.com/odshare/odshare/internal/sharing"
)

// RevokeCheck is what reading an item again after a link's removal found, for RevokeOutcome.
type RevokeCheck struct {
	// Read is true when the item was read again; Err says why not, when it was tried.
	Read bool
	Err  *Error
	// Lists is true when the read still shows the link.
	Lists bool
	// Note, when set, is said of a link found gone (Box: the item has another link now).
	Note string
}

// MayBeGone reports whether a removal's result leaves the link possibly gone: removed as far as
// the provider said (2xx), already gone (404), or sent without an answer. Only those are read
// again.
func MayBeGone(r Result) bool {
	switch {
	case r.Err == nil:
		return true
	case r.Status == http.StatusNotFound:
		return true
	case r.Err.Code == OutcomeUnknown || r.Status == 0 && r.Err.Code == "requestFailed":
		return true
	}
	return false
}

// RevokeOutcome settles one link of a revoke from its removal's result and the read of its item
// afterwards (nil when none was made): revoked only when the read no longer shows it, still
// present when the provider (service, "Graph") answered success and the read shows it, failed
// when the provider refused, unverified when the item could not be read again.
func RevokeOutcome(service string, f *sharing.Finding, del Result, ch *RevokeCheck) sharing.RevokeResult {
	out := sharing.RevokeResult{Finding: f, Status: del.Status}
	if del.Err != nil {
		out.Code, out.Message = del.Err.Code, del.Err.Message
	}
	switch {
	case !MayBeGone(del):
		out.Outcome = sharing.RevokeFailed
	case ch == nil || !ch.Read:
		out.Outcome = sharing.RevokeUnverified
		why := "the run stopped before its item was read again"
		if ch != nil && ch.Err != nil {
			why = "its item could not be read again (" + ch.Err.Error() + ")"
		}
		if del.Err == nil {
			out.Code, out.Message = "unverified", service+" answered "+StatusLine(del.Status)+", but "+why
		} else {
			out.Message += "; " + why
		}
	case !ch.Lists:
		out.Outcome = sharing.RevokeRevoked
		switch {
		case del.Status == http.StatusNotFound:
			out.Code, out.Message = "", service+" answered HTTP 404: it was gone already (an earlier attempt whose answer was lost may have removed it)"
		case del.Err != nil:
			out.Code, out.Message = "", "the removal got no answer, but the link is gone"
		}
		if ch.Note != "" {
			if out.Message != "" {
				out.Message += "; "
			}
			out.Message += ch.Note
		}
	case del.Err == nil:
		out.Outcome = sharing.RevokeSurvived
		out.Code, out.Message = "linkStillPresent", service+" answered "+StatusLine(del.Status)+" but still lists the link"
	default:
		out.Outcome = sharing.RevokeFailed
		out.Message += "; the link is still there"
	}
	return out
}

// SkipFromAbove starts a revoke: every link's outcome slot, in the order given, filled at once for
// the links not to be removed (from above the audited item, or without a place to remove them
// from: removable false), and the positions of the others.
func SkipFromAbove(links []*sharing.Finding, removable func(*sharing.Finding) bool) ([]*sharing.RevokeResult, []int) {
	outcomes := make([]*sharing.RevokeResult, len(links))
	var todo []int
	for i, f := range links {
		if f.FromAbove || !removable(f) {
			outcomes[i] = &sharing.RevokeResult{Finding: f, Outcome: sharing.RevokeSkipped, Message: sharing.SkippedFromAbove}
			continue
		}
		todo = append(todo, i)
	}
	return outcomes, todo
}

// EndsRevoke reports whether the error of a run of removals ends the revoke at once. An
// interruption, an authentication failure or a stall does not: the links' outcomes so far are
// still reported (unverified where no read afterwards could be made).
func EndsRevoke(ctx context.Context, err error) bool {
	var stalled *StalledError
	return err != nil && ctx.Err() == nil && !sharing.IsUnauthorized(err) && !sharing.IsCredentialError(err) && !errors.As(err, &stalled)
}

// Progress reports pr to o.OnProgress, when set.
func Progress(o sharing.AuditOptions, pr sharing.AuditProgress) {
	if o.OnProgress != nil {
		o.OnProgress(pr)
	}
}
