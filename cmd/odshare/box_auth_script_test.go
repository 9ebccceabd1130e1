package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/stack"
)

type boxStackKey struct{}

// boxScriptState is one Box auth script's emulator and the clock it runs on.
type boxScriptState struct {
	st     *stack.Stack
	offset atomic.Int64 // nanoseconds added to the wall clock
}

// boxAccessTokenLifetime is the lifetime of the access tokens the Box stand-in issues to the Box auth
// scripts: under odshare's five-minute early renewal, so every process that asks for a token renews
// it — each run rotates the single-use refresh token, which is what these scripts put under stress.
const boxAccessTokenLifetime = 2 * time.Minute

// TestBoxAuthScripts runs testdata/boxauth/*.txtar: real Box sign-ins (x/oauth2, PKCE, a loopback
// redirect) against the emulator's Box OAuth side over TLS. The browser is the test binary itself,
// installed as xdg-open (see fakeBrowser), run by odshare's real opener when DISPLAY is set.
// Custom commands, besides exitcode, interrupt, filemode and nosecret:
//
//	boxidp auto-approve on|off   answer the authorize page at once with a code for the fixture's me
//	boxidp expire-tokens         every access token issued so far answers 401 from now on
//	boxidp revoke                revoke every refresh token (a password reset)
//	boxidp refreshed N           require exactly N successful refresh_token grants so far
//	boxidp live N                require exactly N refresh tokens that can still be redeemed
//	boxidp developer-token FILE  write a new 60-minute developer token for the fixture's me to FILE
func TestBoxAuthScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/boxauth",
		RequireExplicitExec: true,
		// [sessionbus]: this machine has a D-Bus session bus socket that odshare would find (a
		// desktop): the scripts that prove the fallback to a plain file skip there.
		Condition: func(cond string) (bool, error) {
			if cond != "sessionbus" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			_, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid()))
			return err == nil, nil
		},
		Setup: func(env *testscript.Env) error {
			bs := &boxScriptState{}
			st, err := stack.New(stack.Options{
				Graph: emulator.Options{RandomSeed: 1},
				TLS:   true,
				Box: box.Options{RandomSeed: 3, AccessTokenLifetime: boxAccessTokenLifetime,
					Clock: func() time.Time { return time.Now().Add(time.Duration(bs.offset.Load())) }},
			})
			if err != nil {
				return err
			}
			stop, err := st.Listen("127.0.0.1:0")
			if err != nil {
				return err
			}
			env.Defer(func() { _ = stop(context.Background()) })
			bs.st = st
			env.Values[boxStackKey{}] = bs
			// The hook the fake browser calls to move the Box stand-in's clock mid-sign-in.
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				d, err := time.ParseDuration(r.URL.Query().Get("advance"))
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				bs.offset.Add(int64(d))
			}))
			env.Defer(hook.Close)
			ca := filepath.Join(env.WorkDir, "ca.pem")
			if err := os.WriteFile(ca, st.CAPEM, 0o644); err != nil {
				return err
			}
			api, token, authorize := st.BoxURLs()
			for k, v := range map[string]string{
				"ODSHARE_GRAPH_ENDPOINT":    st.BaseURL,
				"ODSHARE_AUTHORITY_HOST":    st.AuthorityHost,
				"ODSHARE_CA_FILE":           ca,
				"ODSHARE_CONFIG_DIR":        filepath.Join(env.WorkDir, ".config", "odshare"),
				"ODSHARE_ACCESS_TOKEN":      "",
				"ODSHARE_BOX_API_URL":       api,
				"ODSHARE_BOX_TOKEN_URL":     token,
				"ODSHARE_BOX_AUTHORIZE_URL": authorize,
				"ODSHARE_BOX_ACCESS_TOKEN":  "",
				"ODSHARE_BOX_CLIENT_SECRET": "",
				"ODSHARE_TOKEN_STORAGE":     "",
				"DBUS_SESSION_BUS_ADDRESS":  "",
				"XDG_RUNTIME_DIR":           filepath.Join(env.WorkDir, "run"),
				"BOX_CLIENT_ID":             box.DemoClientID,
				"BOX_CLIENT_SECRET":         box.DemoClientSecret,
				"BOX_CCG_CLIENT_ID":         box.DemoCCGClientID,
				"BOX_CCG_SECRET":            box.DemoCCGSecret,
				"BOX_ENTERPRISE":            box.DemoEnterpriseID,
				"BOX_MEGAN_ID":              box.DemoMeganID,
				"BOX_HOOK":                  hook.URL,
				"NO_COLOR":                  "1",
				"CI":                        "true",
			} {
				env.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitcode,
			"interrupt": cmdInterrupt,
			"boxidp":    cmdBoxIdp,
			"filemode":  cmdFilemode,
			"nosecret":  cmdNoSecret,
		},
	})
}

func cmdBoxIdp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: boxidp auto-approve on|off|expire-tokens|revoke|refreshed N|live N|developer-token FILE")
	}
	srv := ts.Value(boxStackKey{}).(*boxScriptState).st.Box
	count := func(got int64) {
		if len(args) != 2 {
			ts.Fatalf("usage: boxidp %s N", args[0])
		}
		want, err := strconv.ParseInt(args[1], 10, 64)
		ts.Check(err)
		if got != want {
			ts.Fatalf("boxidp %s: got %d, want %d", args[0], got, want)
		}
	}
	switch args[0] {
	case "auto-approve":
		if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
			ts.Fatalf("usage: boxidp auto-approve on|off")
		}
		srv.SetAutoApprove(args[1] == "on")
	case "expire-tokens":
		srv.ExpireAccessTokens()
	case "revoke":
		srv.RevokeRefreshTokens()
	case "refreshed":
		count(srv.Stats().Tokens.Refreshed)
	case "live":
		count(int64(srv.LiveRefreshTokens()))
	case "developer-token":
		tok, err := srv.IssueDeveloperToken(box.DemoUserLogin, 0)
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(tok), 0o600))
	default:
		ts.Fatalf("boxidp: unknown subcommand %q", args[0])
	}
}

// fakeBrowser is the xdg-open of the Box auth scripts: a browser that loads the authorize URL over
// TLS (trusting ODSHARE_CA_FILE), answers the consent page with $BOX_BROWSER_ACTION (approve, the
// default, or decline) unless the emulator auto-approves, calls $BOX_BROWSER_BEFORE (a URL) when set,
// and then follows Box's redirect to odshare's loopback server. Like a real opener it returns at once
// (the work goes on in a child) and prints a line on stdout, which must not reach odshare's stdout.
func fakeBrowser() int {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: xdg-open URL")
		return 2
	}
	if os.Getenv("FAKE_BROWSER_CHILD") == "" {
		fmt.Println("Opening in existing browser session.")
		if work := os.Getenv("WORK"); work != "" {
			_ = os.WriteFile(filepath.Join(work, "opened.txt"), []byte(os.Args[1]+"\n"), 0o600)
		}
		self, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		p, err := os.StartProcess(self, os.Args, &os.ProcAttr{Env: append(os.Environ(), "FAKE_BROWSER_CHILD=1"),
			Files: []*os.File{nil, nil, os.Stderr}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		_ = p.Release()
		return 0
	}
	if err := browse(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "fake browser:", err)
		return 1
	}
	return 0
}

func browse(authURL string) error {
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(os.Getenv("ODSHARE_CA_FILE"))
	if err != nil {
		return err
	}
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{
		Timeout:       20 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Get(authURL)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode == http.StatusOK {
		m := regexp.MustCompile(`name="ticket" value="([^"]+)"`).FindSubmatch(body)
		if m == nil {
			return fmt.Errorf("no consent page at %s", authURL)
		}
		u, _ := url.Parse(authURL)
		action := os.Getenv("BOX_BROWSER_ACTION")
		if action == "" {
			action = "approve"
		}
		r2, err := c.PostForm(u.Scheme+"://"+u.Host+"/api/oauth2/authorize",
			url.Values{"ticket": {string(m[1])}, "action": {action}, "login": {box.DemoUserLogin}})
		if err != nil {
			return err
		}
		r2.Body.Close()
		loc = r2.Header.Get("Location")
	}
	if loc == "" {
		return fmt.Errorf("Box did not redirect (HTTP %d)", resp.StatusCode)
	}
	if before := os.Getenv("BOX_BROWSER_BEFORE"); before != "" {
		r, err := http.Get(before)
		if err != nil {
			return err
		}
		r.Body.Close()
	}
	r3, err := http.Get(loc)
	if err != nil {
		return err
	}
	r3.Body.Close()
	return nil
}
