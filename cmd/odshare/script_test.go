package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"go.yaml.in/yaml/v3"

	"github.com/odshare/odshare/internal/app"
	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/httpx/httpxtest"
)

// TestMain lets testscript run the real odshare main as the "odshare" program.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"odshare":  func() { os.Exit(app.Main()) },
		"xdg-open": func() { os.Exit(fakeBrowser()) },
	})
}

type emulatorKey struct{}

type replayKey struct{}

// replayState is the script's replay server, if any.
type replayState struct {
	mu    sync.Mutex
	count int
	stop  func()
}

// TestScripts runs every testdata/script/*.txtar against a fresh in-process Graph emulator.
//
// The emulator serves the demo fixture, or the script's own when it has a file named
// emulator-fixture.yaml; a file emulator-options.yaml sets a few options (pageSize, budget:
// {units, window, headersForDelegated}).
//
// Each script gets ODSHARE_GRAPH_ENDPOINT pointing at its own emulator, ODSHARE_ACCESS_TOKEN set to
// "test-token", and an empty config dir. Custom commands:
//
//	exitcode N cmd args...   run cmd and require exit status N exactly
//	interrupt WHEN N cmd...  run cmd, send SIGINT when WHEN holds, require exit status N. WHEN is
//	                         "requests=K[,method=M][,path=P][,status=S]": the emulator has recorded K
//	                         requests (with that method, raw path P without its query, answered with
//	                         status S), given a minute at most; or "stderr=REGEXP": what the
//	                         command wrote to stderr so far matches REGEXP (for a program that talks
//	                         to no emulator), given a minute at most.
//	emu requests             print every request the emulator recorded (method, raw URI, headers, body)
//	emu last                 print the last recorded request
//	emu count N [SPEC]       require exactly N recorded requests (matching SPEC, as "method=M,path=P,
//	                         status=S" of interrupt's WHEN; a * in P is any characters)
//	emu fault SPEC           inject a fault (emulator.ParseFault syntax); the script fails at its end
//	                         (or at emu reset) if the rule was never applied to a request
//	emu stats                print createLink created/existing counts, batches and throttled
//	emu wait WHEN            wait until the emulator has recorded what WHEN says (as interrupt's), a
//	                         minute at most: a request a client gave up on may still be running
//	emu reset                forget recorded requests and faults
//	emu units                print requests, batches, throttled requests and resource units
//	emu expire-delta         make every delta token issued so far answer 410 resyncRequired
//	emu secret NAME VALUE    require that the last request carried secret NAME (authorization or
//	                         password) equal to VALUE; "! emu secret NAME" requires that it carried none.
//	                         Recorded requests show secrets as "[redacted]" (see emulator.RecordedRequest)
//	proxy start              start a hostile forward proxy and point HTTP_PROXY and HTTPS_PROXY at it
//	                         (NO_PROXY=localhost,127.0.0.1,::1)
//	proxy count N            require that the proxy was sent exactly N requests
//	replay STATUS FILE       answer every request on a new loopback server ($REPLAY) with STATUS and
//	                         FILE as a JSON body: an exchange captured from the real service
//	replay count N           require exactly N requests on that server
//
// emu (and boxemu) subcommands that read or reset what the stand-in recorded first wait until no
// client connection to it is open, up to 3 s (settle): requests a command left in flight when it
// exited are then recorded before the count, not after the reset.
//
// Downloads are served on a second origin, http://localhost:PORT (see downloadHost), and shown
// as /_download/{token}. emu clock, expire-after, ignore-range, corrupt, content and served steer
// them (see cmdEmuDownloads). A script with an emulator-fixture.yaml gets that fixture instead of
// the demo data.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			opts, err := scriptEmulatorOptions(env.WorkDir)
			if err != nil {
				return err
			}
			emu, srv, err := setupEmulator(env, opts)
			if err != nil {
				return err
			}
			env.Defer(srv.Close)
			deferFaultCheck(env, "emu", emu.UnappliedFaults)
			env.Values[emulatorKey{}] = emu
			env.Values[replayKey{}] = &replayState{}
			env.Values[proxyKey{}] = &proxyHolder{}
			env.Setenv("EMULATOR", srv.URL)
			env.Setenv("EMULATOR_PORT", strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port))
			env.Setenv("ODSHARE_GRAPH_ENDPOINT", srv.URL+"/v1.0")
			env.Setenv("ODSHARE_ACCESS_TOKEN", "test-token")
			env.Setenv("ODSHARE_CONFIG_DIR", filepath.Join(env.WorkDir, ".config", "odshare"))
			env.Setenv("DEMO_FOLDER_URL", emulator.DemoSharedFolderURL)
			env.Setenv("DEMO_FILE_URL", emulator.DemoSharedFileURL)
			env.Setenv("BIZ_DRIVE", emulator.DemoBusinessDriveID)
			env.Setenv("NO_COLOR", "1")
			env.Setenv("CI", "true")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitcode,
			"interrupt": cmdInterrupt,
			"emu":       cmdEmu,
			"proxy":     cmdProxy,
			"replay":    cmdReplay,
		},
	})
}

// scriptEmulatorOptions are the emulator's options for a script: the demo fixture, or the
// script's emulator-fixture.yaml, and the few options its emulator-options.yaml sets.
func scriptEmulatorOptions(dir string) (emulator.Options, error) {
	opts := emulator.Options{PageSize: 200, RandomSeed: 1}
	if fx := filepath.Join(dir, "emulator-fixture.yaml"); fileExists(fx) {
		seed, err := emulator.LoadFixture(fx)
		if err != nil {
			return opts, err
		}
		opts.Seed = seed
	}
	oy := filepath.Join(dir, "emulator-options.yaml")
	if !fileExists(oy) {
		return opts, nil
	}
	data, err := os.ReadFile(oy)
	if err != nil {
		return opts, err
	}
	var o struct {
		PageSize int `yaml:"pageSize"`
		Budget   *struct {
			Units               int           `yaml:"units"`
			Window              time.Duration `yaml:"window"`
			HeadersForDelegated bool          `yaml:"headersForDelegated"`
		} `yaml:"budget"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&o); err != nil {
		return opts, fmt.Errorf("emulator-options.yaml: %w", err)
	}
	if o.PageSize > 0 {
		opts.PageSize = o.PageSize
	}
	if b := o.Budget; b != nil {
		opts.Budget = &emulator.Budget{Units: b.Units, Window: b.Window, HeadersForDelegated: b.HeadersForDelegated}
	}
	return opts, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

type proxyKey struct{}

// proxyHolder lets the proxy command start a proxy in the middle of a script.
type proxyHolder struct{ p *httpxtest.Proxy }

func cmdProxy(ts *testscript.TestScript, neg bool, args []string) {
	h := ts.Value(proxyKey{}).(*proxyHolder)
	switch {
	case !neg && len(args) == 1 && args[0] == "start":
		p, err := httpxtest.StartProxy()
		ts.Check(err)
		ts.Defer(func() { p.Close() })
		h.p = p
		ts.Setenv("HTTP_PROXY", p.URL().String())
		ts.Setenv("HTTPS_PROXY", p.URL().String())
		ts.Setenv("NO_PROXY", "localhost,127.0.0.1,::1")
	case !neg && len(args) == 2 && args[0] == "count" && h.p != nil:
		got := h.p.Requests()
		if want, _ := strconv.Atoi(args[1]); len(got) != want {
			ts.Fatalf("the proxy was sent %d requests, want %s:\n%s", len(got), args[1], strings.Join(got, "\n"))
		}
	default:
		ts.Fatalf("usage: proxy start | proxy count N (after start)")
	}
}

func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: bad status %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		got = exitErr.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdInterrupt runs a command, sends it SIGINT (Ctrl-C) when an event has happened (or after a
// delay), and requires an exit status.
func cmdInterrupt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 {
		ts.Fatalf("usage: interrupt requests=K[,method=M][,path=P][,status=S]|stderr=REGEXP N command [args...]")
	}
	var wait func(exited <-chan struct{}) error
	stderr := &lockedBuffer{}
	switch {
	case strings.HasPrefix(args[0], "requests="):
		wait = recordedRequests(ts, args[0])
	case strings.HasPrefix(args[0], "stderr="):
		re, err := regexp.Compile(strings.TrimPrefix(args[0], "stderr="))
		ts.Check(err)
		wait = func(exited <-chan struct{}) error { return stderrMatches(stderr, re, exited) }
	default:
		ts.Fatalf("interrupt: WHEN %q is neither requests=… nor stderr=…", args[0])
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	path, err := lookPath(args[2], ts.Getenv("PATH"))
	ts.Check(err)
	cmd := exec.Command(path, args[3:]...)
	cmd.Dir = ts.MkAbs(".")
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	for _, k := range []string{"WORK", "HOME", "EMULATOR", "ODSHARE_GRAPH_ENDPOINT", "ODSHARE_ACCESS_TOKEN", "ODSHARE_CONFIG_DIR", "DEMO_FOLDER_URL", "NO_COLOR", "CI",
		"ODSHARE_CA_FILE", "ODSHARE_BOX_API_URL", "ODSHARE_BOX_ACCESS_TOKEN", "ODSHARE_BOX_TOKEN_URL", "ODSHARE_BOX_AUTHORIZE_URL", "ODSHARE_BOX_CLIENT_SECRET", "DISPLAY", "PATH"} {
		cmd.Env = append(cmd.Env, k+"="+ts.Getenv(k))
	}
	cmd.Stdout, cmd.Stderr = ts.Stdout(), stderr
	ts.Check(cmd.Start())
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	if err := wait(exited); err != nil {
		_ = cmd.Process.Kill()
		<-exited
		_, _ = ts.Stderr().Write(stderr.Bytes())
		ts.Fatalf("interrupt: %v", err)
	}
	ts.Check(cmd.Process.Signal(os.Interrupt))
	<-exited
	_, _ = ts.Stderr().Write(stderr.Bytes())
	got := 0
	var exitErr *exec.ExitError
	if errors.As(waitErr, &exitErr) {
		got = exitErr.ExitCode()
	} else if waitErr != nil {
		ts.Fatalf("interrupt: %v", waitErr)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d after SIGINT, want %d", args[2], got, want)
	}
}

// lockedBuffer is a command's stderr that the script reads while the command still writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// stderrMatches waits until what the command wrote to stderr matches re. It fails when the
// command exits first or the deadline passes.
func stderrMatches(stderr *lockedBuffer, re *regexp.Regexp, exited <-chan struct{}) error {
	deadline := time.After(interruptDeadline)
	for !re.Match(stderr.Bytes()) {
		select {
		case <-exited:
			if re.Match(stderr.Bytes()) {
				return nil
			}
			return fmt.Errorf("the command exited before its stderr matched %q", re)
		case <-deadline:
			return fmt.Errorf("stderr did not match %q within %v", re, interruptDeadline)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// interruptDeadline bounds the wait for an interrupt's event: generous, since only a broken
// run takes it.
const interruptDeadline = time.Minute

// requestFilter parses "[requests=K,][method=M][,path=P][,status=S]": the number of requests K (0
// when absent) and a matcher of recorded requests (with that method, raw path P without its query,
// answered with status S). A "*" in P stands for any characters, "/" included.
func requestFilter(ts *testscript.TestScript, spec string) (int, func(emulator.RecordedRequest) bool) {
	var n, status int
	var method, pattern string
	for _, kv := range strings.Split(spec, ",") {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		switch k {
		case "requests":
			n, err = strconv.Atoi(v)
		case "method":
			method = v
		case "path":
			pattern = v
		case "status":
			status, err = strconv.Atoi(v)
		default:
			err = fmt.Errorf("unknown key %q", k)
		}
		if err != nil || (k == "path" && !strings.HasPrefix(v, "/")) {
			ts.Fatalf("bad request spec %q (requests=K,method=M,path=/P,status=S; quote a path with $): %v", spec, err)
		}
	}
	glob := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(pattern), `\*`, ".*") + "$")
	return n, func(r emulator.RecordedRequest) bool {
		p, _, _ := strings.Cut(r.RawURI, "?")
		return (pattern == "" || glob.MatchString(p)) && (method == "" || r.Method == method) && (status == 0 || r.Status == status)
	}
}

// recordedRequests parses "requests=K[,method=M][,path=P][,status=S]" (see requestFilter) and
// returns a wait that polls the script's emulator until it has recorded K matching requests. It
// fails when the command exits first or the deadline passes.
func recordedRequests(ts *testscript.TestScript, spec string) func(exited <-chan struct{}) error {
	emu, ok := ts.Value(emulatorKey{}).(*emulator.Server)
	if !ok {
		ts.Fatalf("interrupt %s: this script has no Graph emulator", spec)
	}
	requests := emu.Requests
	// A Box path is watched on the Box stand-in, which records its own requests (testdata/box).
	if bs, ok := ts.Value(boxServerKey{}).(*boxSide); ok && strings.Contains(spec, "path=/2.0/") {
		requests = bs.st.Box.Requests
	}
	n, match := requestFilter(ts, spec)
	count := func() int {
		c := 0
		for _, r := range requests() {
			if match(r) {
				c++
			}
		}
		return c
	}
	// exited may be nil: no command to watch.
	return func(exited <-chan struct{}) error {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		deadline := time.After(interruptDeadline)
		for count() < n {
			select {
			case <-exited:
				return fmt.Errorf("the command exited before the emulator recorded %s (it has %d)", spec, count())
			case <-deadline:
				return fmt.Errorf("the emulator recorded %d of %s within %v", count(), spec, interruptDeadline)
			case <-tick.C:
			}
		}
		return nil
	}
}

func lookPath(name, pathList string) (string, error) {
	for _, dir := range filepath.SplitList(pathList) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found in PATH", name)
}

func cmdEmu(ts *testscript.TestScript, neg bool, args []string) {
	settle(ts, ts.Value(emulatorKey{}).(*emulator.Server).WaitIdle, args)
	if len(args) > 0 && args[0] == "secret" {
		cmdEmuSecret(ts, neg, args[1:])
		return
	}
	if neg || len(args) == 0 {
		ts.Fatalf("usage: emu requests|last|count N|fault SPEC|reset")
	}
	emu := ts.Value(emulatorKey{}).(*emulator.Server)
	if cmdEmuDownloads(ts, emu, args) {
		return
	}
	reqs := emu.Requests()
	switch args[0] {
	case "requests":
		for _, r := range reqs {
			fmt.Fprint(ts.Stdout(), formatRequest(r))
		}
	case "last":
		if len(reqs) == 0 {
			ts.Fatalf("emu last: no request was recorded")
		}
		fmt.Fprint(ts.Stdout(), formatRequest(reqs[len(reqs)-1]))
	case "count":
		if len(args) != 2 && len(args) != 3 {
			ts.Fatalf("usage: emu count N [method=M,path=P,status=S]")
		}
		match := func(emulator.RecordedRequest) bool { return true }
		if len(args) == 3 {
			_, match = requestFilter(ts, args[2])
		}
		var lines []string
		for _, r := range reqs {
			if match(r) {
				lines = append(lines, fmt.Sprintf("%s %s %d", r.Method, r.RawURI, r.Status))
			}
		}
		if want, _ := strconv.Atoi(args[1]); len(lines) != want {
			ts.Fatalf("emulator recorded %d matching requests, want %s:\n%s", len(lines), args[1], strings.Join(lines, "\n"))
		}
	case "stats":
		st := emu.Stats()
		fmt.Fprintf(ts.Stdout(), "created=%d existing=%d batches=%d throttled=%d\n",
			st.CreateLink.Created, st.CreateLink.Existing, st.Batches, st.Throttled)
	case "fault":
		if len(args) != 2 {
			ts.Fatalf("usage: emu fault SPEC")
		}
		f, err := emulator.ParseFault(args[1])
		ts.Check(err)
		// A path that lost its "$batch" to variable expansion would match nothing and make the
		// test pass without a fault: quote such specs in single quotes.
		if f.Path != "" && !strings.Contains(f.Path, "*") && !strings.HasPrefix(f.Path, "/") {
			ts.Fatalf("emu fault: path %q must start with /", f.Path)
		}
		if f.Path == "/" {
			ts.Fatalf("emu fault: path \"/\" matches nothing; was \"$batch\" expanded? quote the spec")
		}
		emu.AddFault(f)
	case "wait":
		if len(args) != 2 || !strings.HasPrefix(args[1], "requests=") {
			ts.Fatalf("usage: emu wait requests=K[,method=M][,path=P][,status=S]")
		}
		ts.Check(recordedRequests(ts, args[1])(nil))
	case "units":
		st := emu.Stats()
		fmt.Fprintf(ts.Stdout(), "requests=%d batches=%d throttled=%d units=%d\n", st.Requests, st.Batches, st.Throttled, st.ResourceUnits)
	case "expire-delta":
		emu.ExpireDeltaTokens()
	case "reset":
		if msg := unappliedFaults("emu", emu.UnappliedFaults()); msg != "" {
			ts.Fatalf("%s", msg)
		}
		emu.ResetRequests()
		emu.ClearFaults()
		emu.ResetStats()
	default:
		ts.Fatalf("emu: unknown subcommand %q", args[0])
	}
}

// settleTimeout bounds settle's wait.
const settleTimeout = 3 * time.Second

// settle waits, before an emu or boxemu subcommand that reads or resets what the stand-in recorded,
// until no client connection to it is open (waitIdle): a command that exited with requests in
// flight (stopped by a 401 mid-walk, say) leaves them in its sockets, and the stand-in handles them
// after it has gone — after the next reset, or during the next count. A command still running in
// the background (`exec ... &`) keeps it waiting settleTimeout; emu wait and the fault and clock
// subcommands, which scripts use while one runs, do not settle.
func settle(ts *testscript.TestScript, waitIdle func(time.Duration) bool, args []string) {
	if len(args) == 0 {
		return
	}
	switch args[0] {
	case "requests", "last", "count", "stats", "units", "reset", "secret", "served":
		if !waitIdle(settleTimeout) {
			ts.Logf("%s: client connections to the stand-in still open after %v", args[0], settleTimeout)
		}
	}
}

// unappliedFaults describes the fault rules that no request triggered, or returns "": a script
// whose fault never fires tests nothing of what it says (a glob that matches no path, a rule
// shadowed by an earlier one, a request that never came).
func unappliedFaults(cmd string, rules []emulator.Fault) string {
	if len(rules) == 0 {
		return ""
	}
	var specs []string
	for _, f := range rules {
		b, _ := json.Marshal(f)
		specs = append(specs, string(b))
	}
	return fmt.Sprintf("%s fault: %d rule(s) never applied to any request (fix the rule or the script): %s", cmd, len(rules), strings.Join(specs, "; "))
}

// deferFaultCheck fails the script at its end when a fault rule it added was never applied.
func deferFaultCheck(env *testscript.Env, cmd string, unapplied func() []emulator.Fault) {
	env.Defer(func() {
		if msg := unappliedFaults(cmd, unapplied()); msg != "" {
			env.T().Log(msg)
			env.T().FailNow()
		}
	})
}

// cmdEmuSecret checks a secret of the last recorded request through its digest.
func cmdEmuSecret(ts *testscript.TestScript, neg bool, args []string) {
	emu := ts.Value(emulatorKey{}).(*emulator.Server)
	reqs := emu.Requests()
	if len(reqs) == 0 || (neg && len(args) != 1) || (!neg && len(args) != 2) {
		ts.Fatalf("usage: emu secret NAME VALUE | ! emu secret NAME (after a request)")
	}
	last := reqs[len(reqs)-1]
	_, present := last.Secrets[args[0]]
	switch {
	case neg && present:
		ts.Fatalf("the last request carried a %s", args[0])
	case !neg && !emu.SecretIs(last, args[0], args[1]):
		ts.Fatalf("the last request did not carry %s %q (carried one: %v)", args[0], args[1], present)
	}
}

// recordedHeaders are the request headers scripts assert on; others (Accept-Encoding, the random
// client-request-id) would only make the expectations brittle.
var recordedHeaders = []string{"Authorization", "Content-Type", "Prefer", "Range", "User-Agent"}

func formatRequest(r emulator.RecordedRequest) string {
	return formatRecorded(r, downloadPath(r.RawURI), recordedHeaders)
}

// formatRecorded prints a recorded request as the scripts compare it: the method and uri (the raw
// URI with its random parts named), the headers among headers that it carried, and its body.
func formatRecorded(r emulator.RecordedRequest, uri string, headers []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", r.Method, uri)
	keys := append([]string(nil), headers...)
	sort.Strings(keys)
	for _, k := range keys {
		if v := r.Header.Values(k); len(v) > 0 {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(v, ", "))
		}
	}
	if len(r.Body) > 0 {
		fmt.Fprintf(&b, "\n%s\n", r.Body)
	}
	b.WriteString("--\n")
	return b.String()
}

func cmdReplay(ts *testscript.TestScript, neg bool, args []string) {
	st := ts.Value(replayKey{}).(*replayState)
	if neg || len(args) != 2 {
		ts.Fatalf("usage: replay STATUS FILE | replay count N")
	}
	if args[0] == "count" {
		st.mu.Lock()
		defer st.mu.Unlock()
		if want, _ := strconv.Atoi(args[1]); st.count != want {
			ts.Fatalf("replay server got %d requests, want %s", st.count, args[1])
		}
		return
	}
	status, err := strconv.Atoi(args[0])
	ts.Check(err)
	body := []byte(ts.ReadFile(args[1]))
	if st.stop != nil {
		st.stop()
	}
	st.count = 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st.mu.Lock()
		st.count++
		st.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
	st.stop = srv.Close
	ts.Defer(srv.Close)
	ts.Setenv("REPLAY", srv.URL)
}
