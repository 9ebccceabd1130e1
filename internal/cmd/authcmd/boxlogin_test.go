package authcmd

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/auth"
	"github.com/odshare/odshare/internal/cmdutil"
	boxemu "github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/iostreams"
)

// TestBoxSignInGivesUp: a browser that never comes back (a closed tab) must not leave odshare waiting
// for ever; after the limit it is an authentication failure (exit 4), with nothing on stdout and
// nothing cached.
func TestBoxSignInGivesUp(t *testing.T) {
	srv, err := boxemu.New(boxemu.Options{RandomSeed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv)
	defer ts.Close()
	ios, _, out, errOut := iostreams.Test()
	s := auth.BoxSettings{APIURL: ts.URL + "/2.0", TokenURL: ts.URL + "/oauth2/token", AuthorizeURL: ts.URL + "/api/oauth2/authorize",
		ClientID: boxemu.DemoClientID, ClientSecret: boxemu.DemoClientSecret, ConfigDir: t.TempDir(), HTTPClient: ts.Client(),
		Storage: auth.Storage{File: true}}
	defer func(d time.Duration) { browserTimeout = d }(browserTimeout)
	browserTimeout = 300 * time.Millisecond
	opened := ""
	opts := &LoginOptions{IO: ios, Provider: providerBox, Box: s, Persist: map[string]string{},
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
	if !strings.Contains(opened, "/api/oauth2/authorize?") || !strings.Contains(errOut.String(), "If no browser opens, go to:") {
		t.Errorf("opened %q; stderr %q", opened, errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q", out.String())
	}
	if accts, _ := auth.BoxAccounts(s); len(accts) != 0 {
		t.Errorf("accounts cached after a failed sign-in: %+v", accts)
	}
}
