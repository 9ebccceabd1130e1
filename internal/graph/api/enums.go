// Package api holds Microsoft Graph's wire types for the sharing calls odshare makes, and nothing else.
//
// JSON names are spelled exactly as Graph's v1.0 metadata spells them (testdata/graph-metadata at the repository
// root, tag CSDL); a test checks every tag against that metadata so a wrong name cannot hide behind a
// matching wrong name in the emulator. Like rclone's backend/onedrive/api, the package is stdlib-only and holds
// no behaviour beyond tiny helpers, so the emulator's independent shapes and these can be compared honestly.
package api

// LinkType is the kind of sharing link createLink makes (the request's "type" and sharingLink.type).
//
// The metadata types it as a plain Edm.String; the allowed values come only from Microsoft's prose docs
// [CL1, CLb, SL], so Graph may return values not listed here (addressBar, adminDefault, ...). Treat it as an
// open set when reading.
type LinkType string

// The link types odshare can ask for. view/edit/embed are the v1.0 page's values [CL1]; review,
// blocksDownload and createOnly come from the beta page and work on OneDrive for Business/SharePoint only
// [CLb]; embed works on personal OneDrive only (notes §7).
const (
	LinkView           LinkType = "view"
	LinkEdit           LinkType = "edit"
	LinkEmbed          LinkType = "embed"
	LinkReview         LinkType = "review"
	LinkBlocksDownload LinkType = "blocksDownload"
	LinkCreateOnly     LinkType = "createOnly"
)

// LinkTypes lists the link types odshare accepts on the command line, in the order help text shows them.
var LinkTypes = []LinkType{LinkView, LinkEdit, LinkEmbed, LinkReview, LinkBlocksDownload, LinkCreateOnly}

// LinkScope is who a sharing link works for (the request's "scope" and sharingLink.scope). Like LinkType it
// is a plain string in the metadata, with values from the prose docs [CL1, CLb].
type LinkScope string

// The scopes odshare can ask for. organization is Business/SharePoint only; users is documented on the beta
// page only (notes §7).
const (
	ScopeAnonymous    LinkScope = "anonymous"
	ScopeOrganization LinkScope = "organization"
	ScopeUsers        LinkScope = "users"

	// ScopeExistingAccess appears only in responses (links that grant nothing new, see notes §4 Grant); it
	// is not something createLink accepts, so it is not in LinkScopes.
	ScopeExistingAccess LinkScope = "existingAccess"
)

// LinkScopes lists the scopes odshare accepts on the command line, in the order help text shows them.
var LinkScopes = []LinkScope{ScopeAnonymous, ScopeOrganization, ScopeUsers}
