package testutil

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNothingReadsOutsideTheRepository keeps a clone self-contained: no source, script or build file
// may name the research folder that sits beside the CI checkout. Tests read their reference data from
// testdata/ (see Testdata); a path out of the clone would pass in CI and fail on every fresh clone.
func TestNothingReadsOutsideTheRepository(t *testing.T) {
	root := RepoRoot(t)
	forbidden := [][]byte{[]byte(".." + "/shared"), []byte("/work" + "/shared")}
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "bin", "dist":
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		switch {
		case strings.HasSuffix(name, ".go"), strings.HasSuffix(name, ".sh"), strings.HasSuffix(name, ".txtar"),
			strings.HasSuffix(name, ".yaml"), strings.HasSuffix(name, ".yml"), strings.HasSuffix(name, ".py"),
			name == "Makefile", filepath.Base(filepath.Dir(path)) == ".ci":
		default:
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		for _, f := range forbidden {
			if i := bytes.Index(b, f); i >= 0 {
				line := bytes.Count(b[:i], []byte("\n")) + 1
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d names %q: copy what it needs into testdata/ with its provenance instead", rel, line, f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files under %s: the walk is not seeing the repository", checked, root)
	}
}
