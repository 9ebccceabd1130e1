package emulator

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"path"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// downloadPrefix is the path of pre-authenticated download URLs on the download origin.
const downloadPrefix = "/_download/"

// defaultDownloadLifetime is how long a download URL works: "@microsoft.graph.downloadUrl ...
// is only valid for a short period of time" (about an hour in practice) [notes §2].
const defaultDownloadLifetime = time.Hour

// contentFormats are the conversions of GET /content?format= the emulator performs, with the
// source extensions Graph v1.0 documents for each [driveitem-get-content-format].
var contentFormats = map[string]struct {
	mime    string
	sources string
}{
	"pdf":  {"application/pdf", "csv doc docx odp ods odt pot potm potx pps ppsx ppsxm ppt pptm pptx rtf xls xlsx"},
	"html": {"text/html", "loop fluid wbtx"},
}

// contentRef is what a download URL grants: one version of an item's content (its size then),
// optionally converted, until exp.
type contentRef struct {
	id      string
	version int
	size    int64
	format  string
	exp     int64 // unix seconds
}

func (s *Server) signDownload(r contentRef) string {
	payload := strings.Join([]string{r.id, strconv.Itoa(r.version), strconv.FormatInt(r.size, 10), r.format, strconv.FormatInt(r.exp, 10)}, "|")
	mac := hmac.New(sha256.New, s.downloadKey)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

func (s *Server) verifyDownload(tok string) (contentRef, bool) {
	p, m, ok := strings.Cut(tok, ".")
	if !ok {
		return contentRef{}, false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	sum, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil {
		return contentRef{}, false
	}
	mac := hmac.New(sha256.New, s.downloadKey)
	mac.Write(payload)
	if !hmac.Equal(sum, mac.Sum(nil)[:18]) {
		return contentRef{}, false
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 5 {
		return contentRef{}, false
	}
	r := contentRef{id: f[0], format: f[3]}
	var e1, e2, e3 error
	r.version, e1 = strconv.Atoi(f[1])
	r.size, e2 = strconv.ParseInt(f[2], 10, 64)
	r.exp, e3 = strconv.ParseInt(f[4], 10, 64)
	return r, e1 == nil && e2 == nil && e3 == nil
}

// SetDownloadOrigin sets the origin ("https://localhost:PORT") of the pre-authenticated download
// URLs, a listener serving DownloadHandler. Listen does this itself; tests that serve the
// handler through httptest start a second server and call this.
func (s *Server) SetDownloadOrigin(origin string) {
	s.mu.Lock()
	s.downloadOrigin = strings.TrimSuffix(origin, "/")
	s.mu.Unlock()
}

// SetIgnoreRange switches Options.IgnoreRange while the server runs: the download host answers 200
// with the whole content to every request, Range or not.
func (s *Server) SetIgnoreRange(on bool) { s.ignoreRange.Store(on) }

// SetCorruptDownloads makes the download host flip a bit of the first content byte of every
// download, as a broken proxy or disk might (the hashes in the file facet then do not match).
func (s *Server) SetCorruptDownloads(on bool) { s.corrupt.Store(on) }

// DownloadOrigin returns the origin download URLs are on ("" before Listen or
// SetDownloadOrigin: the request's own origin).
func (s *Server) DownloadOrigin() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.downloadOrigin
}

// downloadURL is a fresh pre-authenticated URL for it's current content (converted to format
// when set), on the download origin, or on the request's own origin when none is set.
func (s *Server) downloadURL(c *reqCtx, it *item, format string) string {
	life := s.opts.DownloadURLLifetime
	if life <= 0 {
		life = defaultDownloadLifetime
	}
	ref := contentRef{id: it.id, version: it.version, size: it.size, format: format, exp: s.now().Add(life).Unix()}
	origin := s.downloadOrigin
	if origin == "" {
		origin = kit.RequestOrigin(c.r)
	}
	return origin + downloadPrefix + s.signDownload(ref)
}

// serveContent answers GET {item}/content [driveitem-get-content]: 302 Found to a
// pre-authenticated download URL on another origin (the one @microsoft.graph.downloadUrl
// holds), which needs no Authorization. If-None-Match with the item's eTag or cTag answers 304.
// ?format=pdf (or html) converts the sources Graph lists; a known format and another source is
// 406 notSupported, an unknown format 400. A folder has no content (404 itemNotFound).
func (s *Server) serveContent(c *reqCtx, it *item) *apiError {
	if it.folder {
		return errf(http.StatusNotFound, codeItemNotFound, "The item is a folder and does not have content.")
	}
	format := ""
	if v := queryValues(c.query, "format"); len(v) > 0 {
		format = lower(v[0])
		cf, ok := contentFormats[format]
		if !ok {
			return badRequest(fmt.Sprintf("The format '%s' is not supported; the emulator converts to pdf and html.", v[0]))
		}
		ext := strings.TrimPrefix(lower(path.Ext(it.name)), ".")
		if ext == "" || !strings.Contains(" "+cf.sources+" ", " "+ext+" ") {
			return errf(http.StatusNotAcceptable, "notSupported", fmt.Sprintf("Files of type '.%s' can't be converted to %s.", ext, format))
		}
	}
	if inm := c.r.Header.Get("If-None-Match"); inm != "" && format == "" {
		for _, tag := range entityTags(inm) {
			if tag == itemETag(it) || tag == itemCTag(it) || tag == "*" {
				c.w.WriteHeader(http.StatusNotModified)
				return nil
			}
		}
	}
	c.w.Header().Set("Location", s.downloadURL(c, it, format))
	c.w.WriteHeader(http.StatusFound)
	return nil
}

// entityTags splits an If-None-Match list. Graph's tags hold commas ("{id},1"), so the list is
// split between quoted tags, not at every comma; W/ prefixes are dropped (weak comparison).
func entityTags(h string) []string {
	var out []string
	for rest := strings.TrimSpace(h); rest != ""; rest = strings.TrimLeft(rest, ", \t") {
		rest = strings.TrimPrefix(rest, "W/")
		if rest[0] != '"' {
			tag, after, _ := strings.Cut(rest, ",")
			out = append(out, strings.TrimSpace(tag))
			rest = after
			continue
		}
		end := strings.IndexByte(rest[1:], '"')
		if end < 0 {
			return append(out, rest)
		}
		out = append(out, rest[:end+2])
		rest = rest[end+2:]
	}
	return out
}

func itemETag(it *item) string { return "\"{" + it.id + "}," + strconv.Itoa(it.version) + "\"" }
func itemCTag(it *item) string { return "\"c:{" + it.id + "}," + strconv.Itoa(it.version) + "\"" }

// contentSeed seeds the byte stream of one version of an item (and of a conversion of it).
func contentSeed(id string, version int, format string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(lower(id) + "\x00" + strconv.Itoa(version) + "\x00" + format))
	return h.Sum64()
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// fillContent fills p with the bytes at offset off of the stream seed: word i of the stream is
// splitmix(seed + i·φ), so any range is computed directly and a 1 GiB file costs no memory.
func fillContent(seed uint64, off int64, p []byte) {
	for len(p) > 0 {
		w := uint64(off / 8)
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], splitmix(seed+w*0x9e3779b97f4a7c15))
		n := copy(p, b[off%8:])
		p, off = p[n:], off+int64(n)
		for len(p) >= 8 { // aligned now
			w++
			binary.LittleEndian.PutUint64(p, splitmix(seed+w*0x9e3779b97f4a7c15))
			p, off = p[8:], off+8
		}
	}
}

// stream is one version of an item's content (or a conversion of it) as bytes: a
// deterministic pseudo-random stream of its size; a conversion starts with the format's magic.
type stream struct {
	seed   uint64
	size   int64
	prefix []byte
}

func streamOf(r contentRef) stream {
	st := stream{seed: contentSeed(r.id, r.version, r.format), size: r.size}
	switch r.format {
	case "pdf":
		st.prefix = []byte("%PDF-1.7\n% odshare emulator conversion\n")
		st.size = int64(len(st.prefix)) + 1024 + r.size/4
	case "html":
		st.prefix = []byte("<!DOCTYPE html>\n<!-- odshare emulator conversion -->\n")
		st.size = int64(len(st.prefix)) + 1024 + r.size/4
	}
	return st
}

// readAt fills p from offset off (p must fit in the stream).
func (st stream) readAt(p []byte, off int64) {
	if off < int64(len(st.prefix)) {
		n := copy(p, st.prefix[off:])
		p, off = p[n:], off+int64(n)
	}
	fillContent(st.seed, off, p)
}

// chunkPool holds writeTo's 64 KiB buffers: hashing 100,000 small files at start must not
// allocate 100,000 of them.
var chunkPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// writeTo writes bytes [from, to) to w in chunks.
func (st stream) writeTo(w io.Writer, from, to int64) error {
	bp := chunkPool.Get().(*[]byte)
	defer chunkPool.Put(bp)
	buf := *bp
	for from < to {
		n := int64(len(buf))
		if to-from < n {
			n = to - from
		}
		st.readAt(buf[:n], from)
		if _, err := w.Write(buf[:n]); err != nil {
			return err
		}
		from += n
	}
	return nil
}

// hashes returns the file facet's hashes of it's current content version: quickXorHash
// everywhere, sha1Hash and sha256Hash (upper-case hex) on OneDrive personal only; business
// drives and SharePoint send only quickXorHash [hashes resource]. New computes them for every
// file up front (precomputeHashes), so listings never wait; a content change recomputes them on
// first use.
func (s *Server) hashes(it *item) hashesDoc {
	if it.hashVersion != it.version {
		it.hashDoc, it.hashVersion = computeHashes(it), it.version
	}
	return it.hashDoc
}

func computeHashes(it *item) hashesDoc {
	st := streamOf(contentRef{id: it.id, version: it.version, size: it.size})
	qx := newQuickXorHash()
	ws := []io.Writer{qx}
	var h1, h256 hash.Hash
	if it.drive.driveType == DriveTypePersonal {
		h1, h256 = sha1.New(), sha256.New()
		ws = append(ws, h1, h256)
	}
	_ = st.writeTo(io.MultiWriter(ws...), 0, st.size)
	doc := hashesDoc{QuickXorHash: base64.StdEncoding.EncodeToString(qx.Sum(nil))}
	if h1 != nil {
		doc.SHA1Hash = strings.ToUpper(hex.EncodeToString(h1.Sum(nil)))
		doc.SHA256Hash = strings.ToUpper(hex.EncodeToString(h256.Sum(nil)))
	}
	return doc
}

// precomputeHashes hashes every file of the store on all cores (about a second per gigabyte
// of fixture content), before the server answers anything.
func precomputeHashes(st *store) {
	files := make(chan *item, 256)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range files {
				it.hashDoc, it.hashVersion = computeHashes(it), it.version
			}
		}()
	}
	for _, d := range st.drives {
		for _, it := range d.order {
			if !it.folder {
				files <- it
			}
		}
	}
	close(files)
	wg.Wait()
}

// ChangeContent gives a file new content, as an upload would: a new version (so new eTag,
// cTag, hashes and bytes; download URLs issued before keep serving the old version), size when
// size >= 0, lastModifiedDateTime now, and the item shows up in the next delta round.
func (s *Server) ChangeContent(id string, size int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	it := s.st.item(id)
	if it == nil {
		return fmt.Errorf("no item %q", id)
	}
	if it.folder {
		return fmt.Errorf("item %q is a folder", id)
	}
	it.version++
	if size >= 0 {
		for a := it.parent; a != nil; a = a.parent {
			a.total += size - it.size
		}
		it.size, it.total = size, size
	}
	it.modified = s.now().UTC()
	s.st.touch(it, it.modified)
	return nil
}

// DownloadHandler serves the pre-authenticated download URLs (GET and HEAD, no Authorization
// needed): the bytes of the version the URL was issued for, with Range support (206 and
// Content-Range for one range; 416 with "bytes */size" past the end; several ranges or a
// malformed header get the whole file, as RFC 9110 allows), unless Options.IgnoreRange, which
// answers 200 with everything like a server that can't serve ranges. An expired or forged URL
// answers 401. Faults whose path matches /_download/** apply here too (latency, status, reset;
// truncate sends the full Content-Length and half the bytes), and downloads are recorded.
func (s *Server) DownloadHandler() http.Handler { return http.HandlerFunc(s.serveDownload) }

func (s *Server) serveDownload(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("request-id", s.newUUID())
	rec := RecordedRequest{Method: r.Method, RawURI: r.RequestURI, Header: r.Header.Clone()}
	if rec.RawURI == "" {
		rec.RawURI = r.URL.RequestURI()
	}
	setStatus := s.rec.Start(rec)
	sw := &kit.StatusWriter{ResponseWriter: w, OnStatus: setStatus}
	w = sw
	plain := func(status int, msg string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, msg+"\n")
	}
	esc := r.URL.EscapedPath()
	tok, ok := strings.CutPrefix(esc, downloadPrefix)
	if !ok {
		plain(http.StatusNotFound, "Not found.")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plain(http.StatusMethodNotAllowed, "Method not allowed.")
		return
	}
	f := s.pickFault(r.Method, esc, false)
	if f != nil && !f.Truncate && s.applyFault(w, r, f, &rec) {
		return
	}
	ref, ok := s.verifyDownload(tok)
	if !ok {
		plain(http.StatusUnauthorized, "The download URL is not valid.")
		return
	}
	if !s.now().Before(time.Unix(ref.exp, 0)) {
		plain(http.StatusUnauthorized, "The download URL has expired; request the item's content again for a new one.")
		return
	}
	s.mu.Lock()
	it := s.st.item(ref.id)
	name, mime := "", ""
	if it != nil {
		name, mime = it.name, it.mime
	}
	s.mu.Unlock()
	if it == nil {
		plain(http.StatusNotFound, "The item no longer exists.")
		return
	}
	st := streamOf(ref)
	if ref.format != "" {
		mime = contentFormats[ref.format].mime
		name = strings.TrimSuffix(name, path.Ext(name)) + "." + ref.format
	}
	h := w.Header()
	h.Set("Content-Type", mime)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("ETag", "\"{"+ref.id+"},"+strconv.Itoa(ref.version)+"\"")
	from, to, ok := kit.ContentHeader(w, r, st.size, s.ignoreRange.Load())
	if !ok {
		return
	}
	if r.Method == http.MethodHead {
		return
	}
	var out io.Writer = w
	if s.corrupt.Load() {
		out = &kit.FlipFirst{W: w}
	}
	cw := &kit.CountingWriter{W: out, Add: func(n int64) { s.countStat(func(st *Stats) { st.DownloadBytes += n }) }}
	if f != nil && f.Truncate {
		_ = st.writeTo(cw, from, from+(to-from)/2)
		kit.CutShort(sw.ResponseWriter)
		return
	}
	_ = st.writeTo(cw, from, to)
}
