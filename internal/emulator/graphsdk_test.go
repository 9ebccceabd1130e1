package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/testutil"
)

// TestGraphJSClient runs Microsoft's JavaScript Graph client (@microsoft/microsoft-graph-client,
// the version package-lock.json in testdata/sdk pins), unmodified, against the emulator served
// over TLS on 127.0.0.1: createLink twice (one link), the shared item by its URL, permissions,
// children paged by the client's PageIterator through @odata.nextLink, and Graph's error object.
// It asserts what the client saw and the requests the emulator recorded.
func TestGraphJSClient(t *testing.T) {
	node := testutil.Tool(t, "node")
	modules := testutil.NodeModules(t, filepath.Join("testdata", "sdk"))
	s, err := New(Options{RandomSeed: 5})
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := s.Listen("127.0.0.1:0", true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	origin := strings.TrimSuffix(base, "/v1.0")
	cfg, _ := json.Marshal(map[string]any{"origin": origin, "fileId": DemoHostileFileID, "folderId": DemoArchiveFolderID, "top": 200})
	stdout := testutil.RunNode(t, node, modules, filepath.Join("testdata", "sdk", "graph_sdk_check.cjs"), s.CAPEM(), "GRAPH_SDK_CHECK="+string(cfg))
	t.Logf("client saw: %s", stdout)
	var got struct {
		Drive string
		Link  struct {
			ID, Type, Scope, WebURL string
			Roles                   []string
		}
		SameLink      bool
		Shared        struct{ ID, Name string }
		PermissionIDs bool
		Children      struct {
			Count, Distinct int
			First, Last     string
		}
		Missing struct {
			StatusCode int
			Code       string
		}
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	if got.Drive != DemoPersonalDriveID || got.Link.Type != "view" || got.Link.Scope != "anonymous" || strings.Join(got.Link.Roles, ",") != "read" ||
		!strings.HasPrefix(got.Link.WebURL, "https://1drv.ms/") || !got.SameLink || !got.PermissionIDs {
		t.Errorf("drive and link: %+v", got)
	}
	if got.Shared.ID != DemoHostileFileID || got.Shared.Name != "Q3 #1 100%.xlsx" {
		t.Errorf("shared item %+v", got.Shared)
	}
	if got.Children.Count != 450 || got.Children.Distinct != 450 || got.Children.First != "report-001.csv" || got.Children.Last != "report-450.csv" {
		t.Errorf("children %+v", got.Children)
	}
	if got.Missing.StatusCode != 404 || got.Missing.Code != "itemNotFound" {
		t.Errorf("error %+v", got.Missing)
	}

	var lines []string
	for _, r := range s.Requests() {
		lines = append(lines, fmt.Sprintf("%s %s %d", r.Method, r.RawURI, r.Status))
	}
	// The client sends ids as given ('!' unescaped) and follows the nextLinks as written.
	item := "/v1.0/me/drive/items/" + DemoHostileFileID
	want := [][2]string{ // prefix, suffix
		{"GET /v1.0/me/drive 200", ""},
		{"POST " + item + "/createLink 201", ""},
		{"POST " + item + "/createLink 200", ""},
		{"GET /v1.0/shares/u!", "/driveItem 200"},
		{"GET " + item + "/permissions 200", ""},
		{"GET /v1.0/me/drive/items/" + DemoArchiveFolderID + "/children?$top=200&$select=id,name 200", ""},
		{"GET /v1.0/", " 200"}, {"GET /v1.0/", " 200"},
		{"GET /v1.0/me/drive/items/NOPE 404", ""},
	}
	if len(lines) != len(want) {
		t.Fatalf("recorded %d requests, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w[0]) || !strings.HasSuffix(lines[i], w[1]) {
			t.Errorf("request %d: %s, want %s…%s", i, lines[i], w[0], w[1])
		}
	}
	for _, l := range lines[6:8] {
		if !strings.Contains(l, "$skiptoken=") {
			t.Errorf("next page %s: not a nextLink", l)
		}
	}
}
