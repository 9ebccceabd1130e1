package cmdutil

import (
	"net/mail"
	"slices"
	"strings"

	"github.com/odshare/odshare/internal/sharing"
)

// ValidEmail reports whether s is a bare e-mail address (megan@contoso.com): no display name, no
// angle brackets, nothing around it.
func ValidEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s
}

// ParseRecipients checks the values of a --recipient flag (flag names it) and returns them without
// repeats (an address given twice in any case counts once); a value that is not an address is a
// usage error.
func ParseRecipients(flag string, values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		if !ValidEmail(v) {
			return nil, FlagErrorf("invalid --%s %q: give an email address such as megan@contoso.com", flag, v)
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, v) }) {
			out = append(out, v)
		}
	}
	return out, nil
}

// ParseRole reads a --role of an invitation or grant: read or write, in any case.
func ParseRole(s string) (string, bool) {
	for _, r := range sharing.InviteRoles {
		if strings.EqualFold(s, r) {
			return r, true
		}
	}
	return "", false
}

// RoleUsage lists the roles for messages and help: "read, write".
func RoleUsage() string { return strings.Join(sharing.InviteRoles, ", ") }
