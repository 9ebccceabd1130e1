package emulator

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// Fixture is the seed data of an emulator: who exists, which drives they own and what is in them.
// It is plain data with JSON and YAML tags so users can write their own (see doc.go for an example);
// New copies it into the store, so a Fixture can be reused for many servers.
type Fixture struct {
	// Me is the id or userPrincipalName of the user the default Authenticate acts as ("/me").
	Me string `json:"me" yaml:"me"`
	// Tenant names the SharePoint host (https://{tenant}.sharepoint.com); default "contoso".
	Tenant string `json:"tenant,omitempty" yaml:"tenant,omitempty"`
	// Application is the app that createLink attributes new links to (sharingLink.application).
	Application *FixtureIdentity `json:"application,omitempty" yaml:"application,omitempty"`
	Users       []FixtureUser    `json:"users" yaml:"users"`
	Drives      []FixtureDrive   `json:"drives" yaml:"drives"`
	Groups      []FixtureGroup   `json:"groups,omitempty" yaml:"groups,omitempty"`
	Sites       []FixtureSite    `json:"sites,omitempty" yaml:"sites,omitempty"`
	// NotifyFailures maps recipients' e-mail addresses to the inner error code invite reports
	// when it grants them access but can't notify them (207 Multi-Status): one of
	// accountVerificationRequired, hipCheckRequired, exchangeInvalidUser,
	// exchangeOutOfMailboxQuota, exchangeMaxRecipients [INV].
	NotifyFailures map[string]string `json:"notifyFailures,omitempty" yaml:"notifyFailures,omitempty"`
}

// FixtureIdentity is a Graph identity (id and displayName).
type FixtureIdentity struct {
	ID          string `json:"id" yaml:"id"`
	DisplayName string `json:"displayName" yaml:"displayName"`
}

// FixtureUser is a user of the tenant. Drive is the id of the drive /me/drive and /users/{id}/drive
// return; when empty it is the first drive the user owns.
type FixtureUser struct {
	ID                string `json:"id" yaml:"id"`
	UserPrincipalName string `json:"userPrincipalName" yaml:"userPrincipalName"`
	DisplayName       string `json:"displayName" yaml:"displayName"`
	Mail              string `json:"mail,omitempty" yaml:"mail,omitempty"`
	Drive             string `json:"drive,omitempty" yaml:"drive,omitempty"`
}

// FixtureGroup is a Microsoft 365 group; /groups/{id}/drive returns Drive.
type FixtureGroup struct {
	ID          string `json:"id" yaml:"id"`
	DisplayName string `json:"displayName" yaml:"displayName"`
	Drive       string `json:"drive" yaml:"drive"`
}

// FixtureSite is a SharePoint site; /sites/{id}/drive returns Drive. Name is the URL name
// (https://{tenant}.sharepoint.com/sites/{name}).
type FixtureSite struct {
	ID          string `json:"id" yaml:"id"`
	Name        string `json:"name" yaml:"name"`
	DisplayName string `json:"displayName" yaml:"displayName"`
	Drive       string `json:"drive" yaml:"drive"`
}

// Drive types, as Graph spells drive.driveType.
const (
	DriveTypePersonal        = "personal"
	DriveTypeBusiness        = "business"
	DriveTypeDocumentLibrary = "documentLibrary"
)

// FixtureDrive is a drive and its tree. Owner is a user id or UPN (personal and business drives);
// Group or Site name the owner of a documentLibrary. Items are the children of the drive's root.
type FixtureDrive struct {
	ID        string        `json:"id" yaml:"id"`
	Name      string        `json:"name,omitempty" yaml:"name,omitempty"`
	DriveType string        `json:"driveType" yaml:"driveType"`
	Owner     string        `json:"owner,omitempty" yaml:"owner,omitempty"`
	Group     string        `json:"group,omitempty" yaml:"group,omitempty"`
	Site      string        `json:"site,omitempty" yaml:"site,omitempty"`
	WebURL    string        `json:"webUrl,omitempty" yaml:"webUrl,omitempty"`
	Items     []FixtureItem `json:"items,omitempty" yaml:"items,omitempty"`
}

// FixtureItem is a file or folder. It is a folder when Folder is set or it has Children or Generate.
// ID and WebURL are derived when empty (ids are stable: they depend only on the fixture).
type FixtureItem struct {
	ID          string              `json:"id,omitempty" yaml:"id,omitempty"`
	Name        string              `json:"name" yaml:"name"`
	Folder      bool                `json:"folder,omitempty" yaml:"folder,omitempty"`
	Size        int64               `json:"size,omitempty" yaml:"size,omitempty"`
	MimeType    string              `json:"mimeType,omitempty" yaml:"mimeType,omitempty"`
	Created     time.Time           `json:"createdDateTime,omitzero" yaml:"createdDateTime,omitempty"`
	Modified    time.Time           `json:"lastModifiedDateTime,omitzero" yaml:"lastModifiedDateTime,omitempty"`
	WebURL      string              `json:"webUrl,omitempty" yaml:"webUrl,omitempty"`
	Children    []FixtureItem       `json:"children,omitempty" yaml:"children,omitempty"`
	Generate    *FixtureGenerate    `json:"generate,omitempty" yaml:"generate,omitempty"`
	Tree        *FixtureTree        `json:"tree,omitempty" yaml:"tree,omitempty"`
	Permissions []FixturePermission `json:"permissions,omitempty" yaml:"permissions,omitempty"`
}

// FixtureTree fills a folder with a generated tree of Items items (folders and files, not
// counting the folder itself), breadth first: each folder gets Files files, then Fanout
// subfolders, until Items exist. Shared of them, spread evenly in creation order (folders and
// files alike), get a sharing link each, so a scan has permission roots whose links their
// descendants inherit. Links cycle through view and edit and, on business drives and libraries,
// through the scopes anonymous, organization and users (for SharedWith); OneDrive personal gets
// anonymous links. Everything is derived from the counts, so ids and links are the same on every
// run.
type FixtureTree struct {
	Items      int    `json:"items" yaml:"items"`
	Fanout     int    `json:"fanout" yaml:"fanout"` // subfolders per folder, >= 1
	Files      int    `json:"files" yaml:"files"`   // files per folder
	Shared     int    `json:"shared,omitempty" yaml:"shared,omitempty"`
	Size       int64  `json:"size,omitempty" yaml:"size,omitempty"` // bytes per file
	MimeType   string `json:"mimeType,omitempty" yaml:"mimeType,omitempty"`
	SharedWith string `json:"sharedWith,omitempty" yaml:"sharedWith,omitempty"` // recipient of "users" links; default guest@fabrikam.example
}

// FixtureGenerate adds Count files to a folder, named fmt.Sprintf(Name, i) for i = 1..Count, so a
// fixture can hold a folder big enough to page without listing every file. Name holds exactly one %d,
// with a width of at most two digits ("file-%04d.txt").
type FixtureGenerate struct {
	Count    int    `json:"count" yaml:"count"`
	Name     string `json:"name" yaml:"name"`
	Size     int64  `json:"size,omitempty" yaml:"size,omitempty"`
	MimeType string `json:"mimeType,omitempty" yaml:"mimeType,omitempty"`
}

// FixturePermission is an existing permission. With Link it is a sharing link (the webUrl and
// shareId then resolve through /shares); without, a direct grant to GrantedTo.
// Roles default from the link type as createLink would set them.
type FixturePermission struct {
	ID                 string       `json:"id,omitempty" yaml:"id,omitempty"`
	Roles              []string     `json:"roles,omitempty" yaml:"roles,omitempty"`
	ShareID            string       `json:"shareId,omitempty" yaml:"shareId,omitempty"`
	Link               *FixtureLink `json:"link,omitempty" yaml:"link,omitempty"`
	ExpirationDateTime time.Time    `json:"expirationDateTime,omitzero" yaml:"expirationDateTime,omitempty"`
	HasPassword        bool         `json:"hasPassword,omitempty" yaml:"hasPassword,omitempty"`
	// GrantedTo lists user ids, UPNs or e-mail addresses (grantedToIdentitiesV2 for links,
	// grantedToV2 for a direct grant, which then has roles ["read"] unless Roles says otherwise).
	GrantedTo []string `json:"grantedTo,omitempty" yaml:"grantedTo,omitempty"`
	// Invitation makes a direct permission an e-mail invitation not yet redeemed [PR].
	Invitation *FixtureInvitation `json:"invitation,omitempty" yaml:"invitation,omitempty"`
}

// FixtureInvitation is the sharingInvitation of a FixturePermission; invitedBy is the drive's
// owner.
type FixtureInvitation struct {
	Email          string `json:"email" yaml:"email"`
	SignInRequired bool   `json:"signInRequired,omitempty" yaml:"signInRequired,omitempty"`
}

// FixtureLink is the sharingLink of a FixturePermission.
type FixtureLink struct {
	Type   string `json:"type" yaml:"type"`
	Scope  string `json:"scope" yaml:"scope"`
	WebURL string `json:"webUrl" yaml:"webUrl"`
}

// LoadFixture reads a fixture from a .json, .yaml or .yml file. Unknown fields are errors, so a
// misspelt key in a hand-written fixture is reported instead of silently ignored.
func LoadFixture(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f Fixture
	if err := kit.DecodeStrict(data, filepath.Ext(path), &f); err != nil {
		return nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	return &f, nil
}
