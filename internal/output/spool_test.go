package output

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRemoveStaleSpools: the cleanup used where a spool can't be unlinked while open removes the
// spools killed runs left, and nothing else.
func TestRemoveStaleSpools(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	t.Setenv("TMP", tmp) // Windows
	write := func(name string) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, []byte("[{"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stale := []string{write("odshare-children-123.json"), write("odshare-children-9.json")}
	keep := []string{write("odshare-children.txt"), write("other-123.json")}
	if err := os.Mkdir(filepath.Join(tmp, "odshare-children-dir.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	keep = append(keep, filepath.Join(tmp, "odshare-children-dir.json"))
	removeStaleSpools()
	for _, p := range stale {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is still there", p)
		}
	}
	for _, p := range keep {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
}
