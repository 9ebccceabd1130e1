package graph

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DriveKind says which drive a DriveRef names.
type DriveKind int

// The drive roots Graph documents for createLink and permissions [CL1]. DriveMe is the zero value so a
// zero DriveRef means the signed-in user's drive.
const (
	DriveMe      DriveKind = iota // /me/drive
	DriveByID                     // /drives/{id}
	DriveOfUser                   // /users/{id}/drive
	DriveOfGroup                  // /groups/{id}/drive
	DriveOfSite                   // /sites/{id}/drive
	// DriveOfSiteURL is a site named by its URL; ID is "{hostname}:/{server-relative-path}".
	// Client.ResolveSite turns it into DriveOfSite with the site's id before any item is addressed.
	DriveOfSiteURL
)

// DriveRef names a drive. ID is unused for DriveMe.
type DriveRef struct {
	// Kind says which drive root to use.
	Kind DriveKind
	// ID is the drive, user, group or site id, as given (unescaped).
	ID string
}

// Path returns the drive's path relative to the Graph base URL. ID is escaped as one path segment, so an id
// holding '/' (or a site path given by mistake) cannot address something else.
func (d DriveRef) Path() string {
	switch d.Kind {
	case DriveByID:
		return "/drives/" + escapeSegment(d.ID)
	case DriveOfUser:
		return "/users/" + escapeSegment(d.ID) + "/drive"
	case DriveOfGroup:
		return "/groups/" + escapeSegment(d.ID) + "/drive"
	case DriveOfSite:
		return "/sites/" + escapeSegment(d.ID) + "/drive"
	case DriveOfSiteURL:
		host, path, _ := strings.Cut(d.ID, ":")
		return "/sites/" + escapeSegment(host) + ":" + EscapePath(path) + ":/drive"
	default:
		return "/me/drive"
	}
}

// ItemKind says how an ItemRef names an item.
type ItemKind int

// The ways a user can name an item on the command line; see ParseItemRef.
const (
	ItemByID         ItemKind = iota // a drive item id
	ItemByPath                       // "/Documents/a.pdf", relative to the drive root
	ItemBySharingURL                 // "https://..." sharing link, encoded with EncodeSharingURL
	ItemByShareID                    // "u!..." or "s!..." share token, used as is
)

// ItemRef names an item the way the user gave it. Value is kept as given (the path unescaped, the URL
// unencoded) so messages can echo it; escaping happens when a request path is built.
type ItemRef struct {
	// Kind says how Value names the item.
	Kind ItemKind
	// Value is the id, path, sharing URL or share token exactly as the user gave it.
	Value string
}

// ParseItemRef classifies a command-line item argument. A leading '/' means a path from the drive root
// ("/" alone is the root); http:// or https:// means a sharing URL; a "u!" or "s!" prefix means a share token
// (notes §3: "s!" is undocumented but seen for personal OneDrive); anything else is an item id. Errors are
// meant to become usage errors, so they describe the argument, not Graph.
func ParseItemRef(arg string) (ItemRef, error) {
	if strings.TrimSpace(arg) == "" {
		return ItemRef{}, errors.New("item is empty")
	}
	if !utf8.ValidString(arg) {
		return ItemRef{}, fmt.Errorf("item %q is not valid UTF-8", arg)
	}
	if strings.IndexFunc(arg, unicode.IsControl) >= 0 {
		return ItemRef{}, fmt.Errorf("item %q contains control characters", arg)
	}
	lower := strings.ToLower(arg)
	switch {
	case strings.HasPrefix(arg, "/"):
		if arg == "/" {
			return ItemRef{Kind: ItemByPath, Value: arg}, nil
		}
		// One trailing slash is allowed ("/Docs/"), since shells and people add it to folders.
		for seg := range strings.SplitSeq(strings.TrimSuffix(arg[1:], "/"), "/") {
			switch seg {
			case "":
				return ItemRef{}, fmt.Errorf("path %q has an empty segment", arg)
			case ".", "..":
				return ItemRef{}, fmt.Errorf("path %q has a %q segment: give the full path from the drive root", arg, seg)
			}
		}
		return ItemRef{Kind: ItemByPath, Value: arg}, nil
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		if HasUserInfo(arg) {
			return ItemRef{}, ErrURLUserInfo
		}
		u, err := url.Parse(arg)
		if err != nil || !u.IsAbs() || u.Host == "" {
			return ItemRef{}, fmt.Errorf("sharing URL %q is not an absolute URL with a host", arg)
		}
		return ItemRef{Kind: ItemBySharingURL, Value: arg}, nil
	case strings.HasPrefix(arg, "u!"), strings.HasPrefix(arg, "s!"):
		if err := checkShareToken(arg); err != nil {
			return ItemRef{}, err
		}
		if strings.HasPrefix(arg, "u!") {
			u, err := DecodeShareToken(arg)
			if err != nil {
				return ItemRef{}, err
			}
			if HasUserInfo(u) {
				return ItemRef{}, ErrURLUserInfo
			}
		}
		return ItemRef{Kind: ItemByShareID, Value: arg}, nil
	default:
		if strings.ContainsRune(arg, '/') {
			return ItemRef{}, fmt.Errorf("item id %q contains '/': start a path with '/'", arg)
		}
		return ItemRef{Kind: ItemByID, Value: arg}, nil
	}
}

// ErrURLUserInfo refuses a sharing URL with user info (https://user:password@host/...). Sharing links never
// carry credentials; such a URL would put them inside the u! token sent to Graph and into messages. Its text
// does not repeat the URL, so callers must not add it either.
var ErrURLUserInfo = errors.New("a sharing URL with user info (user:password@host) is refused: remove the credentials from the URL")

// HasUserInfo reports whether raw, an http(s) URL, has user info before its host. It reads the text
// rather than url.Parse, so a URL too broken to parse is caught too.
func HasUserInfo(raw string) bool {
	_, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.Contains(rest, "@")
}

// checkShareToken accepts only characters that need no escaping in a path segment. Share tokens go into
// /shares/{token} verbatim (they are base64url plus '!'), so anything else could smuggle in a path or query.
// ValidateShareToken reports whether t can be used as {shareIdOrEncodedSharingUrl} in a path as
// is, so callers can reject a bad share id as a usage error before anything is sent.
func ValidateShareToken(t string) error { return checkShareToken(t) }

func checkShareToken(t string) error {
	if t == "" || t == "u!" || t == "s!" {
		return fmt.Errorf("share token %q is empty", t)
	}
	for _, r := range t {
		if !(r < utf8.RuneSelf && isUnreserved(byte(r)) || r == '!' || r == '=') {
			return fmt.Errorf("share token %q contains %q: only letters, digits and -._~!= are allowed", t, r)
		}
	}
	return nil
}

// EscapePath percent-encodes each '/'-separated segment of a drive path as UTF-8, keeping only RFC 3986
// unreserved characters. That is stricter than Graph needs (notes §1 "Path encoding" allows pchar), but it
// never emits '+' (which some SharePoint front ends read as a space) and always encodes ? # % [ ] and ':',
// the last of which would otherwise end a root:/path: segment early.
func EscapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	return strings.Join(segs, "/")
}

func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// escapeSegment encodes every byte that is not unreserved. url.PathEscape would leave '+', ':', '=' and
// others alone; this is the same encoding Kiota-based Graph SDKs use for ids, so "b!..." drive ids become
// "b%21..." as they do there.
func escapeSegment(s string) string {
	// "." and ".." are dot-segments: a proxy normalising the path (RFC 3986 §5.2.4) would turn
	// ".../permissions/.." into the item itself. Encoded, they are just an id.
	if strings.Trim(s, ".") == "" && s != "" {
		return strings.Repeat("%2E", len(s))
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// ItemPath returns the item's path relative to the Graph base URL: items/{id} for ids, root:/{path}: for
// paths (always closed with ':' so ItemActionPath can append), and root for "/". Sharing URLs and share ids
// become /shares/{token}/driveItem, which names the item without any drive, so d is ignored for them.
func (d DriveRef) ItemPath(ref ItemRef) string {
	switch ref.Kind {
	case ItemByPath:
		p := ref.Value
		if len(p) > 1 {
			p = strings.TrimSuffix(p, "/")
		}
		if p == "/" || p == "" {
			return d.Path() + "/root"
		}
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		return d.Path() + "/root:" + EscapePath(p) + ":"
	case ItemBySharingURL, ItemByShareID:
		return "/shares/" + ShareToken(ref) + "/driveItem"
	default:
		return d.Path() + "/items/" + escapeSegment(ref.Value)
	}
}

// ItemActionPath appends an action, relationship or property to an item path: ".../items/ID/createLink" and
// ".../root:/a%20b:/createLink". Graph reads whatever follows the closing ':' of a path as a member of the
// item (notes §1 "Path addressing"), so the same "/" join is right for both forms.
func ItemActionPath(itemPath, action string) string {
	return strings.TrimSuffix(itemPath, "/") + "/" + strings.TrimPrefix(action, "/")
}

// EncodeSharingURL turns a sharing URL into a share token for /shares/{token}: "u!" plus unpadded base64url
// of the URL's bytes [SG, PG].
func EncodeSharingURL(u string) string {
	return "u!" + base64.RawURLEncoding.EncodeToString([]byte(u))
}

// DecodeShareToken reverses EncodeSharingURL. It accepts padded base64url too, since people paste tokens
// from other tools; it rejects a missing "u!", bad base64, an empty URL, and bytes that are not UTF-8.
func DecodeShareToken(t string) (string, error) {
	rest, ok := strings.CutPrefix(t, "u!")
	if !ok {
		return "", fmt.Errorf("share token %q does not start with \"u!\"", t)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(rest, "="))
	if err != nil {
		return "", fmt.Errorf("share token %q is not base64url: %w", t, err)
	}
	if len(b) == 0 {
		return "", fmt.Errorf("share token %q encodes an empty URL", t)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("share token %q does not decode to UTF-8 text", t)
	}
	return string(b), nil
}

// ShareToken returns the /shares/{token} segment for a sharing URL (encoded) or share id (as is, except that
// base64 padding is dropped from a "u!" token, as the encoding rules require [SG]); it is "" for item ids
// and paths, which are not shares.
func ShareToken(ref ItemRef) string {
	switch ref.Kind {
	case ItemBySharingURL:
		return EncodeSharingURL(ref.Value)
	case ItemByShareID:
		if strings.HasPrefix(ref.Value, "u!") {
			return strings.TrimRight(ref.Value, "=")
		}
		return ref.Value
	default:
		return ""
	}
}

// siteStops are the path segments that begin what lies inside a site rather than the site's own
// path: its libraries, pages and settings, as a URL copied from a browser holds them.
var siteStops = map[string]bool{"shared documents": true, "forms": true, "sitepages": true, "_layouts": true,
	"lists": true, "pages": true, "documents": true}

// ParseSiteURL reads a SharePoint site's URL as a browser shows it
// ("https://contoso.sharepoint.com/sites/Engineering", possibly followed by a library, a page or a
// query) or as Graph spells it ("contoso.sharepoint.com:/sites/Engineering"), and returns the
// site's host name and server-relative path for GET /sites/{hostname}:/{server-relative-path} [SGP].
func ParseSiteURL(s string) (host, path string, err error) {
	raw := s
	if h, p, ok := strings.Cut(s, ":/"); ok && !strings.Contains(h, "/") && !strings.EqualFold(h, "https") && !strings.EqualFold(h, "http") {
		s = "https://" + h + "/" + p
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Port() != "" {
		return "", "", fmt.Errorf("site URL %q: want https://{host}/{path} or {host}:/{path}", raw)
	}
	var segs []string
	for _, seg := range strings.Split(strings.Trim(u.Path, "/"), "/") {
		if seg == "" || siteStops[strings.ToLower(seg)] || strings.Contains(seg, ".aspx") {
			break
		}
		segs = append(segs, seg)
	}
	return strings.ToLower(u.Hostname()), "/" + strings.Join(segs, "/"), nil
}
