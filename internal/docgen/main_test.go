package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/config"
	"github.com/odshare/odshare/internal/testutil"
)

// Every man page has its arguments in the synopsis, and ENVIRONMENT and EXIT STATUS sections
// before SEE ALSO.
func TestManPages(t *testing.T) {
	dir := t.TempDir()
	if err := run(dir); err != nil {
		t.Fatal(err)
	}
	pages, err := filepath.Glob(filepath.Join(dir, "docs", "man", "*.1"))
	if err != nil || len(pages) < 20 {
		t.Fatalf("%d pages, %v", len(pages), err)
	}
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		env, exit, see := strings.Index(s, ".SH ENVIRONMENT\n"), strings.Index(s, ".SH EXIT STATUS\n"), strings.Index(s, ".SH SEE ALSO")
		if env < 0 || exit < env || (see >= 0 && see < exit) {
			t.Errorf("%s: sections at %d, %d, %d", filepath.Base(p), env, exit, see)
		}
		if !strings.Contains(s, ".TP\n\\fB130\\fP\nInterrupted") || !strings.Contains(s, "\\fBODSHARE_CONFIG_DIR\\fP") {
			t.Errorf("%s: sections incomplete", filepath.Base(p))
		}
	}
	for name, want := range map[string]string{
		"odshare-link-create.1": `\fBodshare link create\fP <item\-id | /path | sharing\-url | share\-id>... [flags]`,
		"odshare-link-get.1":    `\fBodshare link get\fP {<sharing\-url | share\-id> | <item> <permission\-id>} [flags]`,
		"odshare.1":             `\fBodshare\fP <command> <subcommand> [flags]`,
		"odshare-config-set.1":  `\fBodshare config set\fP <key> <value> [flags]`,
	} {
		b, err := os.ReadFile(filepath.Join(dir, "docs", "man", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), ".SH SYNOPSIS\n"+want+"\n") {
			t.Errorf("%s: synopsis is not %q", name, want)
		}
	}
}

// The man pages' ENVIRONMENT lists what the README's configuration table lists, every config key
// included, so neither can drift from the other.
func TestEnvironmentMatchesREADME(t *testing.T) {
	section := testutil.ConfigurationTable(t)
	inMan := map[string]bool{}
	for _, e := range environment {
		for _, n := range strings.Split(e[0], ", ") {
			inMan[n] = true
		}
	}
	rows := regexp.MustCompile("(?m)^\\| `([A-Z_]+)`(?:, `([A-Z_]+)`)? \\|").FindAllStringSubmatch(section, -1)
	if len(rows) < 15 {
		t.Fatalf("found %d rows in the README's configuration table", len(rows))
	}
	inREADME := map[string]bool{}
	for _, r := range rows {
		for _, n := range r[1:] {
			if n != "" {
				inREADME[n] = true
				if !inMan[n] {
					t.Errorf("%s is in the README but not in the man pages' ENVIRONMENT", n)
				}
			}
		}
	}
	for n := range inMan {
		if strings.HasPrefix(n, "ODSHARE_") && !inREADME[n] {
			t.Errorf("%s is in the man pages but not in the README's table", n)
		}
	}
	for _, k := range config.Keys {
		if n := "ODSHARE_" + strings.ToUpper(k.Name); !inMan[n] {
			t.Errorf("config key %s: %s missing from ENVIRONMENT", k.Name, n)
		}
	}
}
