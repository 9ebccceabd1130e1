package box

import (
	"crypto/sha1" // #nosec G505 -- Box names file contents by their SHA-1 [OA File--Mini.sha1]
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Box answers dates in the user's zone; don't depend on the host's zoneinfo
)

// maxGenerate bounds FixtureGenerate.Count.
const maxGenerate = 1_000_000

// firstID is where assigned ids start; Box ids are numeric strings.
const firstID = 1_000_000_001

type enterprise struct {
	id, name, plan, subdomain string
	defaultAccess             string
	allowed                   []string // ordered open, company, collaborators
	customURLs                bool
	editLinks                 bool
	defaultDownload           bool
}

func (e *enterprise) paid() bool { return e.plan != PlanFree }

// host is the web host of the enterprise's links.
func (e *enterprise) host() string {
	if e.subdomain != "" {
		return e.subdomain + ".app.box.com"
	}
	return "app.box.com"
}

type user struct {
	id, login, name, role string
	ent                   *enterprise
	tz                    *time.Location
	tzName                string
	root                  *item
	service               bool
	created               time.Time
}

type collab struct {
	user *user
	role string
}

// link is an item's shared link; there is at most one per item [G-SL].
type link struct {
	token       string
	access      string
	vanity      string
	password    string
	unsharedAt  time.Time // zero: no expiry
	canDownload bool
	canEdit     bool
	downloads   int
	previews    int
}

// item is a folder, file or web link held in the store. Generated files are not items until
// something needs one (see store.item).
type item struct {
	id, typ, name string
	parent        *item
	owner         *user
	size          int64
	url           string // web links
	created       time.Time
	modified      time.Time
	allowed       []string // restriction of this folder and below; nil = none
	link          *link
	collabs       []collab
	etag          int
	version       int  // content version: 0 as the fixture made it, + 1 for each ChangeContent
	root          bool // a user's root folder ("0" to its owner)

	children []*item // explicit children, in fixture order
	gen      *generated
	orders   map[string][]int // sort key -> ordering (see folderOrder)
}

// generated is a folder's run of generated files: ids firstID..firstID+count-1.
type generated struct {
	folder  *item
	count   int
	name    string
	size    int64
	firstID int64
	byName  []int32 // indexes sorted by name
}

func (g *generated) fileName(i int) string { return fmt.Sprintf(g.name, i+1) }

type store struct {
	ents      map[string]*enterprise
	users     []*user
	userByKey map[string]*user // id and lower-case login
	me        *user
	items     map[string]*item // explicit items and materialised generated files
	gens      []*generated     // sorted by firstID
	byToken   map[string]*item // link token -> item
	byVanity  map[string]*item // lower-case vanity name -> item
	apps      map[string]*app
	nextID    int64
	sha1s     map[contentKey]string
}

type app struct {
	FixtureApp
	ent     *enterprise
	service *user
}

// The bytes the emulator serves for a file: a fixed pattern repeated, one per content version,
// so a file's sha1 depends on its size and version alone.
func contentPattern(version int) string {
	if version == 0 {
		return "odshare box emulator\n"
	}
	return fmt.Sprintf("odshare box emulator, content version %d\n", version+1)
}

// contentChunk is the pattern repeated to about 1 MiB, the unit writeContent writes in, or to
// what n bytes from anywhere in the pattern need when that is less (a small file, a short range).
func contentChunk(version int, n int64) []byte {
	pat := contentPattern(version)
	reps := min((1<<20)/len(pat)+1, int(n/int64(len(pat)))+2)
	return []byte(strings.Repeat(pat, reps))
}

// writeContent writes bytes [from, to) of a file's content (of that version) to w.
func writeContent(w io.Writer, version int, from, to int64) error {
	pat := int64(len(contentPattern(version)))
	buf := contentChunk(version, to-from)
	for from < to {
		off := from % pat
		n := min(to-from, int64(len(buf))-off)
		if _, err := w.Write(buf[off : off+n]); err != nil {
			return err
		}
		from += n
	}
	return nil
}

// fileVersionID is the id of a file's current file_version: it changes with the content.
func fileVersionID(it *item) string { return it.id + strconv.Itoa(it.version+1) }

func (st *store) sha1Of(size int64, version int) string {
	key := contentKey{size, version}
	if s, ok := st.sha1s[key]; ok {
		return s
	}
	h := sha1.New() // #nosec G401 -- see import
	_ = writeContent(h, version, 0, size)
	s := hex.EncodeToString(h.Sum(nil))
	st.sha1s[key] = s
	return s
}

// contentKey names a content: every file of a size and version has the same bytes.
type contentKey struct {
	size    int64
	version int
}

func isNumeric(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func lower(s string) string { return strings.ToLower(s) }

var accessOrder = []string{AccessOpen, AccessCompany, AccessCollaborators}

func validAccess(a string) bool { return slices.Contains(accessOrder, a) }

// rank orders access levels: open 0 (most open) .. collaborators 2.
func rank(a string) int { return slices.Index(accessOrder, a) }

func newStore(f *Fixture) (*store, error) {
	st := &store{ents: map[string]*enterprise{}, userByKey: map[string]*user{}, items: map[string]*item{},
		byToken: map[string]*item{}, byVanity: map[string]*item{}, apps: map[string]*app{}, nextID: firstID,
		sha1s: map[contentKey]string{}}
	for _, fe := range f.Enterprises {
		if !isNumeric(fe.ID) {
			return nil, fmt.Errorf("box fixture: enterprise %q: id must be numeric", fe.ID)
		}
		if st.ents[fe.ID] != nil {
			return nil, fmt.Errorf("box fixture: enterprise %s twice", fe.ID)
		}
		e := &enterprise{id: fe.ID, name: fe.Name, plan: fe.Plan, subdomain: fe.Subdomain,
			defaultAccess: fe.DefaultAccess, customURLs: fe.CustomURLs, editLinks: !fe.NoEditLinks,
			defaultDownload: !fe.NoDownloadByDefault}
		switch e.plan {
		case "":
			e.plan = PlanPaid
		case PlanPaid, PlanFree:
		default:
			return nil, fmt.Errorf("box fixture: enterprise %s: plan %q (want paid or free)", fe.ID, fe.Plan)
		}
		allowed := fe.AllowedAccess
		if allowed == nil {
			allowed = accessOrder
		}
		for _, a := range accessOrder {
			if slices.Contains(allowed, a) && (a != AccessCompany || e.paid()) {
				e.allowed = append(e.allowed, a)
			}
		}
		for _, a := range allowed {
			if !validAccess(a) {
				return nil, fmt.Errorf("box fixture: enterprise %s: access level %q", fe.ID, a)
			}
		}
		if e.defaultAccess == "" {
			e.defaultAccess = AccessOpen
		}
		if !validAccess(e.defaultAccess) {
			return nil, fmt.Errorf("box fixture: enterprise %s: defaultAccess %q", fe.ID, e.defaultAccess)
		}
		if len(e.allowed) == 0 {
			return nil, fmt.Errorf("box fixture: enterprise %s allows no access level", fe.ID)
		}
		if !e.paid() && e.customURLs {
			return nil, fmt.Errorf("box fixture: enterprise %s: custom URLs need a paid plan", fe.ID)
		}
		st.ents[e.id] = e
	}
	t0 := time.Date(2024, 3, 4, 9, 30, 0, 0, time.UTC)
	type pending struct {
		it *item
		fc []FixtureCollaboration
	}
	var collabs []pending
	var build func(fi FixtureItem, parent *item, owner *user) (*item, error)
	build = func(fi FixtureItem, parent *item, owner *user) (*item, error) {
		typ := fi.Type
		if typ == "" {
			switch {
			case len(fi.Children) > 0 || fi.Generate != nil:
				typ = TypeFolder
			case fi.URL != "":
				typ = TypeWebLink
			default:
				typ = TypeFile
			}
		}
		if typ != TypeFile && typ != TypeFolder && typ != TypeWebLink {
			return nil, fmt.Errorf("box fixture: item %q: type %q", fi.Name, fi.Type)
		}
		if fi.Name == "" || strings.ContainsAny(fi.Name, "/\\") || len(fi.Name) > 255 {
			return nil, fmt.Errorf("box fixture: item name %q is not a valid Box name", fi.Name)
		}
		if typ != TypeFolder && (len(fi.Children) > 0 || fi.Generate != nil || fi.AllowedAccess != nil) {
			return nil, fmt.Errorf("box fixture: %s %q cannot have children, generate or allowedAccess", typ, fi.Name)
		}
		if typ == TypeWebLink && fi.URL == "" {
			return nil, fmt.Errorf("box fixture: web link %q needs a url", fi.Name)
		}
		it := &item{id: fi.ID, typ: typ, name: fi.Name, parent: parent, owner: owner, size: fi.Size,
			url: fi.URL, created: fi.Created, modified: fi.Modified, etag: 0}
		if it.created.IsZero() {
			it.created = t0
		}
		if it.modified.IsZero() {
			it.modified = it.created
		}
		if it.id == "" {
			it.id = strconv.FormatInt(st.nextID, 10)
			st.nextID++
		} else if !isNumeric(it.id) || it.id == "0" {
			return nil, fmt.Errorf("box fixture: item %q: id %q must be a numeric string other than 0", fi.Name, it.id)
		}
		if st.items[it.id] != nil {
			return nil, fmt.Errorf("box fixture: id %s used twice", it.id)
		}
		st.items[it.id] = it
		for _, a := range fi.AllowedAccess {
			if !validAccess(a) {
				return nil, fmt.Errorf("box fixture: item %q: access level %q", fi.Name, a)
			}
		}
		if fi.AllowedAccess != nil {
			it.allowed = append([]string{}, fi.AllowedAccess...)
		}
		if len(fi.Collaborations) > 0 {
			collabs = append(collabs, pending{it, fi.Collaborations})
		}
		names := map[string]bool{}
		for _, c := range fi.Children {
			ch, err := build(c, it, owner)
			if err != nil {
				return nil, err
			}
			if names[lower(ch.name)] {
				return nil, fmt.Errorf("box fixture: %q holds two items named %q (Box names are unique per folder, ignoring case)", it.name, ch.name)
			}
			names[lower(ch.name)] = true
			it.children = append(it.children, ch)
		}
		if g := fi.Generate; g != nil {
			if g.Count < 0 || g.Count > maxGenerate || !strings.Contains(g.Name, "%") {
				return nil, fmt.Errorf("box fixture: %q: generate needs 0..%d files and a name with a %%d verb", it.name, maxGenerate)
			}
			gen := &generated{folder: it, count: g.Count, name: g.Name, size: g.Size, firstID: st.nextID}
			st.nextID += int64(g.Count)
			gen.byName = make([]int32, g.Count)
			nm := make([]string, g.Count)
			for i := range gen.byName {
				gen.byName[i] = int32(i)
				nm[i] = lower(gen.fileName(i))
				if names[nm[i]] {
					return nil, fmt.Errorf("box fixture: %q: generated name %q is taken", it.name, gen.fileName(i))
				}
			}
			if g.Count > 1 && nm[0] == nm[1] {
				return nil, fmt.Errorf("box fixture: %q: generate name %q gives equal names", it.name, g.Name)
			}
			slices.SortFunc(gen.byName, func(a, b int32) int { return strings.Compare(nm[a], nm[b]) })
			it.gen = gen
			st.gens = append(st.gens, gen)
		}
		if fl := fi.SharedLink; fl != nil {
			if err := st.seedLink(it, fl); err != nil {
				return nil, err
			}
		}
		return it, nil
	}
	for _, fu := range f.Users {
		u, err := st.addUser(fu)
		if err != nil {
			return nil, err
		}
		names := map[string]bool{}
		for _, fi := range fu.Items {
			it, err := build(fi, u.root, u)
			if err != nil {
				return nil, err
			}
			if names[lower(it.name)] {
				return nil, fmt.Errorf("box fixture: %s's root holds two items named %q", u.login, it.name)
			}
			names[lower(it.name)] = true
			u.root.children = append(u.root.children, it)
		}
	}
	for _, p := range collabs {
		for _, fc := range p.fc {
			u := st.user(fc.User)
			if u == nil {
				return nil, fmt.Errorf("box fixture: collaboration on %q: unknown user %q", p.it.name, fc.User)
			}
			if !slices.Contains(collabRoles, fc.Role) {
				return nil, fmt.Errorf("box fixture: collaboration on %q: role %q (want one of %s)", p.it.name, fc.Role, strings.Join(collabRoles, ", "))
			}
			if u == p.it.owner {
				return nil, fmt.Errorf("box fixture: %s owns %q and cannot collaborate on it", u.login, p.it.name)
			}
			p.it.collabs = append(p.it.collabs, collab{u, fc.Role})
		}
	}
	for _, fa := range f.Apps {
		if fa.ClientID == "" || fa.ClientSecret == "" {
			return nil, fmt.Errorf("box fixture: app %q needs clientId and clientSecret", fa.Name)
		}
		if st.apps[fa.ClientID] != nil {
			return nil, fmt.Errorf("box fixture: app %s twice", fa.ClientID)
		}
		a := &app{FixtureApp: fa}
		if a.Auth == "" {
			a.Auth = AuthOAuth
		}
		if fa.Enterprise != "" {
			if a.ent = st.ents[fa.Enterprise]; a.ent == nil {
				return nil, fmt.Errorf("box fixture: app %s: unknown enterprise %q", fa.ClientID, fa.Enterprise)
			}
		}
		switch a.Auth {
		case AuthOAuth:
			if len(fa.RedirectURIs) == 0 {
				return nil, fmt.Errorf("box fixture: oauth app %s needs redirectURIs", fa.ClientID)
			}
		case AuthCCG:
			if a.ent == nil {
				return nil, fmt.Errorf("box fixture: ccg app %s needs an enterprise", fa.ClientID)
			}
			if fa.ServiceAccount != "" {
				if a.service = st.user(fa.ServiceAccount); a.service == nil || a.service.ent != a.ent {
					return nil, fmt.Errorf("box fixture: app %s: service account %q is not a user of enterprise %s", fa.ClientID, fa.ServiceAccount, a.ent.id)
				}
			} else {
				id := strconv.FormatInt(st.nextID, 10)
				st.nextID++
				u, err := st.addUser(FixtureUser{ID: id, Login: "AutomationUser_" + id + "@boxdevedition.com",
					Name: fa.Name, Enterprise: a.ent.id, ServiceAccount: true})
				if err != nil {
					return nil, err
				}
				a.service = u
			}
		default:
			return nil, fmt.Errorf("box fixture: app %s: auth %q (want oauth or ccg)", fa.ClientID, fa.Auth)
		}
		st.apps[a.ClientID] = a
	}
	if len(st.users) > 0 {
		st.me = st.users[0]
		if f.Me != "" {
			if st.me = st.user(f.Me); st.me == nil {
				return nil, fmt.Errorf("box fixture: me %q is not a user", f.Me)
			}
		}
	}
	return st, nil
}

func (st *store) addUser(fu FixtureUser) (*user, error) {
	u := &user{id: fu.ID, login: fu.Login, name: fu.Name, role: fu.Role, service: fu.ServiceAccount,
		created: time.Date(2023, 1, 9, 8, 0, 0, 0, time.UTC)}
	if u.id == "" {
		u.id = strconv.FormatInt(st.nextID, 10)
		st.nextID++
	}
	if !isNumeric(u.id) {
		return nil, fmt.Errorf("box fixture: user %q: id %q must be numeric", fu.Login, fu.ID)
	}
	if fu.Login == "" || !strings.Contains(fu.Login, "@") {
		return nil, fmt.Errorf("box fixture: user %s: login %q must be an e-mail address", u.id, fu.Login)
	}
	if st.userByKey[u.id] != nil || st.userByKey[lower(u.login)] != nil {
		return nil, fmt.Errorf("box fixture: user %s (%s) twice", u.id, u.login)
	}
	if u.ent = st.ents[fu.Enterprise]; u.ent == nil {
		return nil, fmt.Errorf("box fixture: user %s: unknown enterprise %q", u.login, fu.Enterprise)
	}
	switch u.role {
	case "":
		u.role = "user"
	case "admin", "coadmin", "user":
	default:
		return nil, fmt.Errorf("box fixture: user %s: role %q (want admin, coadmin or user)", u.login, u.role)
	}
	u.tzName = fu.Timezone
	if u.tzName == "" {
		u.tzName = "America/Los_Angeles"
	}
	loc, err := time.LoadLocation(u.tzName)
	if err != nil {
		return nil, fmt.Errorf("box fixture: user %s: timezone %q: %v", u.login, u.tzName, err)
	}
	u.tz = loc
	u.root = &item{id: "0", typ: TypeFolder, name: "All Files", owner: u, root: true, created: u.created, modified: u.created}
	st.users = append(st.users, u)
	st.userByKey[u.id] = u
	st.userByKey[lower(u.login)] = u
	return u, nil
}

func (st *store) user(key string) *user {
	if u := st.userByKey[key]; u != nil {
		return u
	}
	return st.userByKey[lower(key)]
}

func (st *store) seedLink(it *item, fl *FixtureLink) error {
	e := it.owner.ent
	l := &link{token: fl.Token, access: fl.Access, vanity: fl.VanityName, password: fl.Password,
		unsharedAt: fl.UnsharedAt, canDownload: true, canEdit: fl.CanEdit,
		downloads: fl.DownloadCount, previews: fl.PreviewCount}
	if fl.CanDownload != nil {
		l.canDownload = *fl.CanDownload
	}
	if l.access == "" {
		l.access = e.defaultAccess
	}
	if !validAccess(l.access) {
		return fmt.Errorf("box fixture: link on %q: access %q", it.name, l.access)
	}
	if l.token == "" {
		l.token = derivedToken("link:" + it.id)
	}
	if !validToken(l.token) {
		return fmt.Errorf("box fixture: link on %q: token %q must be 1..64 lower-case letters and digits", it.name, l.token)
	}
	if st.byToken[l.token] != nil {
		return fmt.Errorf("box fixture: link token %s twice", l.token)
	}
	if l.vanity != "" {
		if msg := vanityProblem(l.vanity); msg != "" {
			return fmt.Errorf("box fixture: link on %q: %s", it.name, msg)
		}
		if st.byVanity[lower(l.vanity)] != nil {
			return fmt.Errorf("box fixture: vanity name %q twice", l.vanity)
		}
		st.byVanity[lower(l.vanity)] = it
	}
	if l.canEdit && it.typ != TypeFile {
		return fmt.Errorf("box fixture: link on %s %q: canEdit is for files only", it.typ, it.name)
	}
	st.byToken[l.token] = it
	it.link = l
	return nil
}

// derivedToken makes a stable 32-character token of lower-case letters and digits from seed.
func derivedToken(seed string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	sum := sha1.Sum([]byte(seed)) // #nosec G401 -- not a secret, only a stable name
	out := make([]byte, 32)
	for i := range out {
		out[i] = alphabet[int(sum[i%len(sum)]^byte(i*7))%len(alphabet)]
	}
	return string(out)
}

func validToken(t string) bool {
	if t == "" || len(t) > 64 {
		return false
	}
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// vanityProblem checks a vanity name as boxcli documents it: 12 to 30 letters, digits and
// hyphens (the spec says minLength 12).
func vanityProblem(v string) string {
	if len(v) < 12 || len(v) > 30 {
		return "a vanity name must be 12 to 30 characters long"
	}
	for _, c := range v {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return "a vanity name may hold only letters, digits and hyphens"
		}
	}
	return ""
}

// item finds an item by id (not "0"), materialising a generated file on first use.
func (st *store) item(id string) *item {
	if it := st.items[id]; it != nil {
		return it
	}
	if !isNumeric(id) {
		return nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil
	}
	i, found := slices.BinarySearchFunc(st.gens, n, func(g *generated, n int64) int {
		switch {
		case n < g.firstID:
			return 1
		case n >= g.firstID+int64(g.count):
			return -1
		}
		return 0
	})
	if !found {
		return nil
	}
	g := st.gens[i]
	it := g.materialise(int(n - g.firstID))
	st.items[id] = it
	return it
}

func (g *generated) materialise(i int) *item {
	f := g.folder
	return &item{id: strconv.FormatInt(g.firstID+int64(i), 10), typ: TypeFile, name: g.fileName(i),
		parent: f, owner: f.owner, size: g.size, created: f.created, modified: f.modified}
}

// ancestors lists an item's folders from its owner's root down to its parent.
func (it *item) ancestors() []*item {
	var out []*item
	for p := it.parent; p != nil; p = p.parent {
		out = append(out, p)
	}
	slices.Reverse(out)
	return out
}

// isWithin reports whether it is top or below it.
func (it *item) isWithin(top *item) bool {
	for p := it; p != nil; p = p.parent {
		if p == top {
			return true
		}
	}
	return false
}

// childCount is the number of entries of a folder.
func (it *item) childCount() int {
	n := len(it.children)
	if it.gen != nil {
		n += it.gen.count
	}
	return n
}
