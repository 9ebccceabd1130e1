package testutil

import (
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
		log := filepath.Join(t.TempDir(), "skips")
		cmd := exec.Command(os.Args[0], "-test.run=^TestToolHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "TOOL_HELPER=1", "PATH="+path, "CI="+ci, SkipLogEnv+"="+log)
		out, err := cmd.CombinedOutput()
		b, _ := os.ReadFile(log)
		return string(out), string(b), err
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
