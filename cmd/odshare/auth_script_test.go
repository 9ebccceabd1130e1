package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/identity"
	"github.com/odshare/odshare/internal/emulator/stack"
)

type stackKey struct{}

// TestAuthScripts runs testdata/auth/*.txtar with real MSAL against the emulator's identity side
// over TLS. Graph accepts only tokens that identity side issued. No ODSHARE_ACCESS_TOKEN is set.
// Custom commands, besides those of TestScripts:
//
//	idp approve-next [UPN]   approve the next device code that appears (in the background)
//	idp decline-next         decline the next device code that appears
//	idp expire-next          expire the next device code that appears
//	idp auto-approve on|off  approve device codes and browser sign-ins without a person
//	idp expire-tokens        every access token issued so far is expired from now on
//	idp revoke               revoke every refresh token
//	filemode FILE MODE       require FILE's permission bits to be MODE (octal)
//	nosecret FILE            require that neither the last stdout nor stderr contains FILE's content
func TestAuthScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/auth",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			st, err := stack.New(stack.Options{
				Graph: emulator.Options{PageSize: 200, RandomSeed: 1},
				TLS:   true,
			})
			if err != nil {
				return err
			}
			stop, err := st.Listen("127.0.0.1:0")
			if err != nil {
				return err
			}
			env.Defer(func() { _ = stop(context.Background()) })
			deferFaultCheck(env, "emu", st.Graph.UnappliedFaults)
			env.Values[emulatorKey{}] = st.Graph
			env.Values[stackKey{}] = st
			ca := filepath.Join(env.WorkDir, "ca.pem")
			if err := os.WriteFile(ca, st.CAPEM, 0o644); err != nil {
				return err
			}
			cert := filepath.Join(env.WorkDir, "app.pem")
			if err := os.WriteFile(cert, append(append([]byte{}, identity.DemoAppCertPEM...), identity.DemoAppKeyPEM...), 0o600); err != nil {
				return err
			}
			pair, err := tls.X509KeyPair(identity.DemoAppCertPEM, identity.DemoAppKeyPEM)
			if err != nil {
				return err
			}
			pfx, err := pkcs12.Modern.Encode(pair.PrivateKey, pair.Leaf, nil, "pfx-pass")
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(env.WorkDir, "app.pfx"), pfx, 0o600); err != nil {
				return err
			}
			for k, v := range map[string]string{
				"ODSHARE_GRAPH_ENDPOINT": st.BaseURL,
				"ODSHARE_AUTHORITY_HOST": st.AuthorityHost,
				"ODSHARE_CA_FILE":        ca,
				"ODSHARE_CONFIG_DIR":     filepath.Join(env.WorkDir, ".config", "odshare"),
				"ODSHARE_ACCESS_TOKEN":   "",
				"DEMO_FOLDER_URL":        emulator.DemoSharedFolderURL,
				"DEMO_DRIVE":             emulator.DemoPersonalDriveID,
				"DEMO_TENANT":            identity.DefaultTenantID,
				"DEMO_APP_ID":            identity.DemoAppClientID,
				"DEMO_APP_SECRET":        identity.DemoAppSecret,
				"DEMO_CERT_APP_ID":       identity.DemoCertAppClientID,
				"NO_COLOR":               "1",
				"CI":                     "true",
			} {
				env.Setenv(k, v)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"emu":      cmdEmu,
			"idp":      cmdIdp,
			"filemode": cmdFilemode,
			"nosecret": cmdNoSecret,
		},
	})
}

func cmdIdp(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: idp approve-next [UPN]|decline-next|expire-next|expire-tokens|revoke")
	}
	id := ts.Value(stackKey{}).(*stack.Stack).Identity
	// onNextCode acts on the first device code that shows up, so that the foreground command
	// (auth login) can run while the "user" approves it.
	onNextCode := func(act func(code string) error) {
		before := map[string]bool{}
		for _, p := range id.PendingDeviceCodes() {
			before[p.UserCode] = true
		}
		go func() {
			deadline := time.Now().Add(20 * time.Second)
			for time.Now().Before(deadline) {
				for _, p := range id.PendingDeviceCodes() {
					if !before[p.UserCode] {
						if err := act(p.UserCode); err != nil {
							fmt.Fprintln(os.Stderr, "idp:", err)
						}
						return
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	switch args[0] {
	case "approve-next":
		upn := emulator.DemoUserPrincipal
		if len(args) > 1 {
			upn = args[1]
		}
		onNextCode(func(code string) error { return id.Approve(code, upn) })
	case "decline-next":
		onNextCode(id.Decline)
	case "expire-next":
		onNextCode(func(string) error { id.ExpireDeviceCodes(); return nil })
	case "auto-approve":
		if len(args) != 2 || (args[1] != "on" && args[1] != "off") {
			ts.Fatalf("usage: idp auto-approve on|off")
		}
		id.SetAutoApprove(args[1] == "on")
	case "expire-tokens":
		id.ExpireAccessTokens()
	case "revoke":
		id.RevokeRefreshTokens()
	default:
		ts.Fatalf("idp: unknown subcommand %q", args[0])
	}
}

func cmdFilemode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filemode FILE MODE")
	}
	want, err := strconv.ParseUint(args[1], 8, 32)
	ts.Check(err)
	st, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	if got := st.Mode().Perm(); (uint64(got) == want) == neg {
		ts.Fatalf("%s has mode %#o, want %s%#o", args[0], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

func cmdNoSecret(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: nosecret FILE")
	}
	secret := strings.TrimSpace(ts.ReadFile(args[0]))
	if len(secret) < 16 {
		ts.Fatalf("nosecret: %s holds no plausible secret", args[0])
	}
	for _, stream := range []string{"stdout", "stderr"} {
		if strings.Contains(ts.ReadFile(stream), secret) {
			ts.Fatalf("the secret from %s appears on %s", args[0], stream)
		}
		// A prefix is enough to leak a JWT's header and claims.
		if strings.Contains(ts.ReadFile(stream), secret[:16]) {
			ts.Fatalf("the start of the secret from %s appears on %s", args[0], stream)
		}
	}
}
