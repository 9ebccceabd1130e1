package link

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/graph/api"
)

// run executes a command built by newCmd against e's emulator with args, after forgetting
// earlier output and requests.
func run(t *testing.T, e *cmdtest.Env, cmd *cobra.Command, args ...string) error {
	t.Helper()
	e.Out.Reset()
	e.ErrOut.Reset()
	e.Emu.ResetRequests()
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	cmd.SetArgs(args)
	return cmd.Execute()
}

// settle waits (briefly) until the emulator has recorded n requests: it records a request
// after answering it, so the client can finish before the last one is in the list.
func settle(e *cmdtest.Env, n int) {
	for i := 0; i < 200 && len(e.Emu.Requests()) < n; i++ {
		time.Sleep(5 * time.Millisecond)
	}
}

// requestLines returns "METHOD RAW-URI" for every recorded request.
func requestLines(e *cmdtest.Env) []string {
	var out []string
	for _, r := range e.Emu.Requests() {
		out = append(out, r.Method+" "+r.RawURI)
	}
	return out
}

func wantRequests(t *testing.T, e *cmdtest.Env, want ...string) {
	t.Helper()
	settle(e, len(want))
	got := requestLines(e)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// createAnonymousLink makes an anonymous view link on a demo item and returns its permission id.
func createAnonymousLink(t *testing.T, e *cmdtest.Env, path string) string {
	t.Helper()
	client, err := e.Factory.Graph()
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.CreateLink(context.Background(), graph.DriveRef{}, graph.ItemRef{Kind: graph.ItemByPath, Value: path},
		api.CreateLinkRequest{Type: api.LinkView, Scope: api.ScopeAnonymous})
	if err != nil {
		t.Fatal(err)
	}
	return res.Permission.ID
}

func TestListRun(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	if err := run(t, e, newCmdList(e.Factory, nil), "/Reports"); err != nil {
		t.Fatal(err)
	}
	want := "demo-folder-link\tview\tanonymous\t" // then roles, expiry, password, grantees, inherited, URL
	if out := e.Out.String(); strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, want) ||
		!strings.HasSuffix(out, "\tno\t-\tno\t"+emulator.DemoSharedFolderURL+"\n") {
		t.Errorf("links only:\n%s", out)
	}
	wantRequests(t, e, "GET /v1.0/me/drive/root:/Reports:/permissions")

	if err := run(t, e, newCmdList(e.Factory, nil), "/Reports", "--all"); err != nil {
		t.Fatal(err)
	}
	out := e.Out.String()
	for _, want := range []string{
		"\n" + emulator.DemoUserPermissionID + "\tuser\t-\twrite\t-\tno\tMegan Bowen\tno\t-\n",
		"\n" + emulator.DemoInvitationPermissionID + "\tinvitation\t-\tread\t-\tno\t" + emulator.DemoInvitationEmail + "\tno\t-\n",
	} {
		if !strings.Contains("\n"+out, want) {
			t.Errorf("--all lacks %q:\n%s", want, out)
		}
	}
	if e.ErrOut.Len() != 0 {
		t.Errorf("stderr = %q", e.ErrOut.String())
	}
}

func TestListRunInheritedTTY(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	e.Factory.IOStreams.SetStdoutTTY(true)
	e.Factory.IOStreams.SetTerminalWidth(300)
	if err := run(t, e, newCmdList(e.Factory, nil), "/Reports/Summary.pdf", "--all"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(e.Out.String(), "\n"), "\n")
	if !strings.HasPrefix(lines[0], "ID ") || !strings.Contains(lines[0], " GRANTED TO ") || !strings.Contains(lines[0], " INHERITED ") {
		t.Errorf("header = %q", lines[0])
	}
	if !strings.Contains(e.Out.String(), "from /Reports") {
		t.Errorf("no inherited row:\n%s", e.Out.String())
	}
}

func TestListRunJSON(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	t.Setenv("ODSHARE_OUTPUT", "json")
	if err := run(t, e, newCmdList(e.Factory, nil), "/Reports/Summary.pdf"); err != nil {
		t.Fatal(err)
	}
	var perms []map[string]any
	if err := json.Unmarshal(e.Out.Bytes(), &perms); err != nil {
		t.Fatal(err)
	}
	// Only the link inherited from /Reports: the direct grant and invitation aren't links.
	if len(perms) != 1 || perms[0]["id"] != emulator.DemoSharedFolderLinkID || perms[0]["inheritedFrom"] == nil {
		t.Errorf("JSON = %s", e.Out.String())
	}

	// Nothing to list is an empty array in JSON, and a notice for people.
	if err := run(t, e, newCmdList(e.Factory, nil), "--user", emulator.DemoMeganPrincipal, "/"); err != nil {
		t.Fatal(err)
	}
	if got := e.Out.String(); got != "[]\n" {
		t.Errorf("empty JSON = %q", got)
	}
}

func TestDeleteRunFilter(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	id := createAnonymousLink(t, e, "/Reports/Summary.pdf")
	if err := run(t, e, newCmdDelete(e.Factory, nil), "/Reports/Summary.pdf", "--scope", "anonymous", "--yes"); err != nil {
		t.Fatal(err)
	}
	if got, want := e.Out.String(), id+"\tview\tanonymous\tdeleted\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	// The inherited anonymous link of /Reports matched too, but only /Reports can delete it.
	if got := e.ErrOut.String(); !strings.Contains(got, "Skipping "+emulator.DemoSharedFolderLinkID+": inherited from /Reports; delete it there.\n") {
		t.Errorf("stderr = %q", got)
	}
	wantRequests(t, e,
		"GET /v1.0/me/drive/root:/Reports/Summary.pdf:/permissions",
		"DELETE /v1.0/me/drive/root:/Reports/Summary.pdf:/permissions/"+id)
	if r := e.Emu.Requests()[1]; len(r.Body) != 0 {
		t.Errorf("DELETE with a body %q", r.Body)
	}

	// Again: nothing left to delete is a notice and success.
	if err := run(t, e, newCmdDelete(e.Factory, nil), "/Reports/Summary.pdf", "--scope", "anonymous", "--yes"); err != nil {
		t.Fatal(err)
	}
	if e.Out.Len() != 0 || !strings.Contains(e.ErrOut.String(), "No matching links on /Reports/Summary.pdf; nothing deleted.") {
		t.Errorf("stdout %q stderr %q", e.Out.String(), e.ErrOut.String())
	}
	if settle(e, 2); len(e.Emu.Requests()) != 1 {
		t.Errorf("%d requests, want only the listing", len(e.Emu.Requests()))
	}
}

func TestDeleteRunIDsReportsFailures(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	t.Setenv("ODSHARE_OUTPUT", "json")
	id := createAnonymousLink(t, e, "/Reports/Summary.pdf")
	err := run(t, e, newCmdDelete(e.Factory, nil), "/Reports/Summary.pdf", id, emulator.DemoSharedFolderLinkID, "--yes")
	if err == nil || err.Error() != "silent error" {
		t.Fatalf("err = %v, want exit 1 without another message", err)
	}
	var got []struct {
		ID     string `json:"id"`
		Status int    `json:"status"`
		Error  *struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if err := json.Unmarshal(e.Out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, e.Out.String())
	}
	if len(got) != 2 || got[0].ID != id || got[0].Status != 204 || got[0].Error != nil ||
		got[1].ID != emulator.DemoSharedFolderLinkID || got[1].Status != 403 || got[1].Error == nil || got[1].Error.Code != "accessDenied" {
		t.Errorf("report = %s", e.Out.String())
	}
	if !strings.Contains(e.ErrOut.String(), "delete "+emulator.DemoSharedFolderLinkID+": accessDenied: ") {
		t.Errorf("stderr = %q", e.ErrOut.String())
	}
	wantRequests(t, e,
		"GET /v1.0/me/drive/root:/Reports/Summary.pdf:/permissions",
		"DELETE /v1.0/me/drive/root:/Reports/Summary.pdf:/permissions/"+id,
		"DELETE /v1.0/me/drive/root:/Reports/Summary.pdf:/permissions/"+emulator.DemoSharedFolderLinkID)
}

func TestDeleteRunPrompt(t *testing.T) {
	for _, answer := range []string{"y\n", "n\n", ""} {
		e := cmdtest.WithEmulator(t)
		ios := e.Factory.IOStreams
		ios.SetStdinTTY(true)
		ios.SetStderrTTY(true)
		ios.SetStdoutTTY(true)
		id := createAnonymousLink(t, e, "/Reports/Summary.pdf")
		cmd := newCmdDelete(e.Factory, nil)
		e.Out.Reset()
		e.ErrOut.Reset()
		e.Emu.ResetRequests()
		e.In.WriteString(answer)
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		cmd.SetArgs([]string{"/Reports/Summary.pdf", id})
		err := cmd.Execute()
		// The prompt names the link about to go.
		prompt := regexp.MustCompile(`^About to delete from /Reports/Summary\.pdf:\n  view anonymous https://1drv\.ms/b/s!\S+ \(id ` + regexp.QuoteMeta(id) + `\)\nDelete 1 permission\? \[y/N\] `)
		if !prompt.MatchString(e.ErrOut.String()) {
			t.Errorf("%q: stderr = %q", answer, e.ErrOut.String())
		}
		if answer == "y\n" {
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(e.Out.String(), "\n")
			if !strings.HasPrefix(lines[0], "ID ") || !strings.HasPrefix(lines[1], id) || !strings.HasSuffix(lines[1], "deleted") {
				t.Errorf("table = %q", e.Out.String())
			}
			if settle(e, 2); len(e.Emu.Requests()) != 2 {
				t.Errorf("%d requests", len(e.Emu.Requests()))
			}
			continue
		}
		if err == nil || e.Out.Len() != 0 || !strings.Contains(e.ErrOut.String(), "Nothing deleted.") {
			t.Errorf("%q: err %v, stdout %q, stderr %q", answer, err, e.Out.String(), e.ErrOut.String())
		}
		for _, r := range e.Emu.Requests() {
			if r.Method == "DELETE" {
				t.Errorf("%q: deleted without a yes", answer)
			}
		}
	}
}

func TestUpdateRun(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	if err := run(t, e, newCmdUpdate(e.Factory, nil), "/Reports", emulator.DemoUserPermissionID, "--role", "read"); err != nil {
		t.Fatal(err)
	}
	if got, want := e.Out.String(), emulator.DemoUserPermissionID+"\tuser\t-\tread\t-\tno\tMegan Bowen\tno\t-\n"; got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
	wantRequests(t, e, "PATCH /v1.0/me/drive/root:/Reports:/permissions/"+emulator.DemoUserPermissionID)
	r := e.Emu.Requests()[0]
	if string(r.Body) != `{"roles":["read"]}` || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("body %s, Content-Type %q", r.Body, r.Header.Get("Content-Type"))
	}

	// An anonymous link's expiry can move; JSON is Graph's object. (The config is read once per
	// Factory, so JSON needs a fresh one.)
	e = cmdtest.WithEmulator(t)
	t.Setenv("ODSHARE_OUTPUT", "json")
	if err := run(t, e, newCmdUpdate(e.Factory, nil), "/Reports", emulator.DemoSharedFolderLinkID, "--expires", "2099-05-06T07:08:09Z"); err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(e.Out.Bytes(), &p); err != nil || p["expirationDateTime"] != "2099-05-06T07:08:09Z" {
		t.Errorf("JSON = %s (%v)", e.Out.String(), err)
	}
	if got := string(e.Emu.Requests()[0].Body); got != `{"expirationDateTime":"2099-05-06T07:08:09Z"}` {
		t.Errorf("body = %s", got)
	}
}

func TestUpdateRunGraphRefuses(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	err := run(t, e, newCmdUpdate(e.Factory, nil), "/Reports", emulator.DemoSharedFolderLinkID, "--role", "write")
	var ge *graph.Error
	if !asGraphError(err, &ge) || ge.StatusCode != 400 {
		t.Fatalf("err = %v, want Graph's 400", err)
	}
	if !strings.HasPrefix(err.Error(), "update permission demo-folder-link on /Reports: invalidRequest: ") {
		t.Errorf("err = %v", err)
	}
	if e.Out.Len() != 0 {
		t.Errorf("stdout = %q", e.Out.String())
	}
}

func asGraphError(err error, target **graph.Error) bool { return errors.As(err, target) }

// Deleting a link by its own URL, the prompt names that link alone.
func TestDeleteByURLPrompt(t *testing.T) {
	e := cmdtest.WithEmulator(t)
	ios := e.Factory.IOStreams
	ios.SetStdinTTY(true)
	ios.SetStderrTTY(true)
	e.In.WriteString("n\n")
	err := cmdtest.Execute(e, newCmdDelete(e.Factory, nil), []string{emulator.DemoSharedFolderURL})
	if !errors.Is(err, cmdutil.ErrSilent) {
		t.Fatalf("err = %v", err)
	}
	want := "About to delete:\n  view anonymous " + emulator.DemoSharedFolderURL + " (id " + emulator.DemoSharedFolderLinkID + ")\nDelete 1 permission? [y/N] "
	if !strings.HasPrefix(e.ErrOut.String(), want) {
		t.Errorf("stderr = %q, want %q", e.ErrOut.String(), want)
	}
}
