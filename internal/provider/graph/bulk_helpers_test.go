package graph

import (
	"context"
	"testing"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
	"github.com/odshare/odshare/internal/testutil/scripted"
)

// BulkItem is one item of a test run: the input and how Graph's parser read it.
type BulkItem struct {
	Input string
	Ref   msgraph.ItemRef
}

// createLinks runs items on drive through the bulk engine with Graph's sender, as `link create`
// does with several items.
func createLinks(c *msgraph.Client, ctx context.Context, drive msgraph.DriveRef, items []BulkItem, spec sharing.LinkSpec, o bulk.Options) error {
	sitems := make([]sharing.Item, len(items))
	inputs := make([]string, len(items))
	for i, it := range items {
		sitems[i] = item(it.Ref)
		sitems[i].Input, sitems[i].Location = it.Input, drive
		inputs[i] = it.Input
	}
	s, err := New(c).LinkSender(sitems, spec)
	if err != nil {
		return err
	}
	return bulk.Run(ctx, s, inputs, o)
}

// batchClient builds a Graph client for the $batch fake f, with a static token and recorded sleeps.
func batchClient(t testing.TB, f *scripted.BatchFake, mod func(*msgraph.Options)) (*msgraph.Client, *scripted.Sleeps) {
	t.Helper()
	sl := &scripted.Sleeps{}
	o := msgraph.Options{BaseURL: f.URL + "/v1.0", HTTPClient: f.Server.Client(), Tokens: scripted.StaticTokens("tok"), Sleep: sl.Sleep}
	if mod != nil {
		mod(&o)
	}
	c, err := msgraph.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}
