// Package version prints odshare's version, commit and build date.
package version

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
)

// NewCmdVersion returns `odshare version`.
func NewCmdVersion(f *cmdutil.Factory, ver, commit, date string) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Show odshare's version",
		Args:  cmdutil.ExactArgs(0, ""),
		RunE: func(c *cobra.Command, args []string) error {
			_, err := fmt.Fprint(f.IOStreams.Out, Format(ver, commit, date))
			return err
		},
	}
}

// Format renders "odshare version v1.2.3 (commit abc1234, built 2026-11-24)".
func Format(ver, commit, date string) string {
	var extra []string
	if commit != "" {
		extra = append(extra, "commit "+commit)
	}
	if date != "" {
		extra = append(extra, "built "+date)
	}
	s := "odshare version " + ver
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s + "\n"
}
