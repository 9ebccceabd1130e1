package link

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/emulator"
)

// TestBulkExactlyOnceUnderChaos shares 150 items while the emulator, with a fixed seed, answers
// sub-requests with 503 and 429 and cuts or drops whole batches at random. Every item must come
// out exactly once and succeed, and the emulator must have created each link exactly once.
func TestBulkExactlyOnceUnderChaos(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	for _, spec := range []string{
		"path=/me/drive/root:/Reports/Archive/*,status=503,retry-after=0,probability=0.2",
		"path=/me/drive/root:/Reports/Archive/*,status=429,retry-after=0.001,probability=0.2",
		"path=/$batch,reset,probability=0.15",
		"path=/$batch,truncate,probability=0.15",
		"path=/$batch,status=503,probability=0.1",
	} {
		f, err := emulator.ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		e.Emu.AddFault(f)
	}
	var items []string
	for i := 1; i <= 150; i++ {
		items = append(items, fmt.Sprintf("/Reports/Archive/report-%03d.csv", i))
	}
	e.Factory.ConfigFlags["output"] = "ndjson"
	cmd := newCmdCreate(e.Factory, nil)
	cmd.SetArgs(append(items, "--type", "view", "--scope", "anonymous"))
	cmd.SilenceUsage = true
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\nstderr: %s", err, e.ErrOut.String())
	}
	seen := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(e.Out.String()), "\n") {
		var r bulkResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		if r.Status != 201 && r.Status != 200 {
			t.Errorf("%s: status %d %+v", r.Item, r.Status, r.Error)
		}
		seen[r.Item]++
	}
	for _, it := range items {
		if seen[it] != 1 {
			t.Errorf("%s appeared %d times", it, seen[it])
		}
	}
	if len(seen) != len(items) {
		t.Errorf("%d distinct items out, want %d", len(seen), len(items))
	}
	st := e.Emu.Stats()
	if st.CreateLink.Created != int64(len(items)) {
		t.Errorf("emulator created %d links, want %d (existing: %d)", st.CreateLink.Created, len(items), st.CreateLink.Existing)
	}
	t.Logf("%d batches, %d existing after lost answers", st.Batches, st.CreateLink.Existing)
}
