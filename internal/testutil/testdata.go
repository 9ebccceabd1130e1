// Package testutil holds helpers for tests only.
package testutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// RepoRoot returns the repository root: the nearest directory above the test's working directory
// (its package directory) that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Testdata returns the path of elem under the repository's top-level testdata/ folder, where
// Microsoft's Graph metadata (testdata/graph-metadata) and OpenAPI subset (testdata/graph-openapi)
// live with their provenance and licence. The folder is part of every clone, so a missing file is
// a broken checkout and fails the test; it is never skipped.
func Testdata(t testing.TB, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{RepoRoot(t), "testdata"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("repository test data missing: %v", err)
	}
	return p
}

// ConfigurationTable returns the README's "## Configuration" section, up to "## Exit codes": the
// table of settings and environment variables that tests hold other lists to.
func ConfigurationTable(t testing.TB) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(RepoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	if i := strings.Index(section, "## Configuration"); i >= 0 {
		section = section[i:]
	}
	if i := strings.Index(section, "## Exit codes"); i >= 0 {
		section = section[:i]
	}
	return section
}
