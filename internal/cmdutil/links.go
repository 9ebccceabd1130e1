package cmdutil

import (
	"encoding/json"
	"strings"

	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/output"
	"github.com/odshare/odshare/internal/sharing"
)

// LinkColumns are the columns of a link or permission listing, the same for every provider. The
// URL (never cut) takes most of an 80-column terminal; what is kept beside it, most useful first:
// the scope (anonymous ones are painted yellow), the type, the grantees, the expiry, then the id
// (a link is also reached by its URL), where it is inherited from, the roles, the password flag.
// Provider-specific columns (sharing.Link.Extra) follow, before the URL, only when a link has
// them, and go first.
var LinkColumns = []output.Column{
	{Header: "ID", Drop: 5}, {Header: "TYPE", Drop: 2}, {Header: "SCOPE", Drop: 1, Color: output.ScopeColor},
	{Header: "ROLES", Drop: 7}, {Header: "EXPIRES", Drop: 4}, {Header: "PASSWORD", Drop: 8},
	{Header: "GRANTED TO", Drop: 3, Truncate: true}, {Header: "INHERITED", Drop: 6, Truncate: true},
	{Header: "URL"},
}

// LinkRow is one row of LinkColumns, with the values of the extra columns named.
func LinkRow(l *sharing.Link, extra []string) []string {
	row := []string{l.ID, l.Kind, Dash(l.Scope), Dash(strings.Join(l.Roles, ",")),
		output.HumanTime(l.Expires), YesNo(l.HasPassword), Dash(strings.Join(l.Grantees, ", ")), Inherited(l)}
	for _, name := range extra {
		v := ""
		for _, f := range l.Extra {
			if f.Name == name {
				v = f.Value
			}
		}
		row = append(row, Dash(v))
	}
	return append(row, Dash(l.URL))
}

// Inherited is the INHERITED column: "no", or where the permission comes from ("from /Reports"),
// or "yes" when the provider doesn't say.
func Inherited(l *sharing.Link) string {
	switch {
	case !l.Inherited:
		return "no"
	case l.InheritedFrom != "":
		return "from " + l.InheritedFrom
	}
	return "yes"
}

// WriteLinks prints links as a table, one JSON array of the provider's objects, or one object per
// line. Links without ids (Box's: the item is the link's key) have no roles, grantees or
// inheritance either: a listing of such links only leaves those columns and ID out.
func WriteLinks(ios *iostreams.IOStreams, pr Printing, links []*sharing.Link) error {
	if pr.JSON() {
		raws := make([]json.RawMessage, len(links))
		for i, l := range links {
			raws[i] = l.Raw
		}
		return pr.Write(ios, output.JoinJSONArray(raws))
	}
	var extra []string
	keyed := false
	for _, l := range links {
		keyed = keyed || l.ID != ""
		for _, f := range l.Extra {
			if !containsString(extra, f.Name) {
				extra = append(extra, f.Name)
			}
		}
	}
	// Which of LinkColumns (all but the URL) a listing shows.
	show := []int{0, 1, 2, 3, 4, 5, 6, 7}
	if !keyed {
		show = []int{1, 2, 4, 5} // TYPE, SCOPE, EXPIRES, PASSWORD
	}
	var cols []output.Column
	for _, i := range show {
		cols = append(cols, LinkColumns[i])
	}
	for _, name := range extra {
		cols = append(cols, output.Column{Header: strings.ToUpper(name), Drop: 9, Truncate: true})
	}
	cols = append(cols, LinkColumns[len(LinkColumns)-1])
	t := pr.Table(ios, cols...)
	for _, l := range links {
		row := LinkRow(l, extra)
		cells := make([]string, 0, len(cols))
		for _, i := range show {
			cells = append(cells, row[i])
		}
		t.AddRow(append(cells, row[len(LinkColumns)-1:]...)...)
	}
	return t.Render()
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// YesNo is "yes" or "no".
func YesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Dash is s, or "-" for nothing.
func Dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
