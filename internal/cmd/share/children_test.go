package share

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/graph"
	graphprovider "github.com/odshare/odshare/internal/provider/graph"
)

func TestNewCmdChildren(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		output      string // ODSHARE_OUTPUT, as the root command's -o sets it
		top         int
		recursive   bool
		tree        bool
		concurrency int
		wantErr     string
	}{
		{name: "defaults", args: []string{"s!AbC"}, concurrency: 4},
		{name: "top", args: []string{"s!AbC", "--top", "999"}, top: 999, concurrency: 4},
		{name: "recursive", args: []string{"s!AbC", "-r", "--concurrency", "16"}, recursive: true, concurrency: 16},
		{name: "tree implies recursive", args: []string{"s!AbC", "--tree", "--concurrency", "1"}, recursive: true, tree: true, concurrency: 1},
		{name: "ndjson recursive", args: []string{"s!AbC", "--recursive"}, output: "ndjson", recursive: true, concurrency: 4},
		{name: "top zero", args: []string{"s!AbC", "--top", "0"}, wantErr: "invalid --top 0: give a page size from 1 to 999"},
		{name: "top too big", args: []string{"s!AbC", "--top", "1000"}, wantErr: "invalid --top 1000: give a page size from 1 to 999"},
		{name: "concurrency alone", args: []string{"s!AbC", "--concurrency", "2"}, wantErr: "--concurrency needs --recursive or --tree"},
		{name: "concurrency zero", args: []string{"s!AbC", "-r", "--concurrency", "0"}, wantErr: "invalid --concurrency 0: give 1 to 16"},
		{name: "concurrency too big", args: []string{"s!AbC", "-r", "--concurrency", "17"}, wantErr: "invalid --concurrency 17: give 1 to 16"},
		{name: "max-depth alone", args: []string{"s!AbC", "--max-depth", "2"}, wantErr: "--max-depth needs --recursive or --tree"},
		{name: "max-backlog alone", args: []string{"s!AbC", "--max-backlog", "2"}, wantErr: "--max-backlog needs --recursive or --tree"},
		{name: "max-pages zero", args: []string{"s!AbC", "--max-pages", "0"}, wantErr: "invalid --max-pages 0: give a number of at least 1"},
		{name: "max-depth zero", args: []string{"s!AbC", "-r", "--max-depth", "0"}, wantErr: "invalid --max-depth 0: give a number of at least 1"},
		{name: "tree as json", args: []string{"s!AbC", "--tree"}, output: "json", wantErr: "--tree draws a tree for people: it can't be combined with -o json or --jq"},
		{name: "tree as ndjson", args: []string{"s!AbC", "--tree"}, output: "ndjson", wantErr: "--tree draws a tree for people: it can't be combined with -o ndjson or --jq"},
		{name: "path", args: []string{"/Reports", "--recursive"}, wantErr: `"/Reports" is a path, not a share: give a sharing URL or a share id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cmdtest.New(t)
			if tt.output != "" {
				t.Setenv("ODSHARE_OUTPUT", tt.output)
			}
			var got *ChildrenOptions
			cmd := newCmdChildren(e.Factory, func(_ context.Context, o *ChildrenOptions) error { got = o; return nil })
			cmd.SilenceUsage = true
			cmd.SetArgs(tt.args)
			cmd.SetErr(e.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want usage error %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatal("run was called despite a usage error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if graphprovider.ShareToken(got.Share) != "s!AbC" || got.Top != tt.top || got.Recursive != tt.recursive || got.Tree != tt.tree || got.Concurrency != tt.concurrency {
				t.Errorf("got %+v", got)
			}
			if got.MaxPages != graph.DefaultMaxPages || got.MaxDepth != defaultMaxDepth || got.MaxBacklog != defaultMaxBacklog {
				t.Errorf("bounds = %d pages, %d deep, %d waiting; want the defaults", got.MaxPages, got.MaxDepth, got.MaxBacklog)
			}
		})
	}
}

// runChildren runs `share children` with args against e's emulator.
func runChildren(t *testing.T, e *cmdtest.Env, args ...string) error {
	t.Helper()
	e.Out.Reset()
	e.ErrOut.Reset()
	e.Emu.ResetRequests()
	cmd := newCmdChildren(e.Factory, nil)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	cmd.SetArgs(args)
	return cmd.Execute()
}

func setOutput(t *testing.T, format string) {
	t.Helper()
	t.Setenv("ODSHARE_OUTPUT", format)
}

func TestChildrenRunNDJSONTop(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	link := newCmdGetLinkURL(t, e)
	setOutput(t, "ndjson")
	if err := runChildren(t, e, link, "--top", "100"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(e.Out.String(), "\n"), "\n")
	if len(lines) != 450 {
		t.Fatalf("%d lines, want 450", len(lines))
	}
	for i, l := range lines {
		var it struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal([]byte(l), &it); err != nil || it.Name != fmt.Sprintf("report-%03d.csv", i+1) && it.Name != fmt.Sprintf("report-%03d.csv", i) {
			t.Fatalf("line %d = %s (%v)", i, l, err)
		}
		if strings.HasPrefix(l, " ") || strings.Contains(l, "\n") {
			t.Fatalf("line %d is not compact", i)
		}
	}
	settle(e, 5)
	reqs := e.Emu.Requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests, want 5 pages of 100", len(reqs))
	}
	token := graph.EncodeSharingURL(link)
	if got, want := reqs[0].Method+" "+reqs[0].RawURI, "GET /v1.0/shares/"+token+"/driveItem/children?$top=100"; got != want {
		t.Errorf("first request = %s, want %s", got, want)
	}
	for _, r := range reqs[1:] {
		if !strings.Contains(r.RawURI, "$skiptoken=") {
			t.Errorf("request %s does not follow the nextLink", r.RawURI)
		}
	}
}

func TestChildrenRunRecursiveNDJSON(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	setOutput(t, "ndjson")
	if err := runChildren(t, e, emulator.DemoSharedFolderShareID, "--recursive", "--concurrency", "2"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(e.Out.String(), "\n"), "\n")
	if len(lines) != 455 {
		t.Fatalf("%d lines, want 5 children and 450 in Archive", len(lines))
	}
	settle(e, 4)
	got := requestLines(e)
	want := []string{
		"GET /v1.0/shares/" + emulator.DemoSharedFolderShareID + "/driveItem/children",
		"GET /v1.0/drives/" + emulator.DemoPersonalDriveID + "/items/" + escapeID(emulator.DemoArchiveFolderID) + "/children",
	}
	if len(got) != 4 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("requests:\n%s\nwant the share, then Archive's 3 pages starting with\n%s", strings.Join(got, "\n"), want[1])
	}
}

// escapeID is how the client escapes a personal item id ("CID!n") as a path segment.
func escapeID(id string) string {
	return graph.DriveRef{Kind: graph.DriveByID, ID: "d"}.ItemPath(graph.ItemRef{Kind: graph.ItemByID, Value: id})[len("/drives/d/items/"):]
}

// TestChildrenRunRecursiveFailure checks what a failure part-way leaves on stdout: ndjson keeps
// the lines already streamed, JSON and tables print nothing.
func TestChildrenRunRecursiveFailure(t *testing.T) {
	for _, tc := range []struct {
		format    string
		wantLines int
	}{{"ndjson", 5}, {"json", 0}, {"table", 0}} {
		t.Run(tc.format, func(t *testing.T) {
			e := cmdtest.WithEmulator(t)
			setOutput(t, tc.format)
			f, err := emulator.ParseFault("status=403,path=/drives/*/items/*/children")
			if err != nil {
				t.Fatal(err)
			}
			e.Emu.AddFault(f)
			err = runChildren(t, e, emulator.DemoSharedFolderShareID, "--recursive")
			var ge *graph.Error
			if !errors.As(err, &ge) || ge.StatusCode != 403 || !strings.HasPrefix(err.Error(), "list Archive: ") {
				t.Fatalf("err = %v, want Graph's 403 for Archive", err)
			}
			if n := strings.Count(e.Out.String(), "\n"); n != tc.wantLines {
				t.Errorf("%d lines on stdout, want %d:\n%s", n, tc.wantLines, e.Out.String())
			}
		})
	}
}

func TestChildrenRunRecursiveJSON(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	setOutput(t, "json")
	if err := runChildren(t, e, emulator.DemoSharedFolderShareID, "-r"); err != nil {
		t.Fatal(err)
	}
	var items []map[string]any
	if err := json.Unmarshal(e.Out.Bytes(), &items); err != nil {
		t.Fatal(err)
	}
	if len(items) != 455 {
		t.Errorf("%d items, want 455", len(items))
	}
	if !strings.HasPrefix(e.Out.String(), "[\n  {\n    \"") {
		t.Errorf("not indented like WriteJSON: %.40q", e.Out.String())
	}

	// --jq sees the whole array too.
	if err := runChildren(t, e, emulator.DemoSharedFolderShareID, "-r", "--jq", `map(select(.file)) | length`); err != nil {
		t.Fatal(err)
	}
	if got := e.Out.String(); got != "454\n" {
		t.Errorf("--jq = %q, want 454", got)
	}
}

func TestChildrenRunRecursiveTable(t *testing.T) {
	for _, tty := range []bool{false, true} {
		e := cmdtest.WithEmulator(t)
		e.Factory.IOStreams.SetStdoutTTY(tty)
		if err := runChildren(t, e, emulator.DemoSharedFolderShareID, "--recursive"); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(e.Out.String(), "\n"), "\n")
		if tty {
			if !strings.HasPrefix(lines[0], "PATH ") || !strings.Contains(lines[0], " KIND ") {
				t.Errorf("header = %q", lines[0])
			}
			lines = lines[1:]
		}
		if len(lines) != 455 {
			t.Fatalf("tty=%v: %d rows", tty, len(lines))
		}
		// Sorted by path, Archive before its files.
		if !strings.HasPrefix(lines[0], "Archive") || !strings.HasPrefix(lines[1], "Archive/report-") {
			t.Errorf("tty=%v: first rows %q, %q", tty, lines[0], lines[1])
		}
		if !tty && !strings.HasPrefix(lines[1], "Archive/report-001.csv\tfile\t2.0 KiB\t") {
			t.Errorf("row = %q", lines[1])
		}
	}
}

func TestChildrenRunTree(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	if err := runChildren(t, e, emulator.DemoSharedFolderURL, "--tree"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(e.Out.String(), "\n"), "\n")
	if len(lines) != 456 {
		t.Fatalf("%d lines, want the folder, 5 children and 450 in Archive", len(lines))
	}
	got := strings.Join(append(lines[:4:4], lines[len(lines)-5:]...), "\n")
	want := `Reports/  1.0 MiB
├── Archive/  900.0 KiB
│   ├── report-001.csv  2.0 KiB
│   ├── report-002.csv  2.0 KiB
│   └── report-450.csv  2.0 KiB
├── Budget 2024+draft.xlsx  8.9 KiB
├── Café ünïcode.docx  29.5 KiB
├── Q3 #1 100%.xlsx  18.0 KiB
└── Summary.pdf  117.5 KiB`
	if got != want {
		t.Errorf("tree (head and tail):\n%s\nwant:\n%s", got, want)
	}
	if settle(e, 5); len(e.Emu.Requests()) != 5 {
		t.Errorf("%d requests, want the folder, its children and Archive's 3 pages:\n%s", len(e.Emu.Requests()), strings.Join(requestLines(e), "\n"))
	}
}

func requestLines(e *cmdtest.Env) []string {
	var out []string
	for _, r := range e.Emu.Requests() {
		out = append(out, r.Method+" "+r.RawURI)
	}
	return out
}

// settle waits (briefly) until the emulator has recorded n requests: it records a request
// after answering it, so the client can finish before the last one is in the list.
func settle(e *cmdtest.Env, n int) {
	for i := 0; i < 200 && len(e.Emu.Requests()) < n; i++ {
		time.Sleep(5 * time.Millisecond)
	}
}
