package testutil

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// NodeModules returns the node_modules folder holding the npm packages that dir's
// package-lock.json pins (dir relative to the test's package, listed in .ci/test-npm). `make
// test-deps` installs them there with `npm ci` (.ci/test-deps.sh): in NPMCacheDir, in a
// folder named after the lockfile's digest, so a changed lockfile is installed afresh and
// nothing lands in the source tree. When they are missing the test fails under CI=true and
// skips elsewhere, as with Tool.
func NodeModules(t testing.TB, dir string) string {
	t.Helper()
	lock, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(RepoRoot(t), abs)
	if err != nil {
		t.Fatal(err)
	}
	if err := listedIn(filepath.Join(RepoRoot(t), ".ci", "test-npm"), filepath.ToSlash(rel)); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(lock)
	inst := filepath.Join(NPMCacheDir(), hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(filepath.Join(inst, ".installed")); err == nil {
		return filepath.Join(inst, "node_modules")
	}
	skipOrFail(t, fmt.Sprintf("npm packages of %s not installed (npm ci into %s)", filepath.ToSlash(rel), inst),
		"CI must have them (make test runs npm ci for .ci/test-npm)", "`make test-deps` installs them")
	return ""
}

// NPMCacheDir is where .ci/test-deps.sh installs the packages of .ci/test-npm:
// $ODSHARE_NPM_CACHE, else $XDG_CACHE_HOME/odshare/npm, else $HOME/.cache/odshare/npm.
func NPMCacheDir() string {
	if d := os.Getenv("ODSHARE_NPM_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "odshare", "npm")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "odshare", "npm")
}

// listedIn reports an error unless list has a line that is exactly entry.
func listedIn(list, entry string) error {
	b, err := os.ReadFile(list)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == entry {
			return nil
		}
	}
	return fmt.Errorf("%s is not listed in %s: add it, so make test installs its packages", entry, list)
}

// RunNode runs script (a path relative to the test's package) with node, the packages of
// modules (NodeModules) on NODE_PATH, caPEM trusted through NODE_EXTRA_CA_CERTS, and env
// (NAME=value) added to a minimal environment without proxy settings, so that requests to the
// emulator on loopback go straight to it. It fails the test unless the script exits 0 within a
// minute, and returns its standard output.
func RunNode(t testing.TB, node, modules, script string, caPEM []byte, env ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "NODE_PATH=" + modules,
		"NODE_EXTRA_CA_CERTS=" + caFile, "NO_PROXY=*"}, env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s%s", filepath.Base(script), err, out, stderr.Bytes())
	}
	return out
}
