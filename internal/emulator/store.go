package emulator

import (
	"crypto/sha1"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// maxGenerate bounds FixtureGenerate.Count: a million files still builds in a few seconds.
const maxGenerate = 1_000_000

// store is the in-memory state built from a Fixture. Every access goes through Server.mu.
type store struct {
	tenant string
	app    FixtureIdentity
	me     string // user id of "/me"

	users      []*user
	usersByKey map[string]*user // lower-cased id, UPN and mail
	drives     map[string]*drive
	groups     map[string]*drive
	siteList   []*site
	items      map[string]*item // lower-cased id
	links      map[string]*perm // normalised link webUrl
	shareIDs   map[string]*perm
	itemURLs   map[string]*item // normalised item webUrl

	// Change tracking for delta: every change to an item (content, permissions) takes the next
	// seq and is logged in order; tokens below deltaFloor are stale (410 resync).
	seq        int64
	changeLog  []change
	deltaFloor int64

	notifyFailures map[string]string // lower-cased e-mail -> invite's inner code
}

// change is one entry of the change log: the item changed at seq.
type change struct {
	seq int64
	it  *item
}

type user struct {
	id, upn, displayName, mail string
	drive                      string
}

type drive struct {
	id, name, driveType, webURL string
	owner                       *user
	groupID, groupName          string
	siteID, siteName            string
	root                        *item
	nextID                      int // personal item id counter
	created                     time.Time
	order                       []*item // the drive's items in pre-order (parents first), for delta
}

type item struct {
	id, name, mime, webURL string
	folder                 bool
	size                   int64
	created, modified      time.Time
	drive                  *drive
	parent                 *item
	children               []*item
	byName                 map[string]*item // lower-cased name -> child, so lookups and fixture builds stay O(1)
	total                  int64            // treeSize, computed once the fixture is built and after content changes
	perms                  []*perm
	pre, desc              int   // index in drive.order and number of descendants: the subtree is order[pre : pre+1+desc]
	changed                int64 // seq of the last change (0: as built from the fixture)
	changedAt              time.Time
	sharingChanged         int64 // seq of the last permission change
	hadUnique              bool  // had permissions of its own at some time (hierarchicalsharing's empty facet)
	version                int   // content version: eTag and cTag end with it; the content stream is seeded by it
	hashVersion            int   // the version hashDoc was computed for (0: not yet)
	hashDoc                hashesDoc
}

type perm struct {
	id          string
	roles       []string
	shareID     string
	link        *linkInfo
	expires     time.Time
	hasPassword bool
	grantedTo   []recipient
	invitation  *invitationInfo // an e-mail invitation not yet redeemed [PR]
	item        *item
}

// invitationInfo is a permission's sharingInvitation [CSDL].
type invitationInfo struct {
	email          string
	signInRequired bool
	invitedBy      *user
}

type linkInfo struct {
	typ, scope, webURL, webHTML string
	preventsDownload            bool
	app                         FixtureIdentity
}

// recipient is a resolved driveRecipient: user is set when it names a tenant user.
type recipient struct {
	email, alias, objectID string
	user                   *user
}

// key returns the identity of a recipient for comparing recipient sets.
func (r recipient) key() string {
	if r.user != nil {
		return "u:" + strings.ToLower(r.user.id)
	}
	return "e:" + strings.ToLower(r.email+"|"+r.alias+"|"+r.objectID)
}

func lower(s string) string { return strings.ToLower(s) }

// newStore validates f and builds the store. Ids missing from the fixture are derived from the
// drive and the item's path, so they are the same on every run.
func newStore(f *Fixture) (*store, error) {
	n := 0
	for _, fd := range f.Drives {
		n += 1 + countItems(fd.Items)
	}
	st := &store{
		tenant:     f.Tenant,
		usersByKey: map[string]*user{},
		drives:     map[string]*drive{},
		groups:     map[string]*drive{},
		items:      make(map[string]*item, n),
		links:      map[string]*perm{},
		shareIDs:   map[string]*perm{},
		itemURLs:   make(map[string]*item, n),
	}
	if st.tenant == "" {
		st.tenant = "contoso"
	}
	st.notifyFailures = map[string]string{}
	for email, code := range f.NotifyFailures {
		if _, ok := notifyFailureCodes[code]; !ok {
			return nil, fmt.Errorf("fixture: notifyFailures[%q]: code %q unknown (want accountVerificationRequired, hipCheckRequired, exchangeInvalidUser, exchangeOutOfMailboxQuota or exchangeMaxRecipients)", email, code)
		}
		st.notifyFailures[lower(email)] = code
	}
	st.app = FixtureIdentity{ID: DemoApplicationID, DisplayName: DemoApplicationName}
	if f.Application != nil {
		st.app = *f.Application
	}
	for _, fu := range f.Users {
		if fu.ID == "" || fu.UserPrincipalName == "" {
			return nil, errors.New("fixture: a user needs id and userPrincipalName")
		}
		u := &user{id: fu.ID, upn: fu.UserPrincipalName, displayName: fu.DisplayName, mail: fu.Mail, drive: fu.Drive}
		for _, k := range []string{fu.ID, fu.UserPrincipalName, fu.Mail} {
			if k == "" {
				continue
			}
			if other, dup := st.usersByKey[lower(k)]; dup && other != u {
				return nil, fmt.Errorf("fixture: duplicate user key %q", k)
			}
			st.usersByKey[lower(k)] = u
		}
		st.users = append(st.users, u)
	}
	groupNames := map[string]string{}
	for _, g := range f.Groups {
		groupNames[lower(g.ID)] = g.DisplayName
	}
	siteNames := map[string]string{}
	for _, s := range f.Sites {
		siteNames[lower(s.ID)] = s.Name
	}
	for _, fd := range f.Drives {
		if fd.ID == "" {
			return nil, errors.New("fixture: a drive needs an id")
		}
		if _, dup := st.drives[lower(fd.ID)]; dup {
			return nil, fmt.Errorf("fixture: duplicate drive id %q", fd.ID)
		}
		d := &drive{id: fd.ID, name: fd.Name, driveType: fd.DriveType, webURL: fd.WebURL,
			groupID: fd.Group, siteID: fd.Site, nextID: 101,
			created: time.Date(2023, 1, 10, 8, 0, 0, 0, time.UTC)}
		switch d.driveType {
		case DriveTypePersonal, DriveTypeBusiness:
			d.owner = st.usersByKey[lower(fd.Owner)]
			if d.owner == nil {
				return nil, fmt.Errorf("fixture: drive %q: owner %q is not a user", fd.ID, fd.Owner)
			}
		case DriveTypeDocumentLibrary:
			if fd.Group != "" {
				n, ok := groupNames[lower(fd.Group)]
				if !ok {
					return nil, fmt.Errorf("fixture: drive %q: group %q unknown", fd.ID, fd.Group)
				}
				d.groupName = n
			}
			if fd.Site != "" {
				n, ok := siteNames[lower(fd.Site)]
				if !ok {
					return nil, fmt.Errorf("fixture: drive %q: site %q unknown", fd.ID, fd.Site)
				}
				d.siteName = n
			}
			if fd.Owner != "" {
				d.owner = st.usersByKey[lower(fd.Owner)]
			}
		default:
			return nil, fmt.Errorf("fixture: drive %q: driveType %q (want personal, business or documentLibrary)", fd.ID, fd.DriveType)
		}
		if d.name == "" {
			d.name = "OneDrive"
			if d.driveType == DriveTypeDocumentLibrary {
				d.name = "Documents"
			}
		}
		if d.webURL == "" {
			d.webURL = st.defaultDriveURL(d)
		}
		st.drives[lower(d.id)] = d
		root := &item{version: 1, id: st.rootID(d), name: "root", folder: true, drive: d, created: d.created, modified: d.created}
		d.root = root
		if err := st.addItem(root); err != nil {
			return nil, err
		}
		for _, fi := range fd.Items {
			if err := st.buildItem(root, fi); err != nil {
				return nil, fmt.Errorf("fixture: drive %q: %w", fd.ID, err)
			}
		}
	}
	for _, g := range f.Groups {
		d := st.drives[lower(g.Drive)]
		if d == nil {
			return nil, fmt.Errorf("fixture: group %q: drive %q unknown", g.ID, g.Drive)
		}
		st.groups[lower(g.ID)] = d
	}
	for _, s := range f.Sites {
		d := st.drives[lower(s.Drive)]
		if d == nil {
			return nil, fmt.Errorf("fixture: site %q: drive %q unknown", s.ID, s.Drive)
		}
		st.siteList = append(st.siteList, &site{id: s.ID, name: s.Name, displayName: s.DisplayName, drive: d})
	}
	for _, u := range st.users {
		if u.drive == "" {
			for _, fd := range f.Drives {
				if d := st.drives[lower(fd.ID)]; d.owner == u {
					u.drive = d.id
					break
				}
			}
		} else if st.drives[lower(u.drive)] == nil {
			return nil, fmt.Errorf("fixture: user %q: drive %q unknown", u.upn, u.drive)
		}
	}
	for _, d := range st.drives {
		computeSizes(d.root)
		d.order = make([]*item, 0, 64)
		preorder(d, d.root)
	}
	me := st.usersByKey[lower(f.Me)]
	if f.Me != "" && me == nil {
		return nil, fmt.Errorf("fixture: me %q is not a user", f.Me)
	}
	if me == nil && len(st.users) > 0 {
		me = st.users[0]
	}
	if me != nil {
		st.me = me.id
	}
	return st, nil
}

// countItems counts a fixture's items, generated ones included, to size the maps up front.
func countItems(items []FixtureItem) int {
	n := 0
	for _, fi := range items {
		n += 1 + countItems(fi.Children)
		if g := fi.Generate; g != nil && g.Count > 0 && g.Count <= maxGenerate {
			n += g.Count
		}
		if t := fi.Tree; t != nil && t.Items > 0 && t.Items <= maxGenerate {
			n += t.Items
		}
	}
	return n
}

func (st *store) rootID(d *drive) string {
	if d.driveType == DriveTypePersonal {
		return strings.ToUpper(d.id) + "!101"
	}
	return derivedID(d.id, "")
}

// derivedID makes a business-style item id ("01" + 32 base32 characters) from the drive and path.
func derivedID(driveID, path string) string {
	sum := sha1.Sum([]byte(driveID + "\x00" + lower(path)))
	return "01" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:])[:32]
}

func (st *store) addItem(it *item) error {
	if _, dup := st.items[lower(it.id)]; dup {
		return fmt.Errorf("duplicate item id %q", it.id)
	}
	st.items[lower(it.id)] = it
	if it.webURL == "" {
		it.webURL = st.defaultItemURL(it)
	}
	st.itemURLs[normURL(it.webURL)] = it
	return nil
}

// generateName is a FixtureGenerate.Name: exactly one integer verb with a width of at most two digits
// (so a name cannot ask fmt for a gigabyte of padding), other percent signs doubled.
var generateName = regexp.MustCompile(`^([^%]|%%)*%0?[0-9]{0,2}d([^%]|%%)*$`)

func validName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\*<>?:|"`) {
		return fmt.Errorf("invalid item name %q", name)
	}
	return nil
}

func (st *store) buildItem(parent *item, fi FixtureItem) error {
	if err := validName(fi.Name); err != nil {
		return err
	}
	if childByName(parent, fi.Name) != nil {
		return fmt.Errorf("duplicate name %q in %q", fi.Name, itemPath(parent))
	}
	d := parent.drive
	it := &item{version: 1, id: fi.ID, name: fi.Name, folder: fi.Folder || len(fi.Children) > 0 || fi.Generate != nil || fi.Tree != nil,
		size: fi.Size, mime: fi.MimeType, created: fi.Created, modified: fi.Modified,
		drive: d, parent: parent, webURL: fi.WebURL}
	if it.created.IsZero() {
		it.created = d.created
	}
	if it.modified.IsZero() {
		it.modified = it.created
	}
	if !it.folder && it.mime == "" {
		it.mime = "application/octet-stream"
	}
	parent.children = append(parent.children, it)
	if parent.byName == nil {
		parent.byName = map[string]*item{}
	}
	parent.byName[lower(it.name)] = it
	if it.id == "" {
		it.id = st.newItemID(d, itemPath(it))
	}
	if err := st.addItem(it); err != nil {
		return err
	}
	for _, c := range fi.Children {
		if err := st.buildItem(it, c); err != nil {
			return err
		}
	}
	if g := fi.Generate; g != nil {
		if g.Count < 0 || g.Count > maxGenerate {
			return fmt.Errorf("generate: count %d out of range 0..%d", g.Count, maxGenerate)
		}
		if !generateName.MatchString(g.Name) {
			return fmt.Errorf("generate: name %q must hold one %%d (width at most 99, as in \"file-%%04d.txt\"); write %%%% for a %%", g.Name)
		}
		it.children = slices.Grow(it.children, g.Count)
		for i := 1; i <= g.Count; i++ {
			gen := FixtureItem{Name: fmt.Sprintf(g.Name, i), Size: g.Size, MimeType: g.MimeType,
				Created: it.created, Modified: it.modified}
			if err := st.buildItem(it, gen); err != nil {
				return err
			}
		}
	}
	if fi.Tree != nil {
		if err := st.buildTree(it, *fi.Tree); err != nil {
			return err
		}
	}
	for _, fp := range fi.Permissions {
		if err := st.addFixturePerm(it, fp); err != nil {
			return err
		}
	}
	return nil
}

// buildTree fills root with a FixtureTree: breadth first, each folder Files files then Fanout
// subfolders, until t.Items items exist; every (Items/Shared)-th item, up to Shared, gets a link.
func (st *store) buildTree(root *item, t FixtureTree) error {
	switch {
	case t.Items < 1 || t.Items > maxGenerate:
		return fmt.Errorf("tree: items %d out of range 1..%d", t.Items, maxGenerate)
	case t.Fanout < 1:
		return fmt.Errorf("tree: fanout %d must be at least 1", t.Fanout)
	case t.Files < 0:
		return fmt.Errorf("tree: files %d must not be negative", t.Files)
	case t.Shared < 0 || t.Shared > t.Items:
		return fmt.Errorf("tree: shared %d out of range 0..%d", t.Shared, t.Items)
	}
	if t.MimeType == "" {
		t.MimeType = "text/plain"
	}
	if t.SharedWith == "" {
		t.SharedWith = "guest@fabrikam.example"
	}
	every := 0
	if t.Shared > 0 {
		every = t.Items / t.Shared
	}
	d := root.drive
	business := d.driveType != DriveTypePersonal
	made, shared, folders, files := 0, 0, 0, 0
	queue := []*item{root}
	add := func(parent *item, fi FixtureItem) error {
		if err := st.buildItem(parent, fi); err != nil {
			return err
		}
		it := parent.children[len(parent.children)-1]
		if every > 0 && made%every == 0 && shared < t.Shared {
			kind, scopes := "u", []string{"anonymous"}
			if it.folder {
				kind = "f"
			}
			if business {
				scopes = []string{"anonymous", "organization", "users"}
			}
			fp := FixturePermission{ShareID: fmt.Sprintf("s!tree-%s-%d", d.id, made),
				Link: &FixtureLink{Type: []string{"view", "edit"}[shared%2], Scope: scopes[shared%len(scopes)]}}
			if business {
				fp.Link.WebURL = fmt.Sprintf("https://%s.sharepoint.com/:%s:/g/tree-%d", st.tenant, kind, made)
			} else {
				fp.Link.WebURL = fmt.Sprintf("https://1drv.ms/%s/s!tree-%d", kind, made)
			}
			if fp.Link.Scope == "users" {
				fp.GrantedTo = []string{t.SharedWith}
			}
			if err := st.addFixturePerm(it, fp); err != nil {
				return err
			}
			shared++
		}
		made++
		if it.folder {
			queue = append(queue, it)
		}
		return nil
	}
	for len(queue) > 0 && made < t.Items {
		parent := queue[0]
		queue = queue[1:]
		for range t.Files {
			if made == t.Items {
				break
			}
			files++
			if err := add(parent, FixtureItem{Name: fmt.Sprintf("file-%06d.txt", files), Size: t.Size, MimeType: t.MimeType,
				Created: parent.created, Modified: parent.modified}); err != nil {
				return err
			}
		}
		for range t.Fanout {
			if made == t.Items {
				break
			}
			folders++
			if err := add(parent, FixtureItem{Name: fmt.Sprintf("folder-%05d", folders), Folder: true,
				Created: parent.created, Modified: parent.modified}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (st *store) newItemID(d *drive, path string) string {
	if d.driveType == DriveTypePersonal {
		d.nextID++
		return fmt.Sprintf("%s!%d", strings.ToUpper(d.id), d.nextID)
	}
	return derivedID(d.id, path)
}

func (st *store) addFixturePerm(it *item, fp FixturePermission) error {
	p := &perm{id: fp.ID, roles: fp.Roles, shareID: fp.ShareID, expires: fp.ExpirationDateTime,
		hasPassword: fp.HasPassword, item: it}
	if p.id == "" {
		p.id = derivedID(it.id, fmt.Sprintf("perm%d", len(it.perms)))
	}
	if fp.Link != nil {
		if _, ok := linkRoles[fp.Link.Type]; !ok {
			return fmt.Errorf("permission %q: link type %q unknown", p.id, fp.Link.Type)
		}
		if fp.Link.WebURL == "" {
			return fmt.Errorf("permission %q: link needs a webUrl", p.id)
		}
		p.link = &linkInfo{typ: fp.Link.Type, scope: fp.Link.Scope, webURL: fp.Link.WebURL, app: st.app}
		if len(p.roles) == 0 {
			p.roles = []string{linkRoles[fp.Link.Type]}
		}
		if fp.Link.Type == "blocksDownload" {
			p.link.preventsDownload = true
		}
	}
	for _, g := range fp.GrantedTo {
		p.grantedTo = append(p.grantedTo, st.resolveRecipient(recipient{email: g, objectID: g}))
	}
	if inv := fp.Invitation; inv != nil {
		if fp.Link != nil {
			return fmt.Errorf("permission %q: an invitation can't also be a link", p.id)
		}
		if inv.Email == "" {
			return fmt.Errorf("permission %q: an invitation needs an email", p.id)
		}
		p.invitation = &invitationInfo{email: inv.Email, signInRequired: inv.SignInRequired, invitedBy: it.drive.owner}
	}
	if fp.Link == nil && len(p.roles) == 0 {
		p.roles = []string{"read"}
	}
	return st.addPerm(p)
}

func (st *store) addPerm(p *perm) error {
	if p.link != nil {
		k := normURL(p.link.webURL)
		if _, dup := st.links[k]; dup {
			return fmt.Errorf("duplicate link webUrl %q", p.link.webURL)
		}
		st.links[k] = p
	}
	if p.shareID != "" {
		if _, dup := st.shareIDs[p.shareID]; dup {
			return fmt.Errorf("duplicate shareId %q", p.shareID)
		}
		st.shareIDs[p.shareID] = p
	}
	p.item.perms = append(p.item.perms, p)
	p.item.hadUnique = true
	return nil
}

func (st *store) removePerm(p *perm) {
	it := p.item
	for i, q := range it.perms {
		if q == p {
			it.perms = append(it.perms[:i:i], it.perms[i+1:]...)
			break
		}
	}
	if p.link != nil {
		delete(st.links, normURL(p.link.webURL))
	}
	if p.shareID != "" {
		delete(st.shareIDs, p.shareID)
	}
}

// resolveRecipient links a driveRecipient to a tenant user by e-mail, UPN or object id.
func (st *store) resolveRecipient(r recipient) recipient {
	for _, k := range []string{r.objectID, r.email, r.alias} {
		if u := st.usersByKey[lower(k)]; k != "" && u != nil {
			r.user = u
			return r
		}
	}
	if r.email == "" && strings.Contains(r.objectID, "@") {
		r.email, r.objectID = r.objectID, ""
	}
	if r.email != "" && r.objectID == r.email {
		r.objectID = ""
	}
	return r
}

// itemPath is the item's path below the drive root, "/" joined, "" for the root.
func itemPath(it *item) string {
	if it.parent == nil {
		return ""
	}
	return itemPath(it.parent) + "/" + it.name
}

func (st *store) spHost(d *drive) string {
	if d.driveType == DriveTypeBusiness {
		return "https://" + st.tenant + "-my.sharepoint.com"
	}
	return "https://" + st.tenant + ".sharepoint.com"
}

func (st *store) defaultDriveURL(d *drive) string {
	switch {
	case d.driveType == DriveTypePersonal:
		return "https://onedrive.live.com/?cid=" + strings.ToUpper(d.id)
	case d.driveType == DriveTypeBusiness:
		return st.spHost(d) + "/personal/" + spUserSlug(d.owner.upn) + "/Documents"
	case d.siteName != "":
		return st.spHost(d) + "/sites/" + url.PathEscape(d.siteName) + "/Shared%20Documents"
	case d.groupName != "":
		return st.spHost(d) + "/sites/" + url.PathEscape(d.groupName) + "/Shared%20Documents"
	}
	return st.spHost(d) + "/Shared%20Documents"
}

func spUserSlug(upn string) string {
	return strings.NewReplacer("@", "_", ".", "_").Replace(lower(upn))
}

func (st *store) defaultItemURL(it *item) string {
	d := it.drive
	if d.driveType == DriveTypePersonal {
		if it.parent == nil {
			return d.webURL
		}
		return "https://onedrive.live.com/?cid=" + strings.ToUpper(d.id) + "&id=" + url.QueryEscape(it.id)
	}
	u := d.webURL
	for _, seg := range strings.Split(strings.TrimPrefix(itemPath(it), "/"), "/") {
		if seg != "" {
			u += "/" + url.PathEscape(seg)
		}
	}
	return u
}

// normURL makes a URL comparable: scheme and host lower-cased, path unescaped and lower-cased
// (SharePoint paths are case-insensitive), a trailing slash dropped. The query stays as is.
func normURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return raw
	}
	p := strings.TrimSuffix(lower(u.Path), "/")
	q := ""
	if u.RawQuery != "" {
		if v, err := url.QueryUnescape(u.RawQuery); err == nil {
			q = "?" + v
		} else {
			q = "?" + u.RawQuery
		}
	}
	return lower(u.Scheme) + "://" + lower(u.Host) + p + q
}

func (st *store) drive(id string) *drive { return st.drives[lower(id)] }
func (st *store) user(key string) *user  { return st.usersByKey[lower(key)] }
func (st *store) item(id string) *item   { return st.items[lower(id)] }

// childByName finds a child case-insensitively, as OneDrive names are.
func childByName(parent *item, name string) *item {
	return parent.byName[lower(name)]
}

func isAncestor(anc, it *item) bool {
	for p := it; p != nil; p = p.parent {
		if p == anc {
			return true
		}
	}
	return false
}

// treeSize is a folder's size: the sum of the files below it, as Graph reports it. Sizes never
// change after the fixture is built, so it is computed once (computeSizes).
func treeSize(it *item) int64 { return it.total }

// preorder numbers the subtree of it in pre-order into d.order.
func preorder(d *drive, it *item) {
	it.pre = len(d.order)
	d.order = append(d.order, it)
	for _, c := range it.children {
		preorder(d, c)
	}
	it.desc = len(d.order) - it.pre - 1
}

// touch records a change to it at now: it shows up in the next delta round.
func (st *store) touch(it *item, now time.Time) {
	st.seq++
	it.changed, it.changedAt = st.seq, now
	st.changeLog = append(st.changeLog, change{st.seq, it})
}

// touchSharing records a change to it's permissions (delta's sharedChanged annotation).
func (st *store) touchSharing(it *item, now time.Time) {
	st.touch(it, now)
	it.sharingChanged = st.seq
}

func computeSizes(it *item) int64 {
	if !it.folder {
		it.total = it.size
		return it.total
	}
	var n int64
	for _, c := range it.children {
		n += computeSizes(c)
	}
	it.total = n
	return n
}
