package testutil

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// SkipLogEnv names a file to which Tool appends one line per test it skips ("TestName<TAB>reason"):
// `make test` sets it and prints the skips in one summary line after the run.
const SkipLogEnv = "ODSHARE_TEST_SKIP_LOG"

// Tool returns the path of the first of names found on PATH. names[0] must be listed in
// .ci/test-deps, the one list of the commands the tests run and the Debian packages that provide
// them, which `make test` installs as root. When none is found the test fails under CI=true (a
// skipped check there would hide a broken one) and skips elsewhere, recording why in SkipLogEnv's
// file.
func Tool(t testing.TB, names ...string) string {
	t.Helper()
	pkg, err := toolPackage(RepoRoot(t), names[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	skipOrFail(t, fmt.Sprintf("%s not installed (Debian package %s)", names[0], pkg),
		"CI must have it (make test installs .ci/test-deps as root)", "`make test-deps` as root installs it")
	return ""
}

// skipOrFail fails the test under CI=true and skips it elsewhere, recording the reason in
// SkipLogEnv's file.
func skipOrFail(t testing.TB, reason, ciHint, localHint string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: %s", reason, ciHint)
	}
	if log := os.Getenv(SkipLogEnv); log != "" {
		if f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			_, _ = fmt.Fprintf(f, "%s\t%s\n", t.Name(), reason)
			_ = f.Close()
		}
	}
	t.Skip(reason + "; " + localHint)
}

// toolPackage reads the Debian package that provides cmd from .ci/test-deps.
func toolPackage(root, cmd string) (string, error) {
	list := filepath.Join(root, ".ci", "test-deps")
	f, err := os.Open(list)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && !strings.HasPrefix(fields[0], "#") && fields[0] == cmd {
			return fields[1], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", fmt.Errorf("%s is not listed in %s: add it with the Debian package that provides it", cmd, list)
}
