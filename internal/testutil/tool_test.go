package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestToolHelper is run by TestTool in a child process; alone it does nothing.
func TestToolHelper(t *testing.T) {
	if os.Getenv("TOOL_HELPER") != "1" {
		return
	}
	Tool(t, "tmux")
	t.Log("tool found")
}

// TestTool runs TestToolHelper with tmux missing from PATH: it skips and logs why, or fails under
// CI=true; with tmux on PATH it runs.
func TestTool(t *testing.T) {
	run := func(path, ci string) (string, string, error) {
		return runHelper(t, "TestToolHelper", "TOOL_HELPER=1", "PATH="+path, "CI="+ci)
	}
	empty := t.TempDir()
	out, log, err := run(empty, "")
	if err != nil || !strings.Contains(out, "--- SKIP: TestToolHelper") {
		t.Fatalf("without tmux, not CI: want a skip, got %v\n%s", err, out)
	}
	if log != "TestToolHelper\ttmux not installed (Debian package tmux)\n" {
		t.Errorf("skip log = %q", log)
	}
	out, log, err = run(empty, "true")
	if err == nil || !strings.Contains(out, "--- FAIL: TestToolHelper") || !strings.Contains(out, "CI must have it") {
		t.Errorf("without tmux, CI=true: want a failure, got %v\n%s", err, out)
	}
	if log != "" {
		t.Errorf("a failure is not a skip; skip log = %q", log)
	}
	fake := t.TempDir()
	if err := os.WriteFile(filepath.Join(fake, "tmux"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(fake, "true")
	if err != nil || !strings.Contains(out, "tool found") {
		t.Errorf("with tmux on PATH: want a pass, got %v\n%s", err, out)
	}
}

func TestToolPackage(t *testing.T) {
	root := RepoRoot(t)
	for cmd, want := range map[string]string{"tmux": "tmux", "chromium": "chromium", "chromedriver": "chromium-driver"} {
		if got, err := toolPackage(root, cmd); err != nil || got != want {
			t.Errorf("toolPackage(%q) = %q, %v; want %q", cmd, got, err, want)
		}
	}
	if _, err := toolPackage(root, "no-such-tool"); err == nil || !strings.Contains(err.Error(), "not listed") {
		t.Errorf("an unlisted tool: err = %v", err)
	}
	if _, err := toolPackage(root, "#"); err == nil {
		t.Error("a comment is not a tool")
	}
}

// TestNodeModulesHelper is run by TestNodeModules in a child process; alone it does nothing.
func TestNodeModulesHelper(t *testing.T) {
	if os.Getenv("NODE_MODULES_HELPER") != "1" {
		return
	}
	t.Log("modules at " + NodeModules(t, filepath.Join(RepoRoot(t), "internal", "emulator", "box", "testdata", "sdk")))
}

// TestNodeModules runs TestNodeModulesHelper with an empty npm cache (a skip, or a failure under
// CI=true) and with the lockfile's folder installed and marked complete (its node_modules).
func TestNodeModules(t *testing.T) {
	run := func(cache, ci string) (string, string, error) {
		return runHelper(t, "TestNodeModulesHelper", "NODE_MODULES_HELPER=1", "ODSHARE_NPM_CACHE="+cache, "CI="+ci)
	}
	cache := t.TempDir()
	out, log, err := run(cache, "")
	if err != nil || !strings.Contains(out, "--- SKIP: TestNodeModulesHelper") ||
		!strings.HasPrefix(log, "TestNodeModulesHelper\tnpm packages of internal/emulator/box/testdata/sdk not installed") {
		t.Fatalf("empty cache, not CI: want a skip, got %v %q\n%s", err, log, out)
	}
	if out, _, err := run(cache, "true"); err == nil || !strings.Contains(out, "--- FAIL: TestNodeModulesHelper") {
		t.Errorf("empty cache, CI=true: want a failure, got %v\n%s", err, out)
	}
	lock, err := os.ReadFile(filepath.Join(RepoRoot(t), "internal", "emulator", "box", "testdata", "sdk", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	inst := filepath.Join(cache, hex.EncodeToString(sum[:8]))
	// A half-done install (no .installed) doesn't count.
	if err := os.MkdirAll(filepath.Join(inst, "node_modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, _, _ := run(cache, ""); !strings.Contains(out, "--- SKIP") {
		t.Errorf("unfinished install used:\n%s", out)
	}
	if err := os.WriteFile(filepath.Join(inst, ".installed"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(cache, "true"); err != nil || !strings.Contains(out, "modules at "+filepath.Join(inst, "node_modules")) {
		t.Errorf("installed: want its node_modules, got %v\n%s", err, out)
	}
}

// runHelper runs the test named helper of this binary in a child process with env added, and
// returns its output and what it wrote to the skip log.
func runHelper(t *testing.T, helper string, env ...string) (out, skipLog string, err error) {
	log := filepath.Join(t.TempDir(), "skips")
	cmd := exec.Command(os.Args[0], "-test.run=^"+helper+"$", "-test.v")
	cmd.Env = append(append(os.Environ(), env...), SkipLogEnv+"="+log)
	b, err := cmd.CombinedOutput()
	l, _ := os.ReadFile(log)
	return string(b), string(l), err
}
