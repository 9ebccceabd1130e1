package box

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

// Options configures a Server. The zero value serves DemoFixture.
type Options struct {
	Seed *Fixture // nil = DemoFixture()
	// Faults are initial fault rules for the API (paths are globs below /2.0, e.g.
	// "/files/*"); see kit.Fault. They don't apply to /oauth2/* or the authorize page.
	Faults []kit.Fault
	// Throttle, when set, is a token bucket per client (the Authorization header, else the
	// remote IP) for API requests; 429 rate_limit_exceeded with retry-after in whole seconds.
	Throttle   *kit.Throttle
	RandomSeed int64 // seeds tokens, ids and random faults; != 0 makes them repeatable
	// Clock is the emulator's time (expiry of links, tokens and codes; the throttle); nil =
	// time.Now.
	Clock func() time.Time
	// AutoApprove answers /api/oauth2/authorize at once with a code for the fixture's Me (or
	// the user named by box_login, an emulator extension), without the consent page.
	AutoApprove bool
	// AccessTokenLifetime defaults to 60 minutes, RefreshTokenLifetime to 60 days and
	// AuthCodeLifetime to 30 seconds, Box's [G-API expiration].
	AccessTokenLifetime, RefreshTokenLifetime, AuthCodeLifetime time.Duration
	Logger                                                      *log.Logger // nil = silent
}

// Server is the Box stand-in: the Content API under /2.0, OAuth 2.0 at /oauth2/token,
// /oauth2/revoke and /api/oauth2/authorize, and its admin endpoints under /_emulator/box. It is
// an http.Handler, safe for concurrent use.
type Server struct {
	opts   Options
	logger *log.Logger
	now    func() time.Time

	atLife, rtLife, acLife time.Duration

	mu sync.Mutex // guards st and the OAuth state below
	st *store

	tokens   map[string]*accessToken // access token -> grant
	refresh  map[string]*refreshGrant
	codes    map[string]*authCode
	tickets  map[string]*authRequest // consent-page ticket -> request
	sessions int
	auto     bool
	dlTokens map[string]download
	dlOrigin string // SetDownloadOrigin; "" = this server's own origin

	ignoreRange atomic.Bool
	corrupt     atomic.Bool

	rec     kit.Recorder
	faults  kit.FaultSet
	limiter atomic.Pointer[kit.Limiter] // nil: no throttle

	rngMu sync.Mutex
	rng   *rand.Rand

	statsMu sync.Mutex
	stats   Stats
}

// Stats counts what the stand-in did since it started or since ResetStats.
type Stats struct {
	Requests  int64 `json:"requests"`  // API, token and download requests recorded
	Throttled int64 `json:"throttled"` // 429s of the throttle model (faults don't count)
	// SharedLinks counts successful shared-link PUTs by what they did: a link made where there
	// was none, a link changed, a link removed.
	SharedLinks struct {
		Created int64 `json:"created"`
		Updated int64 `json:"updated"`
		Removed int64 `json:"removed"`
	} `json:"sharedLinks"`
	// DownloadBytes counts the content bytes the download host sent.
	DownloadBytes int64 `json:"downloadBytes"`
	Tokens        struct {
		Issued    int64 `json:"issued"`    // authorization_code and client_credentials grants
		Refreshed int64 `json:"refreshed"` // refresh_token grants that succeeded
	} `json:"tokens"`
}

// New builds a server; a broken fixture is reported here.
func New(opts Options) (*Server, error) {
	f := opts.Seed
	if f == nil {
		f = DemoFixture()
	}
	st, err := newStore(f)
	if err != nil {
		return nil, err
	}
	if err := opts.Throttle.Validate(); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, logger: opts.Logger, now: opts.Clock, st: st,
		atLife: opts.AccessTokenLifetime, rtLife: opts.RefreshTokenLifetime, acLife: opts.AuthCodeLifetime,
		tokens: map[string]*accessToken{}, refresh: map[string]*refreshGrant{}, codes: map[string]*authCode{},
		tickets: map[string]*authRequest{}, auto: opts.AutoApprove, dlTokens: map[string]download{},
	}
	s.limiter.Store(kit.NewLimiter(opts.Throttle))
	if s.now == nil {
		s.now = time.Now
	}
	if s.atLife <= 0 {
		s.atLife = 60 * time.Minute
	}
	if s.rtLife <= 0 {
		s.rtLife = 60 * 24 * time.Hour
	}
	if s.acLife <= 0 {
		s.acLife = 30 * time.Second
	}
	seed := uint64(opts.RandomSeed)
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	s.rng = rand.New(rand.NewPCG(seed, seed^0x94d049bb133111eb))
	for _, fl := range opts.Faults {
		s.faults.Add(fl)
	}
	for _, u := range st.users {
		for _, fu := range f.Users {
			if fu.DeveloperToken != "" && (fu.ID == u.id || strings.EqualFold(fu.Login, u.login)) {
				if s.tokens[fu.DeveloperToken] != nil {
					return nil, fmt.Errorf("box fixture: developer token of %s is used twice", u.login)
				}
				s.tokens[fu.DeveloperToken] = &accessToken{user: u, developer: true}
			}
		}
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

// randToken returns n random characters from alphabet.
func (s *Server) randToken(n int, alphabet string) string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	lowerDigits = "abcdefghijklmnopqrstuvwxyz0123456789"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)

// requestID is a Box-shaped request id: hex digits, as in BOX-REQUEST-ID headers.
func (s *Server) requestID() string {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.rng.Uint64())
	return fmt.Sprintf("%x", b[:]) + fmt.Sprintf("%x", s.rng.Uint32()&0xfff)
}

func (s *Server) countStat(f func(*Stats)) {
	s.statsMu.Lock()
	f(&s.stats)
	s.statsMu.Unlock()
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.stats
}

// ResetStats sets every counter to zero.
func (s *Server) ResetStats() {
	s.statsMu.Lock()
	s.stats = Stats{}
	s.statsMu.Unlock()
}

// Requests returns every API, token and download request (/box-downloads/…) received so far,
// in arrival order (see kit.Recorder). The authorize pages and admin requests are not recorded.
func (s *Server) Requests() []kit.RecordedRequest { return s.rec.Requests() }

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() { s.rec.Reset() }

// AddFault adds a fault rule for API requests; ClearFaults removes them all.
func (s *Server) AddFault(f kit.Fault) { s.faults.Add(f) }

// ClearFaults removes every fault rule.
func (s *Server) ClearFaults() { s.faults.Clear() }

// UnappliedFaults returns the rules no request has triggered yet.
func (s *Server) UnappliedFaults() []kit.Fault { return s.faults.Unapplied() }

// SetThrottle replaces the throttle (Options.Throttle) with fresh buckets; nil turns it off.
func (s *Server) SetThrottle(t *kit.Throttle) error {
	if err := t.Validate(); err != nil {
		return err
	}
	s.limiter.Store(kit.NewLimiter(t))
	return nil
}

// SetDownloadOrigin makes the 302s of /files/{id}/content name download URLs on origin
// (scheme://host:port, no slash at the end) instead of this server's: Box's download host,
// dl.boxcloud.com, is another host than api.box.com. The server still serves those URLs
// (/box-downloads/…), so origin must reach it.
func (s *Server) SetDownloadOrigin(origin string) {
	s.mu.Lock()
	s.dlOrigin = strings.TrimSuffix(origin, "/")
	s.mu.Unlock()
}

// SetIgnoreRange makes the download host ignore Range and answer 200 with the whole file, like a
// server that can't serve ranges.
func (s *Server) SetIgnoreRange(on bool) { s.ignoreRange.Store(on) }

// SetCorruptDownloads makes the download host flip a bit of the first byte of every body.
func (s *Server) SetCorruptDownloads(on bool) { s.corrupt.Store(on) }

// ExpireDownloads makes every download URL issued so far unknown (404), as after its 15 minutes.
func (s *Server) ExpireDownloads() {
	s.mu.Lock()
	clear(s.dlTokens)
	s.mu.Unlock()
}

// ChangeContent gives the file id new content, as an upload of a new version would: a new
// file_version and sha1, modified_at now, and size bytes (size < 0 keeps the size). Download
// URLs issued before serve the old content until they expire.
func (s *Server) ChangeContent(id string, size int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.st.item(id)
	if it == nil || it.typ != TypeFile {
		return fmt.Errorf("box emulator: no file %q", id)
	}
	if size >= 0 {
		it.size = size
	}
	it.version++
	it.etag++
	it.modified = s.now()
	return nil
}

// SetAutoApprove turns Options.AutoApprove on or off at run time.
func (s *Server) SetAutoApprove(on bool) {
	s.mu.Lock()
	s.auto = on
	s.mu.Unlock()
}

// Paths the stand-in serves.
const (
	apiPrefix     = "/2.0"
	tokenPath     = "/oauth2/token"
	revokePath    = "/oauth2/revoke"
	authorizePath = "/api/oauth2/authorize"
	adminPrefix   = "/_emulator/box"
	downloadPath  = "/box-downloads/" // stands in for dl.boxcloud.com
)

// Match reports whether r is for the Box stand-in, so it can share a listener with Graph.
func (s *Server) Match(r *http.Request) bool {
	p := r.URL.EscapedPath()
	return p == apiPrefix || strings.HasPrefix(p, apiPrefix+"/") || p == tokenPath || p == revokePath ||
		p == authorizePath || p == adminPrefix || strings.HasPrefix(p, adminPrefix+"/") || strings.HasPrefix(p, downloadPath)
}

// ServeHTTP answers Box requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	switch {
	case p == adminPrefix || strings.HasPrefix(p, adminPrefix+"/"):
		s.serveAdmin(w, r, strings.Trim(strings.TrimPrefix(p, adminPrefix), "/"))
		return
	case p == authorizePath:
		s.serveAuthorize(w, r)
		s.logf("box: %s %s", r.Method, authorizePath)
		return
	case strings.HasPrefix(p, downloadPath):
		s.serveDownload(w, r, strings.TrimPrefix(p, downloadPath))
		return
	}
	reqID := s.requestID()
	w.Header().Set("Box-Request-Id", reqID)
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	rec := kit.RecordedRequest{Method: r.Method, RawURI: r.RequestURI, Header: r.Header.Clone(), Body: body}
	if rec.RawURI == "" {
		rec.RawURI = r.URL.RequestURI()
	}
	s.countStat(func(st *Stats) { st.Requests++ })
	s.redactBox(&rec)
	sw := &kit.StatusWriter{ResponseWriter: w, OnStatus: s.rec.Start(rec)}
	defer func() { s.logf("box: %s %s -> %d", rec.Method, rec.RawURI, sw.Status) }()
	if err != nil {
		writeError(sw, badRequest("could not read the request body"))
		return
	}
	switch p {
	case tokenPath:
		s.serveToken(sw, r, body)
		return
	case revokePath:
		s.serveRevoke(sw, r, body)
		return
	}
	rawPath := strings.TrimPrefix(p, apiPrefix)
	if f := s.faults.Pick(r.Method, rawPath, false, s.randFloat); f != nil {
		answered, _ := f.Apply(sw, r, func(w http.ResponseWriter, status int) {
			if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
				w.Header().Set("Retry-After", "1")
			}
			code, msg := faultCode(status)
			writeError(w, errf(status, code, msg))
		})
		if answered {
			return
		}
		r = kit.WithKeep(r, f)
		if f.Truncate {
			bw := kit.NewBufferWriter(sw.Header().Clone())
			s.serveAPI(bw, r, rawPath, body)
			kit.WriteTruncated(sw, bw.Status, bw.HeaderMap, bw.Buf.Bytes())
			return
		}
	}
	s.serveAPI(sw, r, rawPath, body)
}

// serveAPI takes a throttle token, authenticates and routes one API request.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rawPath string, body []byte) {
	if wait, ok := s.limiter.Load().Take(kit.ClientKey(r), s.now()); !ok {
		s.countStat(func(st *Stats) { st.Throttled++ })
		w.Header().Set("Retry-After", kit.RetryAfterSeconds(wait))
		code, msg := faultCode(http.StatusTooManyRequests)
		writeError(w, errf(http.StatusTooManyRequests, code, msg))
		return
	}
	c := &reqCtx{s: s, w: w, r: r, body: body}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, badRequest("The query string is malformed."))
		return
	}
	c.query = q
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.authenticate(c); e != nil {
		writeError(w, e)
		return
	}
	if e := s.route(c, rawPath); e != nil {
		writeError(w, e)
	}
}

// reqCtx is one API request being answered; it runs with s.mu held.
type reqCtx struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	body  []byte
	query url.Values
	user  *user
	// link is the shared link the BoxApi header named, once resolved (nil before or without).
	link     *item
	linkDone bool
	linkErr  *apiError
	// noLink renders shared_link as null: the answer to a removal a keep fault made change nothing.
	noLink bool
}

// kept reports whether the request must change nothing (a keep rule matched it: kit.Kept). A
// removal of a shared link honours it: answered 200 with "shared_link": null, the link left in
// place, so a client that trusts the answer and reads nothing again is caught out.
func (c *reqCtx) kept() bool { return kit.Kept(c.r) }

// The WWW-Authenticate Box sends with a 401 for a bad token (box/box-node-sdk#157); without a
// token, RFC 6750 §3.1 says the challenge carries no error.
const (
	wwwInvalidToken = `Bearer realm="Service", error="invalid_token", error_description="The access token provided is invalid."`
	wwwNoToken      = `Bearer realm="Service"`
)

func (s *Server) authenticate(c *reqCtx) *apiError {
	scheme, tok, _ := strings.Cut(c.r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	unauthorized := errf(http.StatusUnauthorized, "unauthorized", "Unauthorized")
	if !strings.EqualFold(scheme, "Bearer") || tok == "" {
		c.w.Header().Set("WWW-Authenticate", wwwNoToken)
		return unauthorized
	}
	at := s.tokens[tok]
	if at == nil || at.revoked || (!at.expires.IsZero() && !s.now().Before(at.expires)) {
		c.w.Header().Set("WWW-Authenticate", wwwInvalidToken)
		return unauthorized
	}
	c.user = at.user
	return nil
}

// splitSegments splits the escaped path into decoded segments.
func splitSegments(rawPath string) ([]string, bool) {
	rawPath = strings.Trim(rawPath, "/")
	if rawPath == "" {
		return nil, true
	}
	parts := strings.Split(rawPath, "/")
	for i, p := range parts {
		d, err := url.PathUnescape(p)
		if err != nil {
			return nil, false
		}
		parts[i] = d
	}
	return parts, true
}

func methodNotAllowed(c *reqCtx, allowed ...string) *apiError {
	c.w.Header().Set("Allow", strings.Join(allowed, ", "))
	return errf(http.StatusMethodNotAllowed, "method_not_allowed", "Method Not Allowed")
}

func allow(c *reqCtx, methods ...string) *apiError {
	for _, m := range methods {
		if c.r.Method == m || (m == http.MethodGet && c.r.Method == http.MethodHead) {
			return nil
		}
	}
	return methodNotAllowed(c, methods...)
}

// route dispatches an API path below /2.0.
func (s *Server) route(c *reqCtx, rawPath string) *apiError {
	segs, ok := splitSegments(rawPath)
	if !ok {
		return badRequest("The path is not correctly percent-encoded.")
	}
	if len(segs) == 0 {
		return notFound()
	}
	switch {
	case segs[0] == "users" && len(segs) == 2 && segs[1] == "me":
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		writeJSON(c.w, http.StatusOK, s.userFull(c, c.user))
		return nil
	case segs[0] == "shared_items" && len(segs) == 1:
		if e := allow(c, http.MethodGet); e != nil {
			return e
		}
		return s.serveSharedItem(c)
	case (segs[0] == "files" || segs[0] == "folders" || segs[0] == "web_links") && len(segs) >= 2:
		typ := map[string]string{"files": TypeFile, "folders": TypeFolder, "web_links": TypeWebLink}[segs[0]]
		id := segs[1]
		// A malformed id answers 405 [OA: "Returned if the file_id is not in a recognized format"].
		if !isNumeric(id) {
			return errf(http.StatusMethodNotAllowed, "method_not_allowed", "Method Not Allowed")
		}
		rest := segs[2:]
		switch {
		case len(rest) == 0:
			if e := allow(c, http.MethodGet, http.MethodPut); e != nil {
				return e
			}
			it, g, e := s.lookup(c, typ, id)
			if e != nil {
				return e
			}
			if c.r.Method == http.MethodPut {
				return s.putItem(c, it, g)
			}
			return s.getItem(c, it, g)
		case len(rest) == 1 && rest[0] == "items" && typ == TypeFolder:
			if e := allow(c, http.MethodGet); e != nil {
				return e
			}
			it, g, e := s.lookup(c, typ, id)
			if e != nil {
				return e
			}
			return s.serveFolderItems(c, it, g)
		case len(rest) == 1 && rest[0] == "content" && typ == TypeFile:
			if e := allow(c, http.MethodGet); e != nil {
				return e
			}
			it, g, e := s.lookup(c, typ, id)
			if e != nil {
				return e
			}
			return s.serveContent(c, it, g)
		}
	}
	return notFound()
}
