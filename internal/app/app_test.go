package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/iostreams"
)

func TestClassify(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		code int
		env  bool   // ODSHARE_ACCESS_TOKEN is the credential
		msg  string // a part of the message, when it matters
		not  string // a part the message must not have
	}{
		{"usage", context.Background(), cmdutil.FlagErrorf("bad"), ExitUsage, false, "", ""},
		{"wrapped usage", context.Background(), fmt.Errorf("x: %w", cmdutil.FlagErrorf("bad")), ExitUsage, false, "", ""},
		{"cobra usage", context.Background(), errors.New(`unknown flag: --nope`), ExitUsage, false, "", ""},
		{"auth", context.Background(), &cmdutil.AuthError{Err: auth.ErrNotSignedIn}, ExitAuth, false, "", ""},
		{"401", context.Background(), fmt.Errorf("get share: %w", &graph.Error{StatusCode: 401, Code: "InvalidAuthenticationToken"}), ExitAuth, false, "", ""},
		{"401 of the env token", context.Background(), &graph.Error{StatusCode: 401, Code: "InvalidAuthenticationToken"}, ExitAuth, true,
			"Graph rejected ODSHARE_ACCESS_TOKEN", "or set ODSHARE_ACCESS_TOKEN"},
		{"401 names both ways", context.Background(), &graph.Error{StatusCode: 401, Code: "InvalidAuthenticationToken"}, ExitAuth, false,
			"run `odshare auth login` (or set ODSHARE_ACCESS_TOKEN)", ""},
		{"SharePoint access denied is no sign-in problem", context.Background(),
			&graph.Error{StatusCode: 401, Code: "-2147024891, System.UnauthorizedAccessException", Message: "Access denied."}, ExitError, false,
			"You are signed in, but not allowed", "auth login`"},
		{"accountUpgradeRequired", context.Background(), &graph.Error{StatusCode: 403, Code: "accessDenied", InnerCodes: []string{"accountUpgradeRequired"}}, ExitError, false,
			"accessDenied (accountUpgradeRequired)", ""},
		{"404", context.Background(), &graph.Error{StatusCode: 404, Code: "itemNotFound"}, ExitError, false, "", ""},
		{"interrupted", cancelled, errors.New("anything"), ExitInterrupted, false, "", ""},
		{"canceled", context.Background(), fmt.Errorf("wait: %w", context.Canceled), ExitInterrupted, false, "", ""},
		{"other", context.Background(), errors.New("boom"), ExitError, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := classify(tt.ctx, tt.err, tt.env)
			if code != tt.code {
				t.Errorf("code = %d, want %d", code, tt.code)
			}
			if !strings.Contains(msg, tt.msg) || tt.not != "" && strings.Contains(msg, tt.not) {
				t.Errorf("message = %q, want %q and not %q", msg, tt.msg, tt.not)
			}
		})
	}
}

func TestRunPrintsOneSanitizedLine(t *testing.T) {
	t.Setenv("ODSHARE_CONFIG_DIR", t.TempDir())
	ios, _, out, errOut := iostreams.Test()
	code := Run(context.Background(), ios, []string{"encode-url", "https://ok.example", "bad\x1b[2J"})
	if code != ExitUsage {
		t.Fatalf("code = %d", code)
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q", out.String())
	}
	first := strings.SplitN(errOut.String(), "\n", 2)[0]
	if strings.ContainsRune(first, 0x1b) || !strings.HasPrefix(first, "odshare: not an http(s) URL") {
		t.Errorf("stderr first line = %q", first)
	}
}

// TestRunTurnsAPanicIntoOneLine: a command that panics (here with a message holding a secret,
// and with a nil dereference) ends with one line on stderr and exit 1, and the panic's own value
// is shown only when it is Go's runtime error.
func TestRunTurnsAPanicIntoOneLine(t *testing.T) {
	t.Setenv("ODSHARE_CONFIG_DIR", t.TempDir())
	for name, panicker := range map[string]func(){
		"value":   func() { panic("token eyJ0eXAi.secret") },
		"runtime": func() { var p *struct{ x int }; _ = p.x },
	} {
		t.Run(name, func(t *testing.T) {
			old := newRoot
			t.Cleanup(func() { newRoot = old })
			newRoot = func(f *cmdutil.Factory, ver, commit, date string) *cobra.Command {
				c := old(f, ver, commit, date)
				c.AddCommand(&cobra.Command{Use: "boom", RunE: func(*cobra.Command, []string) error { panicker(); return nil }})
				return c
			}
			ios, _, out, errOut := iostreams.Test()
			if code := Run(context.Background(), ios, []string{"boom"}); code != ExitError {
				t.Fatalf("code = %d, want %d", code, ExitError)
			}
			got := errOut.String()
			if strings.Count(got, "\n") != 1 || !strings.HasPrefix(got, "odshare: internal error") {
				t.Errorf("stderr = %q, want one internal-error line", got)
			}
			if strings.Contains(got, "secret") || strings.Contains(got, "goroutine") {
				t.Errorf("stderr shows the panic's value or a stack: %q", got)
			}
			if name == "runtime" && !strings.Contains(got, "nil pointer dereference") {
				t.Errorf("stderr lacks the runtime error: %q", got)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q", out.String())
			}
		})
	}
}
