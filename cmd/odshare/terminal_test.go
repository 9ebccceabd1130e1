package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/stack"
	"github.com/odshare/odshare/internal/testutil"
)

// TestLoginInTerminal runs `odshare auth login` in a real terminal (tmux): the device-code
// message appears, a spinner shows it is waiting, and Ctrl-C ends the wait with exit 130. Stdout
// is redirected to a file, so text on the screen came from stderr.
func TestLoginInTerminal(t *testing.T) {
	tmux := testutil.Tool(t, "tmux")
	st, err := stack.New(stack.Options{Graph: emulator.Options{RandomSeed: 1}, TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	stop, err := st.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })

	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, st.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := odshareBinary(t, dir)
	exitFile, outFile := filepath.Join(dir, "exit"), filepath.Join(dir, "stdout")
	// Ctrl-C reaches the whole foreground process group; the shell traps it so that it survives
	// to record odshare's exit status.
	script := fmt.Sprintf("trap : INT; env -u CI ODSHARE_GRAPH_ENDPOINT=%s ODSHARE_AUTHORITY_HOST=%s ODSHARE_CA_FILE=%s ODSHARE_CONFIG_DIR=%s %s auth login >%s; echo $? >%s; sleep 60",
		st.BaseURL, st.AuthorityHost, ca, filepath.Join(dir, "config"), bin, outFile, exitFile)
	tm := tmuxServer(t, tmux, "login")
	tm("new-session", "-d", "-s", "login", "-x", "160", "-y", "20", "sh", "-c", script)

	screen := waitFor(t, func() string {
		b, _ := os.ReadFile(exitFile)
		return tm("capture-pane", "-p", "-t", "login") + "\n[exit file: " + string(b) + "]"
	}, func(s string) bool {
		return strings.Contains(s, "/devicelogin and enter the code") && strings.Contains(s, "Waiting for you to sign in")
	})
	if len(st.Identity.PendingDeviceCodes()) != 1 {
		t.Fatalf("want one pending device code; screen:\n%s", screen)
	}
	tm("send-keys", "-t", "login", "C-c")
	code := waitFor(t, func() string { b, _ := os.ReadFile(exitFile); return strings.TrimSpace(string(b)) }, func(s string) bool { return s != "" })
	if code != "130" {
		t.Fatalf("exit status %s after Ctrl-C, want 130; screen:\n%s", code, tm("capture-pane", "-p", "-t", "login"))
	}
	if b, _ := os.ReadFile(outFile); len(b) != 0 {
		t.Errorf("stdout = %q, want nothing", b)
	}
	if screen := tm("capture-pane", "-p", "-t", "login"); !strings.Contains(screen, "odshare: interrupted") {
		t.Errorf("screen lacks the interrupted message:\n%s", screen)
	}
}

// odshareBinary puts the test binary in dir as "odshare": it runs app.Main when it is called so
// (see TestMain).
func odshareBinary(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "odshare")
	if err := os.Link(self, bin); err != nil {
		data, err := os.ReadFile(self)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// tmuxServer returns a runner of tmux commands on a server of the test's own, killed at the end.
func tmuxServer(t *testing.T, tmux, name string) func(args ...string) string {
	t.Helper()
	socket := fmt.Sprintf("odshare-test-%s-%d", name, os.Getpid())
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", socket, "kill-server").Run() })
	return func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
}

// TestTablesFitIn80Columns lists links in a real 80-column terminal (tmux, so odshare measures the
// terminal itself): no line of the table or its note is wider than the terminal, so nothing wraps,
// and the URLs are whole.
func TestTablesFitIn80Columns(t *testing.T) {
	tmux := testutil.Tool(t, "tmux")
	_, srv, dir, bin := terminalEmulator(t)
	done := filepath.Join(dir, "done")
	script := fmt.Sprintf(`export ODSHARE_GRAPH_ENDPOINT=%s/v1.0 ODSHARE_ACCESS_TOKEN=t ODSHARE_CONFIG_DIR=%s NO_COLOR=1
%[3]s link create /Photos --type view --scope anonymous >/dev/null
%[3]s link create /Photos --type edit --scope anonymous --expires 7d >/dev/null
%[3]s link list /Photos --all; %[3]s link create /Photos --type view --scope anonymous; %[3]s share children %[4]s
touch %[5]s; sleep 60`, srv.URL, filepath.Join(dir, "config"), bin, emulator.DemoSharedFolderURL, done)
	tm := tmuxServer(t, tmux, "fit")
	tm("new-session", "-d", "-s", "fit", "-x", "80", "-y", "50", "sh", "-c", script)
	waitFor(t, func() string { _, err := os.Stat(done); return fmt.Sprint(err == nil) }, func(s string) bool { return s == "true" })
	// -J joins wrapped lines, so a line that wrapped shows up longer than 80.
	screen := tm("capture-pane", "-p", "-J", "-t", "fit")
	for _, line := range strings.Split(screen, "\n") {
		if w := len([]rune(line)); w > 80 {
			t.Errorf("line of %d columns wrapped:\n%s", w, line)
		}
	}
	for _, want := range []string{"TYPE  SCOPE      INHERITED  URL", "view  anonymous  no         https://1drv.ms/f/s!",
		"edit  anonymous  no         https://1drv.ms/f/s!", "Note: not shown to fit 80 columns: ID, ROLES, EXPIRES (-o wide shows them)",
		"TYPE  SCOPE      URL", "NAME", "Archive"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
}

// terminalEmulator starts a Graph emulator over plain http for a terminal test, and puts the
// odshare binary in a new directory.
func terminalEmulator(t *testing.T) (emu *emulator.Server, srv *httptest.Server, dir, bin string) {
	t.Helper()
	emu, err := emulator.New(emulator.Options{RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv = httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	dir = t.TempDir()
	return emu, srv, dir, odshareBinary(t, dir)
}

func waitFor(t *testing.T, get func() string, ok func(string) bool) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		if last = get(); ok(last) {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out; last seen:\n%s", last)
	return ""
}

// TestWaitsShowInTerminal runs commands that wait in a real terminal (tmux), stdout to a file:
// `link create` throttled with Retry-After 2 says on stderr that Graph throttled it and when it
// retries, and `share children --recursive` behind slow pages shows what it is listing.
// Once the command is done the line is gone and the results are in the file.
func TestWaitsShowInTerminal(t *testing.T) {
	tmux := testutil.Tool(t, "tmux")
	emu, srv, dir, bin := terminalEmulator(t)
	tm := tmuxServer(t, tmux, "waits")

	run := func(name, args, waitText string) (screen, stdout string) {
		t.Helper()
		exitFile, outFile := filepath.Join(dir, name+".exit"), filepath.Join(dir, name+".out")
		script := fmt.Sprintf("env -u CI ODSHARE_GRAPH_ENDPOINT=%s/v1.0 ODSHARE_ACCESS_TOKEN=t ODSHARE_CONFIG_DIR=%s %s %s >%s; echo $? >%s; sleep 60",
			srv.URL, filepath.Join(dir, "config"), bin, args, outFile, exitFile)
		tm("new-session", "-d", "-s", name, "-x", "120", "-y", "10", "sh", "-c", script)
		screen = waitFor(t, func() string {
			code, _ := os.ReadFile(exitFile)
			return tm("capture-pane", "-p", "-t", name) + "\n[exit status: " + strings.TrimSpace(string(code)) + "]"
		}, func(s string) bool { return strings.Contains(s, waitText) })
		code := waitFor(t, func() string { b, _ := os.ReadFile(exitFile); return strings.TrimSpace(string(b)) }, func(s string) bool { return s != "" })
		b, _ := os.ReadFile(outFile)
		if code != "0" {
			t.Fatalf("%s: exit status %s; stdout %q; screen:\n%s", name, code, b, tm("capture-pane", "-p", "-t", name))
		}
		if after := tm("capture-pane", "-p", "-t", name); strings.TrimSpace(after) != "" {
			t.Errorf("%s: the screen still shows, after the command ended:\n%s", name, after)
		}
		return screen, string(b)
	}

	f, err := emulator.ParseFault("method=POST,status=429,retry-after=2,times=1")
	if err != nil {
		t.Fatal(err)
	}
	emu.AddFault(f)
	screen, out := run("create", "link create /Photos --type view --scope anonymous", "throttled by Graph (HTTP 429), retrying in")
	if !strings.Contains(screen, "Creating the link — throttled by Graph (HTTP 429), retrying in ") {
		t.Errorf("create: screen while waiting:\n%s", screen)
	}
	if !strings.Contains(out, "created") {
		t.Errorf("create: stdout %q", out)
	}

	emu.ClearFaults()
	if f, err = emulator.ParseFault("latency=700ms,path=/drives/**"); err != nil {
		t.Fatal(err)
	}
	emu.AddFault(f)
	screen, out = run("walk", "share children "+emulator.DemoSharedFolderShareID+" --recursive", "Listing the shared folder: 205 items in 2 folders so far")
	if n := strings.Count(out, "\n"); n != 455 {
		t.Errorf("walk: %d lines on stdout, want 455; screen was:\n%s", n, screen)
	}
}

// TestBulkInterruptInTerminal: Ctrl-C during a bulk run on a terminal prints the items that have
// an outcome (here the batch in flight, outcome unknown) and one line summing up the rest, not a
// row per item never sent; then "interrupted" and exit 130.
func TestBulkInterruptInTerminal(t *testing.T) {
	tmux := testutil.Tool(t, "tmux")
	emu, srv, dir, bin := terminalEmulator(t)
	f, err := emulator.ParseFault("latency=5s,path=/$batch")
	if err != nil {
		t.Fatal(err)
	}
	emu.AddFault(f)
	items := filepath.Join(dir, "items.txt")
	var lines []string
	for i := 1; i <= 100; i++ {
		lines = append(lines, fmt.Sprintf("/Reports/Archive/report-%03d.csv", i))
	}
	if err := os.WriteFile(items, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exitFile := filepath.Join(dir, "exit")
	script := fmt.Sprintf("trap : INT; env -u CI NO_COLOR=1 ODSHARE_GRAPH_ENDPOINT=%s/v1.0 ODSHARE_ACCESS_TOKEN=t ODSHARE_CONFIG_DIR=%s %s link create --from-file %s --type view --scope anonymous --concurrency 1; echo $? >%s; sleep 60",
		srv.URL, filepath.Join(dir, "config"), bin, items, exitFile)
	tm := tmuxServer(t, tmux, "bulkint")
	tm("new-session", "-d", "-s", "bulk", "-x", "200", "-y", "40", "sh", "-c", script)
	waitFor(t, func() string { return tm("capture-pane", "-p", "-t", "bulk") }, func(s string) bool { return strings.Contains(s, "Sharing 0/100") })
	tm("send-keys", "-t", "bulk", "C-c")
	code := waitFor(t, func() string { b, _ := os.ReadFile(exitFile); return strings.TrimSpace(string(b)) }, func(s string) bool { return s != "" })
	screen := tm("capture-pane", "-p", "-t", "bulk")
	if code != "130" {
		t.Fatalf("exit status %s, want 130; screen:\n%s", code, screen)
	}
	for _, want := range []string{
		"odshare: 0 of 100 items done, 80 not sent, 20 sent without an answer (outcome unknown); run the same command again to finish",
		"odshare: interrupted",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	if n := strings.Count(screen, " unknown "); n != 20 {
		t.Errorf("%d rows of outcome unknown, want 20:\n%s", n, screen)
	}
	if strings.Contains(screen, "not sent:") || strings.Contains(screen, "cancelled") {
		t.Errorf("rows for items never sent:\n%s", screen)
	}
}

// TestAuditProgressInTerminal runs `link audit` in a real terminal (tmux), stdout to a file,
// behind slow answers: while the tree is enumerated a spinner says what is scanned; while the
// permissions are read a bar counts the items read, with the links found so far, the rate and
// the ETA; once done the screen is clear but for the summary, and the links are in the file.
func TestAuditProgressInTerminal(t *testing.T) {
	tmux := testutil.Tool(t, "tmux")
	emu, srv, dir, bin := terminalEmulator(t)
	for _, spec := range []string{"latency=900ms,path=/drives/*/items/*/delta", "latency=150ms,path=/$batch"} {
		f, err := emulator.ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		emu.AddFault(f)
	}
	exitFile, outFile := filepath.Join(dir, "exit"), filepath.Join(dir, "out")
	script := fmt.Sprintf("env -u CI NO_COLOR=1 ODSHARE_GRAPH_ENDPOINT=%s/v1.0 ODSHARE_ACCESS_TOKEN=t ODSHARE_CONFIG_DIR=%s %s link audit /Reports --concurrency 1 >%s; echo $? >%s; sleep 60",
		srv.URL, filepath.Join(dir, "config"), bin, outFile, exitFile)
	tm := tmuxServer(t, tmux, "audit")
	tm("new-session", "-d", "-s", "audit", "-x", "160", "-y", "10", "sh", "-c", script)
	screen := func() string {
		code, _ := os.ReadFile(exitFile)
		return tm("capture-pane", "-p", "-t", "audit") + "\n[exit status: " + strings.TrimSpace(string(code)) + "]"
	}
	waitFor(t, screen, func(s string) bool { return strings.Contains(s, "Scanning /Reports") })
	reading := waitFor(t, screen, func(s string) bool {
		return strings.Contains(s, "Reading permissions of 456 items (1 link found)") && strings.Contains(s, "/456") && strings.Contains(s, "ETA")
	})
	code := waitFor(t, func() string { b, _ := os.ReadFile(exitFile); return strings.TrimSpace(string(b)) }, func(s string) bool { return s != "" })
	if code != "0" {
		t.Fatalf("exit status %s; screen:\n%s", code, screen())
	}
	b, _ := os.ReadFile(outFile)
	if !strings.Contains(string(b), "demo-folder-link") || strings.Count(string(b), "\n") != 1 {
		t.Errorf("stdout %q; the screen while reading:\n%s", b, reading)
	}
	if after := tm("capture-pane", "-p", "-t", "audit"); !strings.Contains(after, "456 items scanned, 456 read, 1 link found, 1 matching the filters.") {
		t.Errorf("the screen after the command:\n%s", after)
	}
}
