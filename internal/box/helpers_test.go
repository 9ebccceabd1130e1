package box

import (
	"testing"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

// newTestClient builds a Client for s with base path /2.0, a static token and recorded sleeps.
func newTestClient(t *testing.T, s *scripted.Server, mod func(*Options)) (*Client, *scripted.Sleeps) {
	t.Helper()
	sl := &scripted.Sleeps{}
	o := Options{BaseURL: s.URL + "/2.0/", HTTPClient: s.Client(), Tokens: scripted.StaticTokens("tok"),
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

var reply = scripted.Reply
