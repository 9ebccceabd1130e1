package box

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RefKind says how a Ref names a Box item.
type RefKind int

// The ways a user names a Box item on the command line; see ParseRef.
const (
	// RefPath is a path from the Box root folder: box:/Reports/q3.xlsx.
	RefPath RefKind = iota + 1
	// RefID is an item by type and id: box:file:123, box:folder:456, box:web_link:789, or a web-app URL
	// https://app.box.com/file/123.
	RefID
	// RefSharedLink is a shared link: https://app.box.com/s/<token> or a vanity URL …/v/<name>.
	RefSharedLink
	// RefSharedItem is an item inside a shared folder: …/s/<token>/folder/<id> or …/s/<token>/file/<id>.
	RefSharedItem
)

// Ref is a Box item as the user named it. The zero Ref is not valid; ParseRef builds them.
type Ref struct {
	Kind RefKind
	// Path is RefPath's path from the root, cleaned: "/" for the root folder, else "/a/b" with no trailing
	// slash. Names are compared case-insensitively when it is resolved, as Box does.
	Path string
	// Dir is true for a RefPath given with a trailing slash (box:/Reports/): it must name a folder.
	Dir bool
	// Type and ID name the item for RefID and RefSharedItem.
	Type ItemType
	ID   string
	// Link is the shared link of RefSharedLink and RefSharedItem in canonical form, https://<host>/s/<token>
	// or https://<host>/v/<name> (host lower-cased; no port, query or fragment): what the BoxApi header
	// carries.
	Link string
	// Vanity is true when Link is a vanity URL (/v/).
	Vanity bool
}

// String is the canonical spelling of r, which ParseRef reads back to r: box:/path, box:<type>:<id>, the
// shared link, or the shared link followed by /folder/<id> or /file/<id>.
func (r Ref) String() string {
	switch r.Kind {
	case RefPath:
		if r.Dir && r.Path != "/" {
			return "box:" + r.Path + "/"
		}
		return "box:" + r.Path
	case RefID:
		return "box:" + string(r.Type) + ":" + r.ID
	case RefSharedLink:
		return r.Link
	case RefSharedItem:
		return r.Link + "/" + string(r.Type) + "/" + r.ID
	}
	return "box:?"
}

// RefError is an item argument that is not a valid Box item: a usage error (exit 2), found before
// anything is sent. Arg is the argument, quoted and with any user info of a URL replaced, so it is safe to
// print.
type RefError struct {
	Arg    string
	Reason string
}

func (e *RefError) Error() string {
	return "invalid Box item " + e.Arg + ": " + e.Reason
}

func refErr(arg, format string, a ...any) error {
	return &RefError{Arg: quoteArg(arg), Reason: fmt.Sprintf(format, a...)}
}

// quoteArg quotes arg for a message (control characters escaped) and cut to a readable length.
func quoteArg(arg string) string {
	if utf8.RuneCountInString(arg) > 200 {
		arg = string([]rune(arg)[:200]) + "…"
	}
	return fmt.Sprintf("%q", arg)
}

// IsBoxArg reports whether an item argument is Box's: it starts with "box:" (any case), or it is an http(s)
// URL whose host is box.com or a subdomain of it (app.box.com, <enterprise>.app.box.com,
// <enterprise>.box.com, www.box.com, cloud.box.com). Anything else is left to Graph, exactly as before Box
// existed. It decides on the host alone, read the way a browser would (after any user info), so that a
// malformed Box URL gets Box's error from ParseRef rather than Graph's.
func IsBoxArg(arg string) bool {
	if len(arg) >= 4 && strings.EqualFold(arg[:4], "box:") {
		return true
	}
	host, ok := urlHost(arg)
	return ok && isBoxHost(host)
}

// urlHost returns the host of an http(s) URL without parsing the rest: what follows "://" up to the first
// '/', '?', '#' or '\', after the last '@', without a port, lower-cased, one trailing dot dropped.
func urlHost(arg string) (string, bool) {
	lower := strings.ToLower(arg)
	var rest string
	switch {
	case strings.HasPrefix(lower, "https://"):
		rest = lower[len("https://"):]
	case strings.HasPrefix(lower, "http://"):
		rest = lower[len("http://"):]
	default:
		return "", false
	}
	if i := strings.IndexAny(rest, "/?#\\"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	if strings.HasPrefix(rest, "[") {
		return "", false // an IP literal is never Box's
	}
	if i := strings.IndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return strings.TrimSuffix(rest, "."), true
}

func isBoxHost(host string) bool {
	return host == "box.com" || strings.HasSuffix(host, ".box.com") && len(host) > len(".box.com")
}

// ParseRef reads a Box item argument (one IsBoxArg accepts):
//
//	box:/Reports/q3.xlsx                    a path from the root folder; box:/ is the root itself, and
//	box:Reports/q3.xlsx                     without the leading slash is the same path (as rclone reads it)
//	box:file:123  box:folder:456  box:web_link:789
//	https://app.box.com/s/<token>           a shared link, also on <ent>.app.box.com, <ent>.box.com, …
//	https://app.box.com/v/<name>            a vanity link
//	https://app.box.com/s/<token>/folder/<id>, …/file/<id>   an item inside a shared folder
//	https://app.box.com/file/<id>, …/folder/<id>             the web app's address of an item
//
// URLs must be https on the default port, without user info; a query or fragment is ignored. Ids are
// numeric; path segments may not be empty, "." or "..", or hold '\' (Box's names cannot). Control
// characters are refused everywhere. Errors are *RefError, meant to be usage errors.
func ParseRef(arg string) (Ref, error) {
	if strings.TrimSpace(arg) == "" {
		return Ref{}, refErr(arg, "it is empty")
	}
	if !utf8.ValidString(arg) {
		return Ref{}, refErr(arg, "it is not valid UTF-8")
	}
	if strings.IndexFunc(arg, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) }) >= 0 {
		return Ref{}, refErr(arg, "it contains control characters")
	}
	if len(arg) >= 4 && strings.EqualFold(arg[:4], "box:") {
		return parseBoxScheme(arg, arg[4:])
	}
	host, ok := urlHost(arg)
	if !ok || !isBoxHost(host) {
		return Ref{}, refErr(arg, "it is neither box:… nor a Box URL")
	}
	return parseBoxURL(arg)
}

// idKinds are the box:<type>:<id> prefixes.
var idKinds = []ItemType{File, Folder, WebLink}

// nearKinds are spellings that look like an id prefix but are not one, with the one meant.
var nearKinds = map[string]ItemType{
	"files": File, "folders": Folder, "web_links": WebLink, "weblink": WebLink, "web-link": WebLink,
	"weblinks": WebLink, "link": WebLink, "dir": Folder,
}

func parseBoxScheme(arg, rest string) (Ref, error) {
	for _, t := range idKinds {
		if id, ok := strings.CutPrefix(rest, string(t)+":"); ok {
			if err := checkRefID(t, id); err != nil {
				return Ref{}, refErr(arg, "%s", err)
			}
			return Ref{Kind: RefID, Type: t, ID: id}, nil
		}
	}
	if word, _, ok := strings.Cut(rest, ":"); ok && !strings.Contains(word, "/") {
		lw := strings.ToLower(word)
		if t, near := nearKinds[lw]; near || ItemType(lw).Valid() {
			if !near {
				t = ItemType(lw)
			}
			return Ref{}, refErr(arg, "write box:%s:<id> (or box:/%s for a path)", t, rest)
		}
	}
	p, dir, err := cleanPath(rest)
	if err != nil {
		return Ref{}, refErr(arg, "%s", err)
	}
	return Ref{Kind: RefPath, Path: p, Dir: dir || p == "/"}, nil
}

// checkRefID checks an id typed by the user: numeric, without leading zeros, and 0 only for the root
// folder.
func checkRefID(t ItemType, id string) error {
	if id == "" {
		return fmt.Errorf("the %s id is missing", t)
	}
	if CheckID(id) != nil {
		return fmt.Errorf("%s ids are numeric, not %q", t, id)
	}
	if id == RootFolderID {
		if t != Folder {
			return fmt.Errorf("0 is the root folder's id, not a %s's", t)
		}
		return nil
	}
	if id[0] == '0' {
		return fmt.Errorf("the %s id %q has a leading zero", t, id)
	}
	return nil
}

// maxNameRunes is Box's limit on an item name.
const maxNameRunes = 255

// cleanPath checks a path from the root ("/a/b", "a/b", "/a/b/", "/", "") and returns it as "/a/b" (or
// "/"), with dir true when it ended in a slash.
func cleanPath(p string) (clean string, dir bool, err error) {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return "/", true, nil
	}
	if strings.HasSuffix(p, "/") {
		dir = true
		p = p[:len(p)-1]
	}
	segs := strings.Split(p, "/")
	for _, s := range segs {
		switch {
		case s == "":
			return "", false, errors.New("the path has an empty segment")
		case s == "." || s == "..":
			return "", false, fmt.Errorf("the path has a %q segment: give the whole path from the root folder", s)
		case strings.ContainsRune(s, '\\'):
			return "", false, fmt.Errorf("the name %q holds '\\', which Box names cannot", s)
		case utf8.RuneCountInString(s) > maxNameRunes:
			return "", false, fmt.Errorf("a name is longer than Box's %d characters", maxNameRunes)
		}
	}
	return "/" + strings.Join(segs, "/"), dir, nil
}

// pathSegments splits a cleaned path into its names ("/" has none).
func pathSegments(clean string) []string {
	if clean == "/" {
		return nil
	}
	return strings.Split(clean[1:], "/")
}

// Charsets of URL parts: shared-link tokens (32 lower-case alphanumerics in Box's examples), vanity names
// (Box: letters, digits, hyphens), ids.
const (
	maxTokenLen = 128
	urlForms    = "want …/s/<token>, …/v/<name>, …/s/<token>/folder/<id>, …/file/<id> or …/folder/<id>"
)

func isToken(s string, extra string) bool {
	if s == "" || len(s) > maxTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

func parseBoxURL(arg string) (Ref, error) {
	scheme, rest, _ := strings.Cut(arg, "://")
	if !strings.EqualFold(scheme, "https") {
		return Ref{}, refErr(arg, "Box links are https, not %s", strings.ToLower(scheme))
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#\\"); i >= 0 {
		authority, rest = rest[:i], rest[i:]
	} else {
		rest = ""
	}
	if strings.Contains(authority, "@") {
		return Ref{}, &RefError{Arg: `"https://…@` + authority[strings.LastIndexByte(authority, '@')+1:] + `…"`,
			Reason: "a Box URL may not hold user info"}
	}
	host, port, hasPort := strings.Cut(strings.ToLower(authority), ":")
	if hasPort && port != "443" {
		return Ref{}, refErr(arg, "Box URLs use the default https port, not %q", port)
	}
	host = strings.TrimSuffix(host, ".")
	if strings.HasPrefix(rest, "\\") {
		return Ref{}, refErr(arg, "the URL path starts with '\\'")
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	segs := strings.Split(strings.TrimSuffix(strings.TrimPrefix(rest, "/"), "/"), "/")
	origin := "https://" + host
	switch {
	case len(segs) == 3 && segs[0] == "shared" && segs[1] == "static":
		return Ref{}, refErr(arg, "it is a direct download URL: give the item's shared link (…/s/<token>)")
	case len(segs) >= 2 && (segs[0] == "s" || segs[0] == "v"):
		vanity := segs[0] == "v"
		if vanity && !isToken(segs[1], "-_") || !vanity && !isToken(segs[1], "") {
			return Ref{}, refErr(arg, "%q is not a shared link %s", segs[1], map[bool]string{false: "token", true: "name"}[vanity])
		}
		link := origin + "/" + segs[0] + "/" + segs[1]
		if len(segs) == 2 {
			return Ref{Kind: RefSharedLink, Link: link, Vanity: vanity}, nil
		}
		if len(segs) == 4 {
			if t, ok := webType(segs[2]); ok {
				if err := checkRefID(t, segs[3]); err != nil {
					return Ref{}, refErr(arg, "%s", err)
				}
				return Ref{Kind: RefSharedItem, Link: link, Vanity: vanity, Type: t, ID: segs[3]}, nil
			}
		}
	case len(segs) == 2:
		if t, ok := webType(segs[0]); ok {
			if err := checkRefID(t, segs[1]); err != nil {
				return Ref{}, refErr(arg, "%s", err)
			}
			return Ref{Kind: RefID, Type: t, ID: segs[1]}, nil
		}
	}
	return Ref{}, refErr(arg, "it is not a Box item URL (%s)", urlForms)
}

// webType reads the item kind in a web-app or shared-folder URL: file or folder (the spec's examples also
// write files/123).
func webType(s string) (ItemType, bool) {
	switch s {
	case "file", "files":
		return File, true
	case "folder", "folders":
		return Folder, true
	}
	return "", false
}
