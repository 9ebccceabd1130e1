// Package sharing is odshare's provider-neutral core: the one thing commands talk to. A provider
// (Microsoft Graph for OneDrive and SharePoint; Box) plugs in behind it in two halves, the way
// rclone's backends register an fs.RegInfo and build an fs.Fs:
//
//   - a Parser, pure and always at hand: which item arguments are its own, what they name, which
//     flags and settings it takes. Everything a command settles before a client exists, so a usage
//     error never costs a sign-in or a request.
//   - a Provider, built only when a command runs (it needs the provider's credentials): the calls.
//
// Features only some providers have are optional interfaces a Provider may also implement
// (bulk.Linker, PathCompleter, Inviter, Granter, and later Downloader, Auditor), asked for with As, as rclone
// asks an fs.Fs for fs.PublicLinker.
//
// Values are neutral (Item, Link, LinkSpec, Share, Entry) and keep the provider's own JSON (Raw), so
// -o json prints what the provider sent, unchanged. The package imports the standard library only:
// providers import it, it imports no provider, and commands import nothing else of theirs.
package sharing

import (
	"context"
	"errors"
)

// Provider makes a provider's calls. It is built per command run (Registry.Open) and is safe for
// concurrent use.
type Provider interface {
	// Name is the provider's registry name, as its Parser has it.
	Name() string

	// CreateLink creates a sharing link on the item, or returns the one the item already has for
	// what spec asks, saying which (Status) and what that existing link lacks (Differences).
	CreateLink(ctx context.Context, item Item, spec LinkSpec) (*LinkResult, error)
	// Open resolves the item to where its links live (for Graph, the item's address: a sharing URL
	// is looked up through /shares).
	Open(ctx context.Context, item Item) (Target, error)
	// ListLinks reads the item's sharing links, or every permission on it with all.
	ListLinks(ctx context.Context, t Target, all bool) ([]*Link, error)
	// MatchLink picks, among links listed on the item a sharing URL opens, the link that URL (or
	// share id) is; nil when none is.
	MatchLink(links []*Link, item Item) *Link
	// GetLink reads one link or permission by its id.
	GetLink(ctx context.Context, t Target, id string) (*Link, error)
	// UpdateLink changes a link or permission, sending only what spec gives.
	UpdateLink(ctx context.Context, t Target, id string, spec LinkSpec) (*Link, error)
	// DeleteLink removes a link or permission and returns the HTTP status odshare reports for it.
	// An *APIError-like error (see StatusOf) is the provider's refusal; any other error means the
	// outcome is unknown.
	DeleteLink(ctx context.Context, t Target, l *Link) (status int, err error)

	// GetShare reads what a sharing URL or share id points at (with o.WithItem, the item too).
	GetShare(ctx context.Context, share Item, o ShareOptions) (*Share, error)
	// GetSharedItem reads the item a sharing URL or share id points at.
	GetSharedItem(ctx context.Context, share Item, o ShareOptions) (*Entry, error)
	// ListChildren lists a folder a page at a time: the shared folder itself for the zero Folder,
	// else a folder an Entry of an earlier page gave. each gets every page in order, empty ones
	// included; its error stops the listing and is returned as is.
	ListChildren(ctx context.Context, share Item, folder Folder, o ListOptions, each func([]Entry) error) error
	// SetMaxPages bounds the pages this Provider follows in all its listings together; n < 1 means
	// the provider's default. An error for a listing stopped by the bound has PageLimit (IsPageLimit).
	SetMaxPages(n int)
}

// Target is an item resolved by Provider.Open: what link calls act on. Ref is the provider's own.
type Target struct {
	// Item is the item as parsed.
	Item Item
	// Ref is where the provider found it (for Graph, the item's address).
	Ref any
}

// As returns p as the optional capability T, if it has it.
func As[T any](p Provider) (T, bool) {
	t, ok := p.(T)
	return t, ok
}

// Verbs name what a command does, for Parser.Supports and Parser.CheckSpec.
const (
	VerbLinkCreate    = "link create"
	VerbLinkList      = "link list"
	VerbLinkGet       = "link get"
	VerbLinkUpdate    = "link update"
	VerbLinkDelete    = "link delete"
	VerbShareGet      = "share get"
	VerbShareChildren = "share children"
	// VerbLinkInvite, VerbShareGrant and VerbLinkRevokeGrants are done only by providers whose
	// Parser answers Supports(verb, "") with true (see Registry.CheckVerb).
	VerbLinkInvite       = "link invite"
	VerbShareGrant       = "share grant"
	VerbLinkRevokeGrants = "link revoke-grants"
)

// ErrNotSupported is wrapped by the usage errors that refuse a feature or flag an item's provider
// lacks.
var ErrNotSupported = errors.New("not supported")
