package box

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// Fixture is the seed data of the Box stand-in: enterprises and their sharing policy, users and
// what they own, collaborations, existing shared links and the OAuth apps that may sign in. It
// is plain data with JSON and YAML tags (see doc.go for an example); New copies it, so one
// Fixture can seed many servers.
type Fixture struct {
	// Me is the id or login of the user the authorize page preselects and AutoApprove signs in
	// as; default the first user.
	Me          string              `json:"me,omitempty" yaml:"me,omitempty"`
	Enterprises []FixtureEnterprise `json:"enterprises" yaml:"enterprises"`
	Users       []FixtureUser       `json:"users" yaml:"users"`
	Apps        []FixtureApp        `json:"apps,omitempty" yaml:"apps,omitempty"`
}

// Plans of an enterprise.
const (
	PlanPaid = "paid" // Business, Enterprise: company links, expiry, passwords, vanity names, download_url
	PlanFree = "free" // a free personal account: none of those
)

// Access levels of a shared link, most open first.
const (
	AccessOpen          = "open"
	AccessCompany       = "company"
	AccessCollaborators = "collaborators"
)

// FixtureEnterprise is a Box enterprise (or, with plan free, the account of free users) and its
// admin's shared-link settings [SUP enterprise settings].
type FixtureEnterprise struct {
	ID   string `json:"id" yaml:"id"`
	Name string `json:"name" yaml:"name"`
	// Plan is paid (default) or free.
	Plan string `json:"plan,omitempty" yaml:"plan,omitempty"`
	// Subdomain makes shared links https://{subdomain}.app.box.com/s/...; "" = app.box.com.
	Subdomain string `json:"subdomain,omitempty" yaml:"subdomain,omitempty"`
	// DefaultAccess is the level a link gets when the request names none; default open.
	DefaultAccess string `json:"defaultAccess,omitempty" yaml:"defaultAccess,omitempty"`
	// AllowedAccess lists the levels the admin allows; default all three (free: open and
	// collaborators, since company needs a paid account).
	AllowedAccess []string `json:"allowedAccess,omitempty" yaml:"allowedAccess,omitempty"`
	// CustomURLs allows vanity names (the admin's "custom shared link URLs" setting).
	CustomURLs bool `json:"customURLs,omitempty" yaml:"customURLs,omitempty"`
	// NoEditLinks forbids can_edit links ("allow edit via shared link" off).
	NoEditLinks bool `json:"noEditLinks,omitempty" yaml:"noEditLinks,omitempty"`
	// NoDownloadByDefault makes new links preview-only unless the request asks can_download.
	NoDownloadByDefault bool `json:"noDownloadByDefault,omitempty" yaml:"noDownloadByDefault,omitempty"`
}

// FixtureUser is a user: a managed user of an enterprise, or (ServiceAccount) the service
// account a Client Credentials app acts as with box_subject_type=enterprise. Items are the
// contents of the user's root folder ("0" to that user).
type FixtureUser struct {
	ID         string `json:"id,omitempty" yaml:"id,omitempty"`
	Login      string `json:"login" yaml:"login"`
	Name       string `json:"name" yaml:"name"`
	Enterprise string `json:"enterprise" yaml:"enterprise"`
	// Role is admin, coadmin or user (default).
	Role string `json:"role,omitempty" yaml:"role,omitempty"`
	// Timezone is an IANA zone; Box answers dates in it. Default America/Los_Angeles.
	Timezone string `json:"timezone,omitempty" yaml:"timezone,omitempty"`
	// DeveloperToken, when set, is an access token for this user that never expires, for
	// scripts (Box's developer tokens live 60 minutes; see also POST /_emulator/box/tokens).
	DeveloperToken string        `json:"developerToken,omitempty" yaml:"developerToken,omitempty"`
	ServiceAccount bool          `json:"serviceAccount,omitempty" yaml:"serviceAccount,omitempty"`
	Items          []FixtureItem `json:"items,omitempty" yaml:"items,omitempty"`
}

// Item types, as Box spells them.
const (
	TypeFile    = "file"
	TypeFolder  = "folder"
	TypeWebLink = "web_link"
)

// FixtureItem is a folder, file or web link. Type defaults to folder when the item has Children
// or Generate, web_link when it has a URL, else file. IDs are assigned in fixture order when
// empty (numeric strings, stable for a given fixture).
type FixtureItem struct {
	ID       string    `json:"id,omitempty" yaml:"id,omitempty"`
	Type     string    `json:"type,omitempty" yaml:"type,omitempty"`
	Name     string    `json:"name" yaml:"name"`
	Size     int64     `json:"size,omitempty" yaml:"size,omitempty"`
	URL      string    `json:"url,omitempty" yaml:"url,omitempty"` // web links
	Created  time.Time `json:"created,omitzero" yaml:"created,omitempty"`
	Modified time.Time `json:"modified,omitzero" yaml:"modified,omitempty"`
	// AllowedAccess restricts the shared-link levels of this folder and everything below it
	// (an ancestor folder setting); nil = the enterprise's.
	AllowedAccess  []string               `json:"allowedAccess,omitempty" yaml:"allowedAccess,omitempty"`
	SharedLink     *FixtureLink           `json:"sharedLink,omitempty" yaml:"sharedLink,omitempty"`
	Collaborations []FixtureCollaboration `json:"collaborations,omitempty" yaml:"collaborations,omitempty"`
	Children       []FixtureItem          `json:"children,omitempty" yaml:"children,omitempty"`
	Generate       *FixtureGenerate       `json:"generate,omitempty" yaml:"generate,omitempty"`
}

// FixtureGenerate adds Count files to a folder, named fmt.Sprintf(Name, i) for i = 1..Count, so
// a fixture can hold a folder of 100,000 items without listing them. Generated files are not
// stored one by one: their ids, names and JSON are computed when asked for, so such a folder
// costs memory for its links only.
type FixtureGenerate struct {
	Count int    `json:"count" yaml:"count"`
	Name  string `json:"name" yaml:"name"`
	Size  int64  `json:"size,omitempty" yaml:"size,omitempty"`
}

// FixtureLink is an existing shared link. Token is the part after /s/ (32 lower-case letters
// and digits, as Box's); generated when empty. Password, when set, is what /shared_items must
// be given; the API never returns it.
type FixtureLink struct {
	Token         string    `json:"token,omitempty" yaml:"token,omitempty"`
	Access        string    `json:"access,omitempty" yaml:"access,omitempty"` // default: the enterprise default
	VanityName    string    `json:"vanityName,omitempty" yaml:"vanityName,omitempty"`
	Password      string    `json:"password,omitempty" yaml:"password,omitempty"`
	UnsharedAt    time.Time `json:"unsharedAt,omitzero" yaml:"unsharedAt,omitempty"`
	CanDownload   *bool     `json:"canDownload,omitempty" yaml:"canDownload,omitempty"` // default true
	CanEdit       bool      `json:"canEdit,omitempty" yaml:"canEdit,omitempty"`
	DownloadCount int       `json:"downloadCount,omitempty" yaml:"downloadCount,omitempty"`
	PreviewCount  int       `json:"previewCount,omitempty" yaml:"previewCount,omitempty"`
}

// Collaboration roles [OA allowed_invitee_roles]. Owners, co-owners and editors may manage
// shared links; the others see shared_link null and get 403 for a PUT.
var collabRoles = []string{"editor", "viewer", "previewer", "uploader", "previewer uploader", "viewer uploader", "co-owner"}

// FixtureCollaboration gives User (id or login) Role on an item and everything below it; a
// collaborated folder appears in the collaborator's root folder.
type FixtureCollaboration struct {
	User string `json:"user" yaml:"user"`
	Role string `json:"role" yaml:"role"`
}

// Auth methods of a FixtureApp.
const (
	AuthOAuth = "oauth" // OAuth 2.0 with user authentication: authorization_code and refresh_token
	AuthCCG   = "ccg"   // server authentication with Client Credentials Grant: client_credentials
)

// FixtureApp is an app of the developer console. An oauth app signs users in through
// /api/oauth2/authorize; its RedirectURIs are matched exactly, except that http://localhost and
// http://127.0.0.1 URIs match on any port, as Box allows [G-AUTH]. A ccg app gets tokens for
// its enterprise's service account or, with UserTokens, for the enterprise's users.
type FixtureApp struct {
	ClientID     string   `json:"clientId" yaml:"clientId"`
	ClientSecret string   `json:"clientSecret" yaml:"clientSecret"`
	Name         string   `json:"name" yaml:"name"`
	Auth         string   `json:"auth,omitempty" yaml:"auth,omitempty"` // oauth (default) or ccg
	RedirectURIs []string `json:"redirectURIs,omitempty" yaml:"redirectURIs,omitempty"`
	// Enterprise owns a ccg app (and its service account); oauth apps may leave it empty.
	Enterprise string `json:"enterprise,omitempty" yaml:"enterprise,omitempty"`
	// Unauthorized: the enterprise admin has not authorized this ccg app (unauthorized_client).
	Unauthorized bool `json:"unauthorized,omitempty" yaml:"unauthorized,omitempty"`
	// UserTokens is "App + Enterprise Access" with "Generate user access tokens": a ccg app
	// may then ask for box_subject_type=user.
	UserTokens bool `json:"userTokens,omitempty" yaml:"userTokens,omitempty"`
	// ServiceAccount is the id or login of the user a ccg app acts as for
	// box_subject_type=enterprise; default a service account made for the app.
	ServiceAccount string `json:"serviceAccount,omitempty" yaml:"serviceAccount,omitempty"`
}

// LoadFixture reads a Box fixture from a .json, .yaml or .yml file; unknown keys are errors.
func LoadFixture(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := ParseFixture(data, filepath.Ext(path))
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	return f, nil
}

// ParseFixture decodes a Box fixture; ext is ".json", ".yaml" or ".yml".
func ParseFixture(data []byte, ext string) (*Fixture, error) {
	var f Fixture
	if err := kit.DecodeStrict(data, ext, &f); err != nil {
		return nil, err
	}
	return &f, nil
}
