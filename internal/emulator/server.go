package emulator

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// Options configures a Server. The zero value serves the demo fixture to any bearer token.
type Options struct {
	Seed       *Fixture // nil = DemoFixture()
	PageSize   int      // children/permissions page size; 0 = 200, Graph's default [OD list-children]
	Faults     []Fault  // initial fault rules
	RandomSeed int64    // seeds random faults and generated ids; != 0 makes them repeatable
	// Authenticate maps a request and its bearer token to a user id or UPN of the fixture, or to
	// "" for an app-only (application permission) token. nil means Identity.Authenticate when
	// Identity is set, else any non-empty token is accepted as the fixture's "me". An error answers
	// 401 InvalidAuthenticationToken with the error's text.
	Authenticate func(r *http.Request, bearer string) (userID string, err error)
	// Identity, when set, is served on the same handler: requests it Matches go to it (they are
	// neither recorded nor subject to faults), and it authenticates Graph requests unless
	// Authenticate is set. The emulator/identity package provides one; emulator/stack wires them.
	Identity IdentityProvider
	// Mount are other stand-ins served on the same handler (the Box stand-in): a request one
	// Matches goes to it before anything else and is none of Graph's business.
	Mount []Mounted
	// Throttle, when set, is a token bucket per client (see Throttle); nil = no throttling.
	Throttle *Throttle
	// Budget, when set, accounts resource units per client and answers 429 past the budget
	// (see Budget); nil = no budget.
	Budget *Budget
	// Clock is the emulator's time: link and download-URL expiry, delta tokens, throttle
	// windows and resource-unit budgets all read it. nil = time.Now. Tests inject a fake clock so
	// long waits cost nothing.
	Clock func() time.Time
	// DeltaTokenLifetime, when > 0, makes delta tokens older than this answer 410
	// resyncRequired (Graph expires tokens it can no longer serve); 0 = they never age.
	// ExpireDeltaTokens (and POST /_emulator/delta/expire) expires every token at once.
	DeltaTokenLifetime time.Duration
	// DownloadOrigin is the origin ("https://localhost:PORT") of the pre-authenticated download
	// URLs that /content redirects to and @microsoft.graph.downloadUrl holds; it must be served
	// by DownloadHandler. Listen sets it to a second listener under another host name; "" (the
	// handler used alone) serves downloads under /_download/ on the request's own origin.
	DownloadOrigin string
	// DownloadURLLifetime is how long a download URL works (0 = one hour).
	DownloadURLLifetime time.Duration
	// IgnoreRange makes the download host ignore Range and answer 200 with the whole content,
	// as a server that can't serve ranges does.
	IgnoreRange bool
	Logger      *log.Logger // nil = silent
}

// IdentityProvider is an identity platform stand-in served next to Graph (see Options.Identity).
// Authenticate returns the user id or UPN a bearer token speaks for, "" for a valid app-only
// token, or an error for a token it did not issue or that has expired.
type IdentityProvider interface {
	http.Handler
	Match(r *http.Request) bool
	Authenticate(r *http.Request, bearer string) (userID string, err error)
}

// Mounted is a stand-in that shares the Graph server's handler and listener (Options.Mount).
type Mounted interface {
	http.Handler
	Match(r *http.Request) bool
}

// Server is an in-memory Microsoft Graph v1.0 sharing stand-in. It is an http.Handler and is safe
// for concurrent use.
type Server struct {
	opts     Options
	pageSize int
	logger   *log.Logger
	conns    kit.Conns // client connections of Listen's servers (see WaitIdle)

	mu sync.Mutex // guards st
	st *store

	rec    kit.Recorder
	faults kit.FaultSet

	rngMu sync.Mutex
	rng   *rand.Rand

	limiter *kit.Limiter     // nil when Options.Throttle is
	budgets *budgets         // nil when Options.Budget is
	now     func() time.Time // Options.Clock or time.Now; tests may replace it

	statsMu sync.Mutex
	stats   Stats

	caMu  sync.Mutex
	caPEM []byte

	downloadKey    []byte // signs download URLs
	downloadOrigin string // guarded by mu
	ignoreRange    atomic.Bool
	corrupt        atomic.Bool // SetCorruptDownloads
}

// New builds a server from opts. It fails when the fixture is inconsistent (unknown owners,
// duplicate ids or names, bad drive types) so a broken seed is reported at start.
func New(opts Options) (*Server, error) {
	f := opts.Seed
	if f == nil {
		f = DemoFixture()
	}
	st, err := newStore(f)
	if err != nil {
		return nil, err
	}
	precomputeHashes(st)
	if opts.PageSize < 0 || opts.PageSize > 999 {
		return nil, fmt.Errorf("emulator: page size %d out of range 1..999", opts.PageSize)
	}
	if err := opts.Throttle.Validate(); err != nil {
		return nil, err
	}
	if err := opts.Budget.validate(); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, st: st, pageSize: opts.PageSize, logger: opts.Logger,
		limiter: kit.NewLimiter(opts.Throttle), budgets: newBudgets(opts.Budget), now: opts.Clock}
	if s.now == nil {
		s.now = time.Now
	}
	if s.pageSize == 0 {
		s.pageSize = 200
	}
	seed := uint64(opts.RandomSeed)
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	s.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s.downloadKey = s.randBytes(32)
	s.downloadOrigin = strings.TrimSuffix(opts.DownloadOrigin, "/")
	s.ignoreRange.Store(opts.IgnoreRange)
	for _, fl := range opts.Faults {
		s.AddFault(fl)
	}
	return s, nil
}

func (s *Server) logf(format string, args ...any) {
	if s.logger != nil {
		s.logger.Printf(format, args...)
	}
}

func (s *Server) randFloat() float64 {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64()
}

func (s *Server) randBytes(n int) []byte {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := make([]byte, 0, n+8)
	for len(b) < n {
		b = binary.LittleEndian.AppendUint64(b, s.rng.Uint64())
	}
	return b[:n]
}

// newUUID returns a random (version 4 shaped) UUID from the server's generator.
func (s *Server) newUUID() string {
	b := s.randBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ServeHTTP answers Graph requests under /v1.0/ and admin requests under /_emulator/, after
// handing the requests Options.Identity matches to it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, m := range s.opts.Mount {
		if m.Match(r) {
			m.ServeHTTP(w, r)
			return
		}
	}
	if idp := s.opts.Identity; idp != nil && idp.Match(r) {
		if s.logger == nil {
			idp.ServeHTTP(w, r)
			return
		}
		sw := &kit.StatusWriter{ResponseWriter: w}
		idp.ServeHTTP(sw, r)
		if sw.Status == 0 {
			sw.Status = http.StatusOK
		}
		s.logf("identity: %s %s -> %d", r.Method, r.URL.RequestURI(), sw.Status)
		return
	}
	reqID := s.newUUID()
	w.Header().Set("request-id", reqID)
	if c := r.Header.Get("client-request-id"); c != "" {
		w.Header().Set("client-request-id", c)
	}
	esc := r.URL.EscapedPath()
	if esc == "/_emulator" || strings.HasPrefix(esc, "/_emulator/") {
		s.serveAdmin(w, r)
		return
	}
	if strings.HasPrefix(esc, downloadPrefix) {
		s.mu.Lock()
		same := s.downloadOrigin == ""
		s.mu.Unlock()
		if same {
			s.serveDownload(w, r)
			return
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	rec := RecordedRequest{Method: r.Method, RawURI: r.RequestURI, Header: r.Header.Clone(), Body: body}
	if rec.RawURI == "" { // handler called directly, not by net/http's server
		rec.RawURI = r.URL.RequestURI()
	}
	setStatus := s.recordStart(rec)
	w = &kit.StatusWriter{ResponseWriter: w, OnStatus: setStatus}
	defer func() {
		if rec.Status != 0 {
			setStatus(rec.Status)
		}
		s.logf("%s %s -> %d", rec.Method, rec.RawURI, rec.Status)
	}()
	if err != nil {
		sw := &kit.StatusWriter{ResponseWriter: w}
		writeError(sw, r, badRequest("could not read the request body"))
		rec.Status = sw.Status
		return
	}
	rawPath, ok := strings.CutPrefix(esc, "/v1.0")
	if !ok || (rawPath != "" && rawPath[0] != '/') {
		sw := &kit.StatusWriter{ResponseWriter: w}
		writeError(sw, r, errf(http.StatusNotFound, "BadRequest", "Invalid version: the emulator serves /v1.0 only."))
		rec.Status = sw.Status
		return
	}
	if isBatchPath(rawPath) {
		s.countStat(func(st *Stats) { st.Batches++ })
	}
	if f := s.pickFault(r.Method, rawPath, false); f != nil {
		if s.applyFault(w, r, f, &rec) {
			return
		}
		r = kit.WithKeep(r, f)
		if f.Truncate {
			bw := kit.NewBufferWriter(w.Header().Clone())
			s.serveGraph(bw, r, rawPath, body, reqID)
			rec.Status = bw.Status
			kit.WriteTruncated(w, bw.Status, bw.HeaderMap, bw.Buf.Bytes())
			return
		}
	}
	sw := &kit.StatusWriter{ResponseWriter: w}
	s.serveGraph(sw, r, rawPath, body, reqID)
	rec.Status = sw.Status
}

// serveGraph answers a top-level Graph request once faults have had their say: POST /$batch
// (which takes no throttle token itself), or any other request after taking a throttle token.
func (s *Server) serveGraph(w http.ResponseWriter, r *http.Request, rawPath string, body []byte, reqID string) {
	if isBatchPath(rawPath) {
		s.serveBatch(w, r, body, reqID)
		return
	}
	if e := s.throttle(w, r); e != nil {
		writeError(w, r, e)
		return
	}
	s.handle(w, r, rawPath, body)
}

// reqCtx is one Graph request being answered.
type reqCtx struct {
	w      http.ResponseWriter
	r      *http.Request
	body   []byte
	query  url.Values
	userID string // as the authenticator returned it (id or UPN); "" when appOnly
	// appOnly: the token carries application permissions and no user (the authenticator
	// returned ""). Such a caller has no /me.
	appOnly bool
}

// seg is one path segment: raw as sent (a trailing ':' ends a path address) and decoded.
type seg struct{ raw, name string }

func (s *Server) handle(w http.ResponseWriter, r *http.Request, rawPath string, body []byte) {
	c := &reqCtx{w: w, r: r, body: body}
	if e := s.authenticate(c); e != nil {
		w.Header().Set("WWW-Authenticate", wwwAuthenticate)
		writeError(w, r, e)
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, r, badRequest("The query string is malformed."))
		return
	}
	c.query = q
	segs, e := splitPath(rawPath)
	if e == nil {
		e = s.chargeBudget(c, segs)
	}
	if e == nil {
		s.mu.Lock()
		e = s.route(c, segs)
		s.mu.Unlock()
	}
	if e != nil {
		writeError(w, r, e)
	}
}

// authenticate checks the bearer token: Graph answers 401 InvalidAuthenticationToken "Access
// token is empty." when there is none.
func (s *Server) authenticate(c *reqCtx) *apiError {
	h := c.r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return errf(http.StatusUnauthorized, codeInvalidToken, "Access token is empty.")
	}
	auth := s.opts.Authenticate
	if auth == nil && s.opts.Identity != nil {
		auth = s.opts.Identity.Authenticate
	}
	if auth == nil {
		s.mu.Lock()
		c.userID = s.st.me
		s.mu.Unlock()
		return nil
	}
	id, err := auth(c.r, tok)
	if err != nil {
		return errf(http.StatusUnauthorized, codeInvalidToken, err.Error())
	}
	c.userID, c.appOnly = id, id == ""
	return nil
}

// errMeAppOnly is Graph's answer to /me with an app-only token.
func errMeAppOnly() *apiError {
	return errf(http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
}

// splitPath splits the escaped path into segments and percent-decodes each one on its own, so
// an encoded '/' (%2F) or '#' stays inside its name and '+' is never a space [OD addressing].
func splitPath(rawPath string) ([]seg, *apiError) {
	rawPath = strings.TrimPrefix(rawPath, "/")
	if rawPath == "" {
		return nil, nil
	}
	parts := strings.Split(rawPath, "/")
	if len(parts) > 1 && parts[len(parts)-1] == "" && !strings.HasSuffix(parts[len(parts)-2], ":") {
		parts = parts[:len(parts)-1]
	}
	segs := make([]seg, len(parts))
	for i, p := range parts {
		n, err := url.PathUnescape(p)
		if err != nil {
			return nil, badRequest(fmt.Sprintf("The path segment %q is not correctly percent-encoded.", p))
		}
		segs[i] = seg{raw: p, name: n}
	}
	return segs, nil
}

func is(sg seg, word string) bool { return strings.EqualFold(sg.name, word) }

// isAction reports whether sg names one of the bound actions, short or fully qualified
// ("invite" or "microsoft.graph.invite").
func isAction(sg seg, names ...string) bool {
	n := sg.name
	if len(n) > len("microsoft.graph.") && strings.EqualFold(n[:len("microsoft.graph.")], "microsoft.graph.") {
		n = n[len("microsoft.graph."):]
	}
	for _, name := range names {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

func segmentNotFound(sg seg) *apiError {
	return badRequest(fmt.Sprintf("Resource not found for the segment '%s'.", sg.name))
}

func methodNotAllowed(c *reqCtx, allowed ...string) *apiError {
	c.w.Header().Set("Allow", strings.Join(allowed, ", "))
	return errf(http.StatusMethodNotAllowed, codeInvalidRequest,
		fmt.Sprintf("The HTTP method '%s' is not allowed for this resource.", c.r.Method))
}

// allow checks the method; HEAD is answered like GET.
func allow(c *reqCtx, methods ...string) *apiError {
	for _, m := range methods {
		if c.r.Method == m || (m == http.MethodGet && c.r.Method == http.MethodHead) {
			return nil
		}
	}
	return methodNotAllowed(c, methods...)
}

// route dispatches a Graph path. It runs with s.mu held.
func (s *Server) route(c *reqCtx, segs []seg) *apiError {
	if len(segs) == 0 {
		return segmentNotFound(seg{})
	}
	st := s.st
	switch {
	case is(segs[0], "me"), is(segs[0], "users"):
		var u *user
		rest := segs[1:]
		if is(segs[0], "me") {
			if c.appOnly {
				return errMeAppOnly()
			}
			if c.userID != "" {
				u = st.user(c.userID)
			}
		} else {
			if len(rest) == 0 {
				return badRequest("Listing users is not emulated.")
			}
			u = st.user(rest[0].name)
			rest = rest[1:]
		}
		if u == nil {
			return errf(http.StatusNotFound, "Request_ResourceNotFound", "The user could not be found.")
		}
		if len(rest) == 0 {
			if e := allow(c, http.MethodGet); e != nil {
				return e
			}
			writeJSON(c.w, http.StatusOK, userJSON(u))
			return nil
		}
		if !is(rest[0], "drive") {
			return segmentNotFound(rest[0])
		}
		d := st.drive(u.drive)
		if d == nil {
			return errf(http.StatusNotFound, codeItemNotFound, "The user's drive could not be found.")
		}
		return s.routeDrive(c, d, rest[1:])
	case is(segs[0], "drives"):
		if len(segs) < 2 {
			return badRequest("Listing drives is not emulated.")
		}
		d := st.drive(segs[1].name)
		if d == nil {
			return errf(http.StatusNotFound, codeItemNotFound, "The drive could not be found.")
		}
		return s.routeDrive(c, d, segs[2:])
	case is(segs[0], "sites"):
		return s.routeSites(c, segs[1:])
	case is(segs[0], "groups"):
		if len(segs) < 3 || !is(segs[2], "drive") {
			if len(segs) >= 3 {
				return segmentNotFound(segs[2])
			}
			return badRequest("Only /" + segs[0].name + "/{id}/drive is emulated.")
		}
		d := st.groups[lower(segs[1].name)]
		if d == nil {
			return errf(http.StatusNotFound, codeItemNotFound, "The group or its drive could not be found.")
		}
		return s.routeDrive(c, d, segs[3:])
	case is(segs[0], "shares"):
		return s.routeShares(c, segs[1:])
	}
	return segmentNotFound(segs[0])
}

// routeDrive handles everything below a drive root: the drive itself, then the item addressing
// forms root, root:/path:, items/{id} and items/{id}:/path: [OD addressing].
func (s *Server) routeDrive(c *reqCtx, d *drive, segs []seg) *apiError {
	if len(segs) == 0 {
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		writeJSON(c.w, http.StatusOK, s.driveJSON(d))
		return nil
	}
	if tok, ok := isDeltaSegment(segs[0]); ok && len(segs) == 1 {
		// /drives/{id}/delta, the form of the doc's sample nextLink, is the root's delta.
		return s.serveDelta(c, d.root, tok)
	}
	var it *item
	var rest []seg
	switch {
	case strings.EqualFold(segs[0].raw, "root:"):
		var e *apiError
		it, rest, e = walkPath(d.root, segs[1:])
		if e != nil {
			return e
		}
	case is(segs[0], "root"):
		it, rest = d.root, segs[1:]
	case is(segs[0], "items"):
		if len(segs) < 2 {
			return badRequest("Listing a drive's items is not emulated; use root/children.")
		}
		idRaw := segs[1].raw
		pathMode := strings.HasSuffix(idRaw, ":")
		id, _ := url.PathUnescape(strings.TrimSuffix(idRaw, ":"))
		it = s.st.item(id)
		if it == nil || it.drive != d {
			return notFound()
		}
		rest = segs[2:]
		if pathMode {
			var e *apiError
			it, rest, e = walkPath(it, rest)
			if e != nil {
				return e
			}
		}
	default:
		return segmentNotFound(segs[0])
	}
	return s.routeItem(c, it, rest)
}

// walkPath follows a path address: names up to (and including) the first raw segment that ends
// with ':'; with none, the path runs to the end (the trailing colon may be left off when nothing
// follows [OD driveitem_get]). Names match case-insensitively, as in OneDrive.
func walkPath(from *item, segs []seg) (*item, []seg, *apiError) {
	it := from
	for i, sg := range segs {
		raw, last := strings.CutSuffix(sg.raw, ":")
		name, err := url.PathUnescape(raw)
		if err != nil {
			return nil, nil, badRequest("bad path segment")
		}
		if name != "" {
			if !it.folder {
				return nil, nil, notFound()
			}
			it = childByName(it, name)
			if it == nil {
				return nil, nil, notFound()
			}
		}
		if last {
			return it, segs[i+1:], nil
		}
	}
	return it, nil, nil
}

// routeItem handles an addressed item: GET, children, permissions and createLink.
func (s *Server) routeItem(c *reqCtx, it *item, segs []seg) *apiError {
	if len(segs) == 0 {
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		return s.serveItem(c, it)
	}
	switch {
	case is(segs[0], "children") && len(segs) == 1:
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		return s.serveChildren(c, it)
	case is(segs[0], "permissions") && len(segs) == 1:
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		return s.servePermissions(c, it)
	case is(segs[0], "permissions") && len(segs) == 3 && isAction(segs[2], "grant", "revokeGrants"):
		if e := allow(c, http.MethodPost); e != nil {
			return e
		}
		ref, ok := s.findPerm(it, segs[1].name)
		switch {
		case !ok:
			return notFound()
		case isAction(segs[2], "revokeGrants"):
			return s.revokeGrants(c, it, ref)
		case ref.p == nil:
			return errOwnerPerm()
		case ref.from != nil:
			return errInherited()
		}
		return s.grant(c, ref.p)
	case isAction(segs[0], "invite") && len(segs) == 1:
		if e := allow(c, http.MethodPost); e != nil {
			return e
		}
		return s.invite(c, it)
	case is(segs[0], "permissions") && len(segs) == 2:
		if e := allow(c, http.MethodGet, http.MethodPatch, http.MethodDelete); e != nil {
			return e
		}
		return s.servePermission(c, it, segs[1].name)
	case is(segs[0], "content") && len(segs) == 1:
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		return s.serveContent(c, it)
	case len(segs) == 1 && isDelta(segs[0]):
		tok, _ := isDeltaSegment(segs[0])
		return s.serveDelta(c, it, tok)
	case (is(segs[0], "createLink") || is(segs[0], "microsoft.graph.createLink")) && len(segs) == 1:
		if e := allow(c, http.MethodPost); e != nil {
			return e
		}
		return s.createLink(c, it)
	}
	return segmentNotFound(segs[0])
}
