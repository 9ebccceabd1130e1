// Package stack composes the two halves of the odshare emulator: the Microsoft Graph stand-in
// (package emulator) and the Entra ID stand-in (package emulator/identity) behind one handler and
// one listener. Graph then accepts only access tokens the identity side issued and honours their
// expiry; an app-only token (client credentials) works everywhere except /me, as on Graph.
//
// The identity side's users are derived from the Graph fixture (same ids and UPNs, tenant
// identity.DefaultTenantID, default user the fixture's "me"), so a device code signed in as the
// default user lands on the fixture's /me.
//
// The two packages stay independent of each other; this one is the only place that imports both.
package stack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/identity"
)

// Options configures a Stack.
type Options struct {
	// Graph configures the Graph side. Its Identity is set by New; an Authenticate set here
	// still wins over the identity side's (see emulator.Options).
	Graph emulator.Options
	// Identity configures the identity side. Users nil means the users of the Graph fixture
	// (Graph.Seed, or emulator.DemoFixture when nil) in tenant identity.DefaultTenantID; then an
	// empty DefaultUser means the fixture's "me".
	Identity identity.Options
	// TLS makes Listen serve HTTPS with a throw-away CA (kit.GenerateCA). MSAL accepts
	// only https authorities, so signing in with MSAL needs it.
	TLS bool
	// NoIdentity leaves the identity side out: Graph then takes any bearer token as its
	// fixture's "me" (see emulator.Options), as odshare-emulator does without --tls.
	NoIdentity bool
	// Box configures the Box stand-in served on the same listener (see box.go).
	Box box.Options
}

// Stack is a Graph emulator with its identity platform. Listen fills BaseURL, AuthorityHost and
// CAPEM; read them after Listen returns.
type Stack struct {
	Graph    *emulator.Server
	Identity *identity.Server
	// BaseURL is the Graph base URL, ".../v1.0".
	BaseURL string
	// AuthorityHost is the identity platform's origin, "https://127.0.0.1:PORT"; an MSAL
	// authority is AuthorityHost + "/" + tenant (a tenant id, a user's domain, or common).
	AuthorityHost string
	// CAPEM is the PEM of the CA that signed the serving certificate (nil without TLS).
	CAPEM []byte
	// Box is the Box stand-in; BoxOrigin its base URL, the listener's origin (see BoxURLs).
	Box       *box.Server
	BoxOrigin string

	tls bool
}

// provider lets the Graph server be built (and its fixture checked) before the identity server
// it delegates to exists.
type provider struct{ *identity.Server }

// New builds both sides. Fixture errors are reported before identity ones, so a broken seed
// reads as such.
func New(o Options) (*Stack, error) {
	f := o.Graph.Seed
	if f == nil {
		f = emulator.DemoFixture()
	}
	idp := &provider{}
	gopts := o.Graph
	gopts.Seed = f
	gopts.Identity = idp
	if o.NoIdentity {
		gopts.Identity = nil
	}
	bx, err := box.New(o.Box)
	if err != nil {
		return nil, err
	}
	gopts.Mount = append(gopts.Mount[:len(gopts.Mount):len(gopts.Mount)], bx)
	g, err := emulator.New(gopts)
	if err != nil {
		return nil, err
	}
	if o.NoIdentity {
		return &Stack{Graph: g, Box: bx, tls: o.TLS}, nil
	}
	iopts := o.Identity
	if iopts.Users == nil {
		if len(f.Users) == 0 {
			return nil, errors.New("stack: the fixture has no users to sign in as; set Identity.Users")
		}
		for _, u := range f.Users {
			iopts.Users = append(iopts.Users, identity.User{
				ID: u.ID, UserPrincipalName: u.UserPrincipalName, DisplayName: u.DisplayName,
				TenantID: identity.DefaultTenantID,
			})
		}
		if iopts.DefaultUser == "" {
			iopts.DefaultUser = meUPN(f)
		}
	}
	id, err := identity.New(iopts)
	if err != nil {
		return nil, fmt.Errorf("stack: %w", err)
	}
	idp.Server = id
	return &Stack{Graph: g, Identity: id, Box: bx, tls: o.TLS}, nil
}

// meUPN resolves the fixture's "me" (an id, UPN or mail; the first user when empty) to a UPN,
// the way the Graph side does.
func meUPN(f *emulator.Fixture) string {
	for _, u := range f.Users {
		for _, k := range []string{u.ID, u.UserPrincipalName, u.Mail} {
			if f.Me != "" && k != "" && strings.EqualFold(k, f.Me) {
				return u.UserPrincipalName
			}
		}
	}
	return f.Users[0].UserPrincipalName
}

// Handler serves every side: the Box stand-in's paths (/2.0, /oauth2, /api/oauth2/authorize,
// /_emulator/box), the identity endpoints (/{tenant}/oauth2/v2.0/..., /devicelogin,
// /_emulator/identity/...) and everything the Graph emulator serves.
func (s *Stack) Handler() http.Handler { return s.Graph }

// Listen serves the stack on addr (for example "127.0.0.1:0") in the background, over HTTPS
// when Options.TLS, and fills BaseURL, AuthorityHost and CAPEM. stop shuts the listener down.
func (s *Stack) Listen(addr string) (stop func(context.Context) error, err error) {
	base, stop, err := s.Graph.Listen(addr, s.tls)
	if err != nil {
		return nil, err
	}
	s.BaseURL = base
	s.AuthorityHost = strings.TrimSuffix(base, "/v1.0")
	s.BoxOrigin = s.AuthorityHost
	s.CAPEM = s.Graph.CAPEM()
	return stop, nil
}
