package graph

import (
	"fmt"
	"testing"
)

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
