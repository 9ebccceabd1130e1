package graph

import (
	"net/http"
	"testing"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

// The test doubles are package scripted's, shared with the Box client's tests.
type (
	staticTokens     = scripted.StaticTokens
	refreshingTokens = scripted.RefreshingTokens
	sleeps           = scripted.Sleeps
	recorded         = scripted.Request
)

var (
	reply        = scripted.Reply
	hijackAndCut = scripted.HijackAndCut
)

// server is a scripted server: it records requests and answers with the handler for the n-th request
// (the last handler repeats).
type server struct{ *scripted.Server }

func newServer(t *testing.T, handlers ...http.HandlerFunc) *server {
	t.Helper()
	return &server{scripted.New(t, handlers...)}
}

func (s *server) requests() []recorded { return s.Requests() }

// client builds a Client for s with base path /v1.0, a static token and recorded sleeps.
func (s *server) client(t *testing.T, mod func(*Options)) (*Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	o := Options{BaseURL: s.URL + "/v1.0/", HTTPClient: s.Client(), Tokens: staticTokens("tok"),
		UserAgent: "odshare/test", Sleep: sl.Sleep}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}
