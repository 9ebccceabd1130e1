package graph

import (
	"testing"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

// The $batch fake is package scripted's, shared with the bulk engine's Graph sender's tests.
type (
	subReq    = scripted.SubRequest
	subResp   = scripted.SubResponse
	batchFake = scripted.BatchFake
)

func newBatchFake(t testing.TB) *batchFake { return scripted.NewBatchFake(t) }

// batchClient builds a Client for f with a static token and recorded sleeps.
func batchClient(t testing.TB, f *batchFake, mod func(*Options)) (*Client, *sleeps) {
	t.Helper()
	sl := &sleeps{}
	o := Options{BaseURL: f.URL + "/v1.0", HTTPClient: f.Server.Client(), Tokens: staticTokens("tok"), Sleep: sl.Sleep}
	if mod != nil {
		mod(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}
