package identity

import (
	"slices"
	"strings"
)

// scopeReq is one requested scope. Graph scopes may arrive short ("Files.ReadWrite", Graph being the
// default resource) or qualified ("https://graph.microsoft.com/Files.ReadWrite"); full remembers which,
// because the token response must name each one as it was requested: MSAL compares the requested
// scopes with the response's "scope" case-insensitively but literally and fails with "declined scopes
// are present" on any miss (findDeclinedScopes in apps/internal/oauth/ops/accesstokens/tokens.go,
// NewAuthResult in apps/internal/base/base.go).
type scopeReq struct {
	short string // "Files.ReadWrite", ".default", or an OIDC scope
	full  bool   // requested as https://graph.microsoft.com/...
	oidc  bool   // openid, profile, offline_access, email: never a resource permission
}

func (q scopeReq) String() string {
	if q.full {
		return graphResource + "/" + q.short
	}
	return q.short
}

func (q scopeReq) isDefault() bool { return q.short == ".default" }

// parseScopes splits a space-separated scope parameter. It rejects resources other than Microsoft Graph:
// the emulator only issues Graph tokens.
func parseScopes(raw string) ([]scopeReq, *oauthError) {
	var out []scopeReq
	for _, f := range strings.Fields(raw) {
		lower := strings.ToLower(f)
		switch lower {
		case "openid", "profile", "offline_access", "email":
			out = append(out, scopeReq{short: lower, oidc: true})
			continue
		}
		q := scopeReq{short: f}
		if len(lower) > len(graphResource)+1 && strings.HasPrefix(lower, graphResource+"/") {
			q = scopeReq{short: f[len(graphResource)+1:], full: true}
		}
		if strings.EqualFold(q.short, ".default") {
			q.short = ".default"
		}
		if strings.Contains(q.short, "/") || strings.Contains(q.short, ":") || (q.isDefault() && !q.full) {
			return nil, errInvalidScope(f)
		}
		out = append(out, q)
	}
	return out, nil
}

// resourceScopes drops the OIDC scopes.
func resourceScopes(reqs []scopeReq) []scopeReq {
	var out []scopeReq
	for _, q := range reqs {
		if !q.oidc {
			out = append(out, q)
		}
	}
	return out
}

// joinScopes renders the resource scopes as requested.
func joinScopes(reqs []scopeReq) string {
	var parts []string
	for _, q := range resourceScopes(reqs) {
		parts = append(parts, q.String())
	}
	return strings.Join(parts, " ")
}

// grantDelegated decides the delegated permissions for a user token: every requested Graph scope (the
// emulated users consent to anything), the consented set for "/.default", and User.Read when only OIDC
// scopes were asked for, as Entra does. It returns the short names for the token's scp claim and the
// response's "scope", which, like Entra's, names only resource scopes, never openid, profile or
// offline_access (msal-go issue #416).
func grantDelegated(reqs []scopeReq) (scp []string, responseScope string) {
	var resp []string
	add := func(list *[]string, v string) {
		if !slices.ContainsFunc(*list, func(s string) bool { return strings.EqualFold(s, v) }) {
			*list = append(*list, v)
		}
	}
	res := resourceScopes(reqs)
	if len(res) == 0 {
		res = []scopeReq{{short: "User.Read"}}
	}
	for _, q := range res {
		if q.isDefault() {
			for _, d := range defaultDelegatedScopes {
				add(&scp, d)
				add(&resp, graphResource+"/"+d)
			}
			add(&resp, q.String())
			continue
		}
		add(&scp, q.short)
		add(&resp, q.String())
	}
	return scp, strings.Join(resp, " ")
}
