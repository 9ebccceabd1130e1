package authcmd

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/stack"
	"github.com/odshare/odshare/internal/iostreams"
)

// TestBrowserSignInGivesUp: a browser that never answers (a closed tab) must not leave odshare
// waiting for ever; after the limit it is an authentication failure (exit 4) naming the way out.
func TestBrowserSignInGivesUp(t *testing.T) {
	st, err := stack.New(stack.Options{Graph: emulator.Options{RandomSeed: 1}, TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	stop, err := st.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stop(context.Background()) })
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, st.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ODSHARE_CONFIG_DIR", t.TempDir())
	t.Setenv("ODSHARE_AUTHORITY_HOST", st.AuthorityHost)
	t.Setenv("ODSHARE_CA_FILE", ca)
	ios, _, out, errOut := iostreams.Test()
	f := cmdutil.New(ios, "test")
	s, err := f.AuthSettings()
	if err != nil {
		t.Fatal(err)
	}
	defer func(d time.Duration) { browserTimeout = d }(browserTimeout)
	browserTimeout = 300 * time.Millisecond
	opened := ""
	opts := &LoginOptions{IO: ios, Settings: s, Browser: true, Persist: map[string]string{},
		HaveBrowser: func() bool { return true },
		OpenBrowser: func(u string, _ io.Writer) error { opened = u; return nil }, // and then nothing
	}
	start := time.Now()
	err = loginRun(context.Background(), opts)
	var authErr *cmdutil.AuthError
	if !errors.As(err, &authErr) || !strings.Contains(err.Error(), "no answer from the browser") {
		t.Fatalf("err = %v, want an AuthError about the browser", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}
	if !strings.Contains(opened, "/oauth2/v2.0/authorize?") || !strings.Contains(errOut.String(), "If no browser opens, go to:") {
		t.Errorf("opened %q; stderr %q", opened, errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q", out.String())
	}
	if accts, _ := auth.Accounts(s); len(accts) != 0 {
		t.Errorf("accounts cached after a failed sign-in: %+v", accts)
	}
}
