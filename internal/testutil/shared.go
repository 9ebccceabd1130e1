// Package testutil holds helpers for tests only.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedDir returns the shared/ folder beside the repository root (the directory holding go.mod),
// where Microsoft's Graph metadata and OpenAPI live. Outside CI a missing folder skips the test;
// with CI=true it fails it, because CI always has shared/ beside the clone and a skipped
// conformance check there would hide a broken one.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	shared := filepath.Join(dir, "..", "shared")
	if _, err := os.Stat(filepath.Join(shared, "graph-metadata", "sharing-schema.json")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Microsoft's metadata is not at %s: CI runs with shared/ beside the clone", shared)
		}
		t.Skipf("Microsoft's metadata is not at %s (the shared/ folder beside the repo); skipping", shared)
	}
	return shared
}
