package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/kit"
	"github.com/odshare/odshare/internal/emulator/stack"
)

type boxServerKey struct{}

// TestBoxScripts runs testdata/box/*.txtar: the real binary's Box verbs against the emulator's Box
// stand-in over TLS, beside its Graph side on the same listener (for runs that mix both). Each
// script gets its own emulator (the built-in demo data: box.Demo* names its items; or the script's
// own, a file box-fixture.yaml in box.LoadFixture's format), the CA in
// ODSHARE_CA_FILE, the Box endpoints, ODSHARE_BOX_ACCESS_TOKEN set to Ada's developer token (unset
// it to sign in for real, see signin_errors.txtar) and ODSHARE_ACCESS_TOKEN for Graph. Commands,
// besides exitcode, and emu for the Graph side (see TestScripts); interrupt and emu wait watch the
// Box stand-in's requests when their path is below /2.0/:
//
//	boxemu requests          print every Box request recorded (method, raw URI, the headers in
//	                         boxHeaders, body); secrets read [redacted]
//	boxemu last              print the last one
//	boxemu count N           require exactly N recorded Box requests
//	boxemu fault SPEC        add a Box fault rule (kit.ParseFault; paths below /2.0); like emu fault, a
//	                         rule never applied fails the script
//	boxemu throttle RPS B    throttle each client to RPS requests a second, bursts of B
//	boxemu stats             print the Box counters: requests, throttled, links created/updated/removed
//	boxemu reset             forget recorded requests, faults and counters
//	boxemu expire-tokens     every access token issued so far answers 401 from now on (the fixture's
//	                         developer tokens never expire)
//	boxemu token VAR         mint a 60-minute developer token for Ada into the variable VAR
//	boxemu ignore-range on|off  the download host ignores Range (200 with the whole file)
//	boxemu corrupt on|off    the download host flips a bit of each body's first byte
//	boxemu content ID [SIZE] give file ID new content (a new file_version and sha1)
//	boxemu expire-downloads  every download URL issued so far is unknown from now on (404)
//	boxemu served            print the content bytes the download host sent (since boxemu reset)
//	boxemu secret NAME VALUE require that the last request carried secret NAME (authorization,
//	                         password, shared_link_password) equal to VALUE; with "!", that it did
//	                         not; "! boxemu secret NAME" that it carried none
func TestBoxScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/box",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("ODSHARE_UPDATE_SCRIPTS") != "", // rewrite cmp's files from what ran
		Setup: func(env *testscript.Env) error {
			bs := &boxSide{}
			bo := box.Options{RandomSeed: 5, Throttle: nil}
			if fx := filepath.Join(env.WorkDir, "box-fixture.yaml"); fileExists(fx) {
				seed, err := box.LoadFixture(fx)
				if err != nil {
					return err
				}
				bo.Seed = seed
			}
			st, err := stack.New(stack.Options{
				Graph: emulator.Options{PageSize: 200, RandomSeed: 1}, TLS: true, NoIdentity: true,
				Box: bo,
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
			deferFaultCheck(env, "boxemu", st.Box.UnappliedFaults)
			bs.st = st
			// Box's download host (dl.boxcloud.com) is another host than the API: downloads are
			// served on the same listener under the name localhost, and recorded as
			// /box-downloads/{token}.
			st.Box.SetDownloadOrigin(strings.Replace(strings.TrimSuffix(st.BaseURL, "/v1.0"), "127.0.0.1", "localhost", 1))
			env.Values[boxServerKey{}] = bs
			env.Values[emulatorKey{}] = st.Graph
			ca := filepath.Join(env.WorkDir, "ca.pem")
			if err := os.WriteFile(ca, st.CAPEM, 0o644); err != nil {
				return err
			}
			api, token, authorize := st.BoxURLs()
			for k, v := range map[string]string{
				"ODSHARE_GRAPH_ENDPOINT":    st.BaseURL,
				"ODSHARE_CA_FILE":           ca,
				"ODSHARE_CONFIG_DIR":        filepath.Join(env.WorkDir, ".config", "odshare"),
				"ODSHARE_ACCESS_TOKEN":      "test-token",
				"ODSHARE_BOX_API_URL":       api,
				"ODSHARE_BOX_TOKEN_URL":     token,
				"ODSHARE_BOX_AUTHORIZE_URL": authorize,
				"ODSHARE_BOX_ACCESS_TOKEN":  box.DemoDeveloperToken,
				"ODSHARE_BOX_CLIENT_SECRET": "",
				"ODSHARE_TOKEN_STORAGE":     "file",
				"DBUS_SESSION_BUS_ADDRESS":  "",
				"XDG_RUNTIME_DIR":           filepath.Join(env.WorkDir, "run"),
				"BOX_CCG_CLIENT_ID":         box.DemoCCGClientID,
				"BOX_CCG_SECRET":            box.DemoCCGSecret,
				"BOX_ADA_ID":                box.DemoUserID,
				"BOX_MEGAN_TOKEN":           box.DemoMeganToken,
				"BOX_SAM_TOKEN":             box.DemoSamToken,
				"BOX_LINK_PASSWORD":         box.DemoLinkPassword,
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
			"emu":       cmdEmu,
			"boxemu":    cmdBoxEmu,
		},
	})
}

// boxSide is one Box script's emulator.
type boxSide struct{ st *stack.Stack }

// boxHeaders are the request headers Box scripts assert on.
var boxHeaders = []string{"Authorization", "Boxapi", "Content-Type", "If-Match", "Range"}

func formatBoxRequest(r kit.RecordedRequest) string {
	uri := r.RawURI
	if strings.HasPrefix(uri, "/box-downloads/") {
		uri = "/box-downloads/{token}" // a download URL's random token
	}
	return formatRecorded(r, uri, boxHeaders)
}

func cmdBoxEmu(ts *testscript.TestScript, neg bool, args []string) {
	settle(ts, ts.Value(boxServerKey{}).(*boxSide).st.Graph.WaitIdle, args)
	srv := ts.Value(boxServerKey{}).(*boxSide).st.Box
	if len(args) > 0 && args[0] == "secret" {
		reqs := srv.Requests()
		if len(reqs) == 0 || (!neg && len(args) != 3) || len(args) < 2 || len(args) > 3 {
			ts.Fatalf("usage: [!] boxemu secret NAME VALUE | ! boxemu secret NAME (after a request)")
		}
		last := reqs[len(reqs)-1]
		_, present := last.Secrets[args[1]]
		switch {
		case neg && len(args) == 3 && srv.SecretIs(last, args[1], args[2]):
			ts.Fatalf("the last Box request carried %s %q", args[1], args[2])
		case neg && len(args) == 2 && present:
			ts.Fatalf("the last Box request carried a %s", args[1])
		case !neg && !srv.SecretIs(last, args[1], args[2]):
			ts.Fatalf("the last Box request did not carry %s %q (carried one: %v)", args[1], args[2], present)
		}
		return
	}
	if neg || len(args) == 0 {
		ts.Fatalf("usage: boxemu requests|last|count N|fault SPEC|throttle RPS BURST|stats|reset|expire-tokens|secret")
	}
	reqs := srv.Requests()
	switch args[0] {
	case "requests":
		for _, r := range reqs {
			fmt.Fprint(ts.Stdout(), formatBoxRequest(r))
		}
	case "last":
		if len(reqs) == 0 {
			ts.Fatalf("boxemu last: no request was recorded")
		}
		fmt.Fprint(ts.Stdout(), formatBoxRequest(reqs[len(reqs)-1]))
	case "count":
		if len(args) != 2 {
			ts.Fatalf("usage: boxemu count N")
		}
		if want, _ := strconv.Atoi(args[1]); len(reqs) != want {
			var lines []string
			for _, r := range reqs {
				lines = append(lines, r.Method+" "+r.RawURI)
			}
			ts.Fatalf("the Box emulator recorded %d requests, want %s:\n%s", len(reqs), args[1], strings.Join(lines, "\n"))
		}
	case "fault":
		if len(args) != 2 {
			ts.Fatalf("usage: boxemu fault SPEC")
		}
		f, err := kit.ParseFault(args[1])
		ts.Check(err)
		if f.Path != "" && !strings.Contains(f.Path, "*") && !strings.HasPrefix(f.Path, "/") {
			ts.Fatalf("boxemu fault: path %q must start with /", f.Path)
		}
		srv.AddFault(f)
	case "throttle":
		if len(args) != 3 {
			ts.Fatalf("usage: boxemu throttle RPS BURST")
		}
		rps, err := strconv.ParseFloat(args[1], 64)
		ts.Check(err)
		burst, err := strconv.Atoi(args[2])
		ts.Check(err)
		ts.Check(srv.SetThrottle(&kit.Throttle{RatePerSecond: rps, Burst: burst, WholeSeconds: true}))
	case "stats":
		st := srv.Stats()
		fmt.Fprintf(ts.Stdout(), "requests=%d throttled=%d created=%d updated=%d removed=%d\n",
			st.Requests, st.Throttled, st.SharedLinks.Created, st.SharedLinks.Updated, st.SharedLinks.Removed)
	case "reset":
		if msg := unappliedFaults("boxemu", srv.UnappliedFaults()); msg != "" {
			ts.Fatalf("%s", msg)
		}
		srv.ResetRequests()
		srv.ClearFaults()
		srv.ResetStats()
	case "expire-tokens":
		srv.ExpireAccessTokens()
	case "ignore-range":
		srv.SetIgnoreRange(onOff(ts, "boxemu", args))
	case "corrupt":
		srv.SetCorruptDownloads(onOff(ts, "boxemu", args))
	case "content":
		ts.Check(srv.ChangeContent(contentArgs(ts, "boxemu", args)))
	case "expire-downloads":
		srv.ExpireDownloads()
	case "served":
		fmt.Fprintf(ts.Stdout(), "served %d bytes\n", srv.Stats().DownloadBytes)
	case "token":
		if len(args) != 2 {
			ts.Fatalf("usage: boxemu token VAR")
		}
		tok, err := srv.IssueDeveloperToken(box.DemoUserLogin, 0)
		ts.Check(err)
		ts.Setenv(args[1], tok)
	default:
		ts.Fatalf("boxemu: unknown subcommand %q", args[0])
	}
}
