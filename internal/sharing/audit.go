package sharing

import (
	"context"
	"time"
)

// VerbLinkAudit is `link audit`, for Parser.Supports and Parser.CheckSpec.
const VerbLinkAudit = "link audit"

// Auditor is a Provider that can find every sharing link at or below an item and revoke what it
// found (ask with As[Auditor]): Graph through one delta enumeration and batched permission reads,
// Box through one folder walk.
type Auditor interface {
	// Audit finds the sharing links defined at or below the item, and those defined above it that
	// also expose it (once, at the item, FromAbove). each gets every link once, as soon as it is
	// known where the link is defined, in the tree's order (an item's links before those of the
	// items below it); its error stops the audit and is returned as is. Items the provider could
	// not read are reported to o.OnItemError and counted in the summary; they do not stop the audit.
	Audit(ctx context.Context, item Item, o AuditOptions, each func(*Finding) error) (*AuditSummary, error)
	// Revoke removes the links and then reads the items they were on again, to check that each one
	// is gone: a provider may answer success and keep the link. each gets every link's outcome
	// once. The error is for the run as a whole (interrupted, authentication); the links' own
	// failures are in their outcomes.
	Revoke(ctx context.Context, links []*Finding, o AuditOptions, each func(RevokeResult) error) error
	// ResultKey is the key of the provider's object in odshare's JSON for one finding
	// ({"path", "itemId", …, <key>}): "permission" for Graph.
	ResultKey() string
}

// AuditOptions tune an audit or a revoke.
type AuditOptions struct {
	// Concurrency is how many batches of requests may be in flight; 0 means the provider's default.
	Concurrency int
	// Budget, when > 0, is the most resource units (SharePoint's cost model: 1 a get, 2 a listing,
	// 5 a permission operation) the run spends a minute, paced on the client, for tenants that must
	// leave most of their budget to others. 0 paces only by what the provider says.
	Budget int
	// OnProgress, when set, hears how the run is going; calls are serialized.
	OnProgress func(AuditProgress)
	// OnItemError, when set, hears of each item whose links could not be read; calls are serialized.
	OnItemError func(ItemFailure)
	// OnWait, when set, hears of each pause the run makes, and why ("throttled by Graph").
	OnWait func(why string, d time.Duration)
}

// AuditProgress is how far an audit or a revoke has come.
type AuditProgress struct {
	// Phase is what the run is doing: PhaseScan, PhaseRead, PhaseRevoke or PhaseVerify.
	Phase string
	// Scanned is how many items the enumeration has seen.
	Scanned int
	// Candidates is how many of them may have links of their own and are read.
	Candidates int
	// Done is how many candidates (PhaseRead), links (PhaseRevoke) or items (PhaseVerify) are
	// finished; Total how many there are, 0 while unknown (the enumeration's count is known only at
	// its end).
	Done, Total int
	// Links is how many links were found so far.
	Links int
}

// The phases of AuditProgress.
const (
	PhaseScan   = "scan"
	PhaseRead   = "read"
	PhaseRevoke = "revoke"
	PhaseVerify = "verify"
)

// ItemFailure is an item whose links could not be read (or, in a revoke, checked).
type ItemFailure struct {
	// Path is the item's path.
	Path string
	// Status is the provider's HTTP status; 0 when none came back.
	Status int
	// Code and Message are the provider's error, or odshare's own.
	Code, Message string
}

// Finding is one sharing link an audit found, where it is defined.
type Finding struct {
	// Path is the path, from the drive's root, of the item the link is defined on ("/" for the
	// root); for a link from above, the audited item's.
	Path string
	// ItemID is that item's id.
	ItemID string
	// Link is the link, its Raw the provider's object unchanged.
	Link *Link
	// FromAbove is true for a link defined on a folder above the audited item, which exposes it
	// too: it is reported once, at the audited item, and not revoked there.
	FromAbove bool
	// SharedBy and SharedAt are who shared the item and when, where the provider says (Graph's
	// shared facet: about the item's sharing, not necessarily this link).
	SharedBy, SharedAt string
	// Ref is the provider's: where the link can be removed.
	Ref any
}

// Revoke outcomes.
const (
	// RevokeRevoked is a link the provider removed, and a read afterwards no longer lists.
	RevokeRevoked = "revoked"
	// RevokeFailed is a link the provider refused to remove (or whose removal never got an answer
	// and that is still there).
	RevokeFailed = "failed"
	// RevokeSurvived is a link the provider said it removed, but that a read afterwards still lists.
	RevokeSurvived = "still present"
	// RevokeUnverified is a link removed as far as the provider said, whose item could not be read
	// again to check.
	RevokeUnverified = "unverified"
	// RevokeSkipped is a link not sent for removal: one from above the audited item.
	RevokeSkipped = "skipped"
)

// SkippedFromAbove is why a link from above the audited item is not revoked.
const SkippedFromAbove = "defined on a folder above the audited item: audit that folder to revoke it"

// RevokeResult is what happened to one link of a revoke.
type RevokeResult struct {
	// Finding is the link.
	Finding *Finding
	// Outcome is one of the Revoke* outcomes.
	Outcome string
	// Status is the HTTP status of the removal (204), or of its refusal; 0 when none came back.
	Status int
	// Code and Message say why it was not revoked (the provider's error, or odshare's words).
	Code, Message string
}

// OK reports whether the link is known to be gone, or was left alone on purpose.
func (r RevokeResult) OK() bool { return r.Outcome == RevokeRevoked || r.Outcome == RevokeSkipped }

// AuditSummary is what an audit did in all.
type AuditSummary struct {
	// Scanned is how many items the enumeration saw; Candidates how many were read.
	Scanned, Candidates int
	// Links is how many links were found (before any filter of the command's).
	Links int
	// Failed is how many items could not be read.
	Failed int
	// Resyncs is how many times the enumeration had to start over.
	Resyncs int
}

// AuditColumner is an Auditor whose links have columns of their own in an audit's table: the
// names of Link.Extra fields, in order (Box: effective access, vanity url).
type AuditColumner interface {
	AuditColumns() []string
}
