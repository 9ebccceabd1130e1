package share

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/quickxor"
)

// hostileFolder is a Graph whose shared folder is named "../evil" and holds files whose names
// try to leave the target directory every way a name can, or to be something the file system
// treats specially. Their content comes, as on Graph, through /content's 302 to a download URL.
type hostileFolder struct {
	names []string
	srv   *httptest.Server
}

func (h *hostileFolder) content(i int) []byte { return fmt.Appendf(nil, "content of file %d\n", i) }

func (h *hostileFolder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.EscapedPath()
	switch {
	case strings.HasSuffix(p, "/driveItem"):
		writeJSONBody(w, map[string]any{"id": "root", "name": "../evil", "folder": map[string]any{"childCount": len(h.names)}, "parentReference": map[string]any{"driveId": "d"}})
	case strings.HasSuffix(p, "/driveItem/children"):
		var value []any
		for i, n := range h.names {
			qx := quickxor.New()
			qx.Write(h.content(i))
			value = append(value, map[string]any{
				"id": fmt.Sprintf("f%d", i), "name": n, "size": len(h.content(i)), "eTag": "e", "cTag": "c",
				"file":            map[string]any{"hashes": map[string]any{"quickXorHash": base64.StdEncoding.EncodeToString(qx.Sum(nil))}},
				"parentReference": map[string]any{"driveId": "d"},
			})
		}
		writeJSONBody(w, map[string]any{"value": value})
	case strings.HasPrefix(p, "/v1.0/drives/d/items/") && strings.HasSuffix(p, "/content"):
		id := strings.TrimSuffix(strings.TrimPrefix(p, "/v1.0/drives/d/items/"), "/content")
		w.Header().Set("Location", h.srv.URL+"/dl/"+id)
		w.WriteHeader(http.StatusFound)
	case strings.HasPrefix(p, "/dl/f"):
		i, err := strconv.Atoi(strings.TrimPrefix(p, "/dl/f"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(h.content(i))
	default:
		http.NotFound(w, r)
	}
}

func writeJSONBody(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// TestDownloadHostileNamesStayInside: whatever the names, every file lands inside --dir under a
// name of one safe component, and nothing is written anywhere else.
func TestDownloadHostileNamesStayInside(t *testing.T) {
	h := &hostileFolder{names: []string{
		"..", ".", "../../escaped.txt", "/etc/passwd", "a/b/c.txt", `C:\Windows\win.ini`, `\\server\share\x`,
		"..\\..\\up.txt", "ok.txt", "OK.TXT", "nul", "x\x00y", "\xff\xfe.bin", "sp ", "",
	}}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	h.srv = srv
	e := withHostile(t, h)
	base := t.TempDir()
	dir := filepath.Join(base, "inside")
	setOutput(t, "json")
	cmd := newCmdDownload(e.Factory, nil)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.SetArgs([]string{"s!root", "--dir", dir})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("download: %v\n%s", err, e.ErrOut)
	}
	var got []fileResult
	if err := json.Unmarshal(e.Out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(h.names) {
		t.Fatalf("%d results, want %d", len(got), len(h.names))
	}
	var files []string
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if (rel == ".." || strings.HasPrefix(rel, "../")) && p != base {
			t.Errorf("written outside --dir: %s", p)
		}
		if !d.IsDir() {
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	want := []string{
		".._evil/.._.._escaped.txt", ".._evil/.._.._up.txt", ".._evil/C__Windows_win.ini", ".._evil/OK (2).TXT",
		".._evil/_", ".._evil/_ (2)", ".._evil/__", ".._evil/__server_share_x", ".._evil/_etc_passwd", ".._evil/_nul",
		".._evil/a_b_c.txt", ".._evil/ok.txt", ".._evil/sp_", ".._evil/x_y", ".._evil/\ufffd\ufffd.bin",
	}
	sort.Strings(want)
	if strings.Join(files, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
	}
	for _, r := range got {
		if r.Status != "downloaded" || r.VerifiedWith == nil {
			t.Errorf("%s: %s %v", r.Path, r.Status, r.Error)
		}
	}
	if _, err := os.Stat(filepath.Join(base, "escaped.txt")); err == nil {
		t.Error("escaped.txt was written above --dir")
	}
}
