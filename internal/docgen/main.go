// Command docgen writes odshare's generated files: shell completions, the markdown reference and
// man pages. `make docs completions` runs it; `make test` runs it into a temp dir and fails when
// the committed copies are stale.
//
//	go run ./internal/docgen -root .
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"

	"github.com/odshare/odshare/internal/cmd/root"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/iostreams"
)

// manDate is fixed so generated man pages do not change with the day they are built.
var manDate = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

func main() {
	dir := flag.String("root", ".", "repository root to write completions/ and docs/ under")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	ios, _, _, _ := iostreams.Test()
	cmd := root.NewCmdRoot(cmdutil.New(ios, "dev"), "dev", "", "")
	cmd.InitDefaultCompletionCmd()
	cmd.InitDefaultHelpCmd()
	disableAutoGenTag(cmd)

	comp := filepath.Join(dir, "completions")
	ref := filepath.Join(dir, "docs", "reference")
	man := filepath.Join(dir, "docs", "man")
	for _, d := range []string{comp, ref, man} {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	gens := map[string]func(*bytes.Buffer) error{
		"odshare.bash": func(b *bytes.Buffer) error { return cmd.GenBashCompletionV2(b, true) },
		"_odshare":     func(b *bytes.Buffer) error { return cmd.GenZshCompletion(b) },
		"odshare.fish": func(b *bytes.Buffer) error { return cmd.GenFishCompletion(b, true) },
		"odshare.ps1":  func(b *bytes.Buffer) error { return cmd.GenPowerShellCompletionWithDesc(b) },
	}
	for name, gen := range gens {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(comp, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	if err := doc.GenMarkdownTree(cmd, ref); err != nil {
		return err
	}
	if err := doc.GenManTree(cmd, &doc.GenManHeader{Title: "ODSHARE", Section: "1", Source: "odshare", Manual: "odshare manual", Date: &manDate}, man); err != nil {
		return err
	}
	return manSections(cmd, man)
}

func disableAutoGenTag(c *cobra.Command) {
	c.DisableAutoGenTag = true
	for _, sub := range c.Commands() {
		disableAutoGenTag(sub)
	}
}
