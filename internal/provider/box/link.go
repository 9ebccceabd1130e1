package box

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	boxapi "github.com/odshare/odshare/internal/box"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// accessOf is Box's access level for a neutral scope [notes §4]: anonymous is open, organization
// company, users collaborators (the item's collaborators); "" leaves it to the enterprise's default.
func accessOf(scope string) boxapi.Access {
	switch scope {
	case "anonymous":
		return boxapi.AccessOpen
	case "organization":
		return boxapi.AccessCompany
	case "users":
		return boxapi.AccessCollaborators
	}
	return ""
}

// scopeOf is the neutral scope of Box's access level; Box's own word for one it does not know.
func scopeOf(a boxapi.Access) string {
	switch a {
	case boxapi.AccessOpen:
		return "anonymous"
	case boxapi.AccessCompany:
		return "organization"
	case boxapi.AccessCollaborators:
		return "users"
	}
	return string(a)
}

// typeOf is the neutral link type of Box's link permissions: edit, view (download allowed) or
// blocksDownload (preview only).
func typeOf(p boxapi.LinkPermissions) string {
	switch {
	case p.CanEdit:
		return "edit"
	case p.CanDownload:
		return "view"
	}
	return "blocksDownload"
}

// The extra columns of a Box link, in Box's words.
const (
	colEffectiveAccess = "effective access"
	colPermission      = "permission"
	colVanityURL       = "vanity url"
	colDownloads       = "downloads"
	colPreviews        = "previews"
)

// readItem decodes Box's item JSON (an answer with fields naming shared_link) as the item and its
// link; the link is nil when the item has none.
func readItem(raw json.RawMessage) (*boxapi.Item, *sharing.Link, error) {
	var it boxapi.Item
	if err := json.Unmarshal(raw, &it); err != nil {
		return nil, nil, &sharing.AnswerError{Err: fmt.Errorf("decode Box's %s: %w", "item", err)}
	}
	if it.SharedLink == nil {
		return &it, nil, nil
	}
	return &it, linkOf(it.SharedLink, raw), nil
}

// linkOf is a Box shared link as a neutral Link. Box's links have no id (the item is the key), no
// roles, no grantees and no inheritance; Raw is the whole item, as -o json prints it.
func linkOf(sl *boxapi.SharedLink, raw json.RawMessage) *sharing.Link {
	l := &sharing.Link{
		IsLink:      true,
		Described:   true,
		Type:        typeOf(sl.Permissions),
		Scope:       scopeOf(sl.Access),
		URL:         sl.URL,
		HasPassword: sl.IsPasswordEnabled,
		Raw:         raw,
	}
	l.Kind = l.Type
	if sl.UnsharedAt != nil && !sl.UnsharedAt.IsZero() {
		l.Expires = sl.UnsharedAt.Format(time.RFC3339)
	}
	l.Extra = []sharing.Field{
		{Name: colEffectiveAccess, Value: string(sl.EffectiveAccess)},
		{Name: colPermission, Value: sl.EffectivePermission},
		{Name: colVanityURL, Value: sl.VanityURL},
		{Name: colDownloads, Value: strconv.FormatInt(sl.DownloadCount, 10)},
		{Name: colPreviews, Value: strconv.FormatInt(sl.PreviewCount, 10)},
	}
	return l
}

// expiryTolerance is how far Box's expiry may be from the one asked and still be the same, as for
// Graph: Box keeps whole seconds and answers in the account's time zone, so times are compared as
// instants.
const expiryTolerance = time.Minute

// Differences lists, as phrases for people, what an item's existing link lacks of what spec asks.
// Box has one link per item and a second PUT changes it [G-SL], so odshare compares rather than
// sends: a setting left out is "don't care"; a password asked for always differs from a link that
// has one, since Box never shows passwords. fresh is set for a link just made with spec, whose
// password is the one asked. Every difference can be made with `link update`.
func Differences(spec sharing.LinkSpec, sl *boxapi.SharedLink, fresh bool) []sharing.Difference {
	var out []sharing.Difference
	add := func(setting, format string, a ...any) {
		out = append(out, sharing.Difference{Setting: setting, Text: fmt.Sprintf(format, a...), Updatable: true})
	}
	if a := accessOf(spec.Scope); a != "" && sl.Access != a {
		add("scope", "its scope is %s (asked: %s)", scopeOf(sl.Access), spec.Scope)
	}
	perms := sl.Permissions
	wantsPerms := spec.CanDownload != nil || spec.Type == "edit" || spec.Type == "blocksDownload"
	switch {
	case sl.Access == boxapi.AccessCollaborators && accessOf(spec.Scope) == "":
		if wantsPerms {
			add("scope", "it is a collaborators link, which has no download or edit setting")
		}
	case spec.Type == "view" && perms.CanEdit:
		add("type", "it allows editing (asked: view)")
	case spec.Type == "view" && !perms.CanDownload:
		add("type", "it does not allow downloads (asked: view)")
	case spec.Type == "blocksDownload" && perms.CanDownload:
		add("type", "it allows downloads (asked: blocksDownload)")
	case spec.Type == "edit" && !perms.CanEdit:
		add("type", "it does not allow editing (asked: edit)")
	case spec.Type == "" && spec.CanDownload != nil && perms.CanDownload != *spec.CanDownload:
		add("download", "it %s downloads", map[bool]string{true: "allows", false: "does not allow"}[perms.CanDownload])
	}
	if spec.Expires != "" {
		want, _ := time.Parse(time.RFC3339, spec.Expires)
		switch {
		case sl.UnsharedAt == nil || sl.UnsharedAt.IsZero():
			add("expiry", "it never expires (asked: %s)", output.HumanTime(spec.Expires))
		case sl.UnsharedAt.Sub(want).Abs() > expiryTolerance:
			add("expiry", "it expires %s (asked: %s)", output.HumanTime(sl.UnsharedAt.Format(time.RFC3339)), output.HumanTime(spec.Expires))
		}
	}
	if spec.Password != "" {
		switch {
		case !sl.IsPasswordEnabled:
			add("password", "it has no password")
		case !fresh:
			add("password", "it has a password, which odshare cannot compare with the one asked (Box never shows passwords)")
		}
	}
	if spec.VanityName != "" && !strings.EqualFold(sl.VanityName, spec.VanityName) {
		if sl.VanityName == "" {
			add("vanity name", "it has no custom URL (asked: %s)", spec.VanityName)
		} else {
			add("vanity name", "its custom URL name is %s (asked: %s)", sl.VanityName, spec.VanityName)
		}
	}
	return out
}

// onlyCollaborators reports whether the allowed levels leave collaborators links alone.
func onlyCollaborators(allowed []boxapi.Access) bool {
	return len(allowed) == 1 && allowed[0] == boxapi.AccessCollaborators
}

// permissionsOf is the request's "permissions" for spec, nil when spec asks for none. update sets
// can_edit false for view and blocksDownload, so changing an edit link to view takes editing away.
func permissionsOf(spec sharing.LinkSpec, update bool) *boxapi.LinkPermissionParams {
	yes, no := true, false
	var p *boxapi.LinkPermissionParams
	switch spec.Type {
	case "view":
		p = &boxapi.LinkPermissionParams{CanDownload: &yes}
	case "blocksDownload":
		p = &boxapi.LinkPermissionParams{CanDownload: &no}
	case "edit":
		p = &boxapi.LinkPermissionParams{CanDownload: &yes, CanEdit: &yes}
	}
	if p != nil && update && p.CanEdit == nil {
		p.CanEdit = &no
	}
	if spec.CanDownload != nil {
		if p == nil {
			p = &boxapi.LinkPermissionParams{}
		}
		v := *spec.CanDownload
		p.CanDownload = &v
	}
	return p
}

// linkParams is the "shared_link" of a PUT for spec: only what it gives; null for a password or
// an expiry to remove. Permissions go only with open or company access (Box answers 400 for them
// with collaborators): with access left out, collab says the item's link will be a collaborators
// one, and a view link then sends none. Box checks the rest (passwords on open links only, paid
// plans) and says so.
func linkParams(spec sharing.LinkSpec, update, collab bool) (boxapi.SharedLinkParams, error) {
	p := boxapi.SharedLinkParams{Access: accessOf(spec.Scope)}
	switch {
	case spec.ClearPassword:
		p.Password = boxapi.Null[string]()
	case spec.Password != "":
		p.Password = boxapi.Value(spec.Password)
	}
	if spec.VanityName != "" {
		p.VanityName = boxapi.Value(spec.VanityName)
	}
	switch {
	case spec.ClearExpiry:
		p.UnsharedAt = boxapi.Null[boxapi.Timestamp]()
	case spec.Expires != "":
		t, err := time.Parse(time.RFC3339, spec.Expires)
		if err != nil {
			return p, fmt.Errorf("box: expiry %q is not RFC 3339", spec.Expires)
		}
		p.UnsharedAt = boxapi.Value(boxapi.At(t))
	}
	p.Permissions = permissionsOf(spec, update)
	if p.Access == boxapi.AccessCollaborators || (p.Access == "" && collab) {
		if p.Permissions != nil && spec.Type == "view" && spec.CanDownload == nil {
			p.Permissions = nil // a collaborators link is as good as view: nothing to set
		} else if p.Permissions != nil {
			return p, errCollaboratorsOnly
		}
	}
	return p, nil
}

// errCollaboratorsOnly refuses download or edit settings for a link that can only be a
// collaborators link.
var errCollaboratorsOnly = errors.New("the item allows only collaborators links, which have no download or edit setting: " +
	"leave out --can-download, and use --type view or no --type")
