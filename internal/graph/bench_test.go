package graph

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkCreateLinks1000 runs 1000 items through the engine against the in-process fake, without
// latency or throttling: the engine's own cost (batching, JSON, HTTP over loopback) per run.
func BenchmarkCreateLinks1000(b *testing.B) {
	items := idItems(1000)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		f := newBatchFake(b)
		c, _ := f.client(b, nil)
		done := 0
		b.StartTimer()
		err := c.CreateLinks(context.Background(), DriveRef{Kind: DriveByID, ID: "b!drive"}, items, viewLink,
			BulkOptions{OnResult: func(r BulkResult) {
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

func BenchmarkEscapePath(b *testing.B) {
	paths := []string{
		"/Documents/Quarterly Report Q3 #1 (final) 100%.xlsx",
		"/Projets/Été 2024/Présentation client — version 2.pptx",
		"/a/b/c/d/e/f/g/h/i/j/plain-ascii_name.txt",
	}
	for i, p := range paths {
		b.Run(fmt.Sprint(i), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(p)))
			for b.Loop() {
				_ = EscapePath(p)
			}
		})
	}
}
