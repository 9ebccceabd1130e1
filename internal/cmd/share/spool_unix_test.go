//go:build unix

package share

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestRecursiveJSONSpoolIsNeverVisible: while -o json --recursive spools the listing, the
// temporary directory holds no spool file, so a SIGKILL at any moment leaves nothing behind;
// the output is still the whole array.
func TestRecursiveJSONSpoolIsNeverVisible(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var seen []string
	h := &hostileTree{width: 3}
	h.hook = func(n int64) {
		if n == 3 { // the spool has the first pages by now
			seen, _ = filepath.Glob(filepath.Join(tmp, "*"))
		}
	}
	e := withHostile(t, h)
	setOutput(t, "json")
	if err := runHostile(t, e, "s!root", "--recursive", "--concurrency", "1", "--max-pages", "5"); err == nil {
		t.Fatal("want the page bound")
	}
	if h.listings.Load() < 3 {
		t.Fatalf("only %d listings", h.listings.Load())
	}
	if len(seen) != 0 {
		t.Errorf("files in the temporary directory during the walk: %v", seen)
	}
	if e.Out.Len() != 0 {
		t.Errorf("stdout = %q after a failed walk", e.Out.String())
	}

	h2 := &hostileTree{width: 0}
	e2 := withHostile(t, h2)
	setOutput(t, "json")
	if err := runHostile(t, e2, "s!root", "--recursive"); err != nil {
		t.Fatal(err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(e2.Out.Bytes(), &items); err != nil || len(items) != 0 {
		t.Errorf("output %q: %v", e2.Out.String(), err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary directory: %v", left)
	}
}
