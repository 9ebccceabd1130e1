package graph

import (
	"context"
	"testing"

	msgraph "github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/sharing/bulk"
	"github.com/odshare/odshare/internal/testutil/scripted"
)

// BenchmarkCreateLinks1000 runs 1000 items through the engine against the in-process fake, without
// latency or throttling: the engine's own cost (batching, JSON, HTTP over loopback) per run.
func BenchmarkCreateLinks1000(b *testing.B) {
	items := idItems(1000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		f := scripted.NewBatchFake(b)
		c, _ := batchClient(b, f, nil)
		done := 0
		b.StartTimer()
		err := createLinks(c, context.Background(), msgraph.DriveRef{Kind: msgraph.DriveByID, ID: "b!drive"}, items, viewLink,
			bulk.Options{OnResult: func(r bulk.Result) {
				if r.Err == nil {
					done++
				}
			}})
		b.StopTimer()
		if err != nil || done != len(items) {
			b.Fatalf("%d of %d done: %v", done, len(items), err)
		}
		f.Close()
		b.StartTimer()
	}
}
