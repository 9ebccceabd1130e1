// Command odshare-emulator serves the Microsoft Graph sharing emulator on a loopback address, for
// trying odshare without a tenant and for end-to-end tests of the real binary. With --tls it also
// serves the identity platform stand-in on the same listener, and Graph then accepts only the
// tokens that stand-in issued.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/identity"
	"github.com/odshare/odshare/internal/emulator/stack"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -h, --help: the usage is on stdout
		}
		fmt.Fprintln(os.Stderr, "odshare-emulator:", err)
		if errors.As(err, new(*flagError)) {
			fmt.Fprintln(os.Stderr, "Run 'odshare-emulator --help' for usage.")
		}
		os.Exit(2)
	}
}

type faultFlags []emulator.Fault

func (f *faultFlags) String() string { return fmt.Sprint(len(*f)) }
func (f *faultFlags) Set(v string) error {
	fl, err := emulator.ParseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, fl)
	return nil
}

const usageHead = `Usage: odshare-emulator [flags]

Serves the Microsoft Graph v1.0 sharing emulator on a loopback address. The first line on
stdout is the Graph base URL (.../v1.0); everything else goes to stderr.

Without --tls, Graph accepts any non-empty bearer token as the fixture's "me" user.

With --tls, the same HTTPS listener also serves a Microsoft Entra ID stand-in that MSAL signs
in against (device code, refresh token, client credentials), and Graph accepts only access
tokens it issued, until they expire (else 401 InvalidAuthenticationToken). Its users are the
fixture's users; device codes sign in as the fixture's "me" unless another user is chosen on
/devicelogin. App-only tokens work everywhere but /me (400 BadRequest).
  tenant:  %s, a user's domain (%s in the demo data)
           or organizations
  app:     client id %s, secret %s
stderr carries "downloads: ORIGIN", the second listener (another host name, so another
origin) that serves the pre-authenticated URLs GET .../content redirects to; with --tls it
also carries:
  authority: https://127.0.0.1:PORT   the MSAL authority host; append /{tenant}
  ca: PATH                            the CA certificate to trust
MSAL requires https, so signing in needs --tls.
`

// flagError is a flag the command line could not parse (unknown, or a bad value).
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// run parses args, serves until ctx is done, then shuts down. The base URL is the first line
// of stdout so scripts can read it; everything else goes to stderr. -h and --help print the usage
// on stdout and return flag.ErrHelp (exit 0, as Go's own flag handling and gh do); a flag that does
// not parse is a *flagError, for which main prints one line and a pointer to --help (exit 2).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("odshare-emulator", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the error comes back from Parse; the usage only on request
	fs.Usage = func() {}
	usage := func(w io.Writer) {
		fmt.Fprintf(w, usageHead, identity.DefaultTenantID, identity.DefaultTenantDomain, identity.DemoAppClientID, identity.DemoAppSecret)
		fmt.Fprintf(w, boxUsage, box.DemoDeveloperToken, box.DemoClientID, box.DemoClientSecret, box.DemoCCGClientID, box.DemoCCGSecret, box.DemoEnterpriseID)
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (loopback only unless --allow-remote)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --listen address (the /_emulator/ admin surface still answers loopback clients only)")
	seed := fs.String("seed", "", "fixture file (.json, .yaml, .yml); default: built-in demo data")
	pageSize := fs.Int("page-size", 0, "children/permissions page size (default 200)")
	var faults faultFlags
	fs.Var(&faults, "fault", `fault rule, repeatable, e.g. "status=429,retry-after=1,times=2,path=/me/drive/*"`)
	randomSeed := fs.Int64("random-seed", 0, "seed for random faults and generated ids (0 = time)")
	tlsOn := fs.Bool("tls", false, "serve HTTPS with a generated CA, plus the identity platform (strict tokens)")
	caOut := fs.String("ca-out", "", "where to write the CA certificate with --tls (default: a new file in the temp dir)")
	autoApprove := fs.Bool("auto-approve", false, `with --tls: approve every device code as the fixture's "me" on its first poll`)
	atLife := fs.Duration("access-token-lifetime", time.Hour, "with --tls: lifetime of issued access tokens")
	rtLife := fs.Duration("refresh-token-lifetime", 90*24*time.Hour, "with --tls: lifetime of issued refresh tokens")
	dcLife := fs.Duration("device-code-lifetime", 15*time.Minute, "with --tls: lifetime of device codes")
	throttleRPS := fs.Float64("throttle-rps", 0, "throttle each client (bearer token, else IP) to N requests per second, 429 + Retry-After beyond (0 = off); each request in a $batch counts")
	throttleBurst := fs.Int("throttle-burst", 0, "with --throttle-rps: requests a client may make at once (default max(1, rps/5))")
	throttleWhole := fs.Bool("throttle-whole-seconds", false, "with --throttle-rps: send Retry-After in whole seconds, rounded up, as Graph does (default: the exact wait, fractional)")
	ruBudget := fs.Int("ru-budget", 0, "resource units each client (bearer token) may spend per --ru-window, 429 + Retry-After beyond (0 = off); costs: 1 get, delta page with a token, download; 2 list, delta without a token, write; 5 permission operation; each request in a $batch counts")
	ruWindow := fs.Duration("ru-window", time.Minute, "with --ru-budget: the budget's window")
	ruHeaders := fs.Bool("ru-headers-delegated", false, "with --ru-budget: send RateLimit-* headers (from 80% of the budget) to delegated callers too, not only app-only ones")
	deltaLife := fs.Duration("delta-token-lifetime", 0, "delta tokens older than this answer 410 resyncRequired (0 = never)")
	dlLife := fs.Duration("download-url-lifetime", time.Hour, "lifetime of the pre-authenticated download URLs /content redirects to (served on a second listener under another host name)")
	ignoreRange := fs.Bool("ignore-range", false, "the download host ignores Range and answers 200 with the whole file")
	verbose := fs.Bool("verbose", false, "log every request to stderr")
	exitAfter := fs.Duration("exit-after", 0, "stop by itself after this long (0 = when interrupted or killed)")
	printEnvFlag := fs.Bool("print-env", false, `start in the background and print the shell commands that point odshare at it, with a config directory of its own: eval "$(odshare-emulator --tls --auto-approve --print-env)"; stop it with kill $ODSHARE_EMULATOR_PID`)
	boxf := addBoxFlags(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return err
		}
		return &flagError{err}
	}
	if fs.NArg() > 0 {
		return &flagError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if err := checkLoopback(*listen, *allowRemote); err != nil {
		return err
	}
	var tlsOnly []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "auto-approve", "access-token-lifetime", "refresh-token-lifetime", "device-code-lifetime":
			tlsOnly = append(tlsOnly, "--"+f.Name)
		}
	})
	if !*tlsOn && len(tlsOnly) > 0 {
		return fmt.Errorf("%s needs --tls (the identity platform is served over HTTPS only)", strings.Join(tlsOnly, ", "))
	}
	for name, d := range map[string]time.Duration{"access-token-lifetime": *atLife, "refresh-token-lifetime": *rtLife, "device-code-lifetime": *dcLife} {
		if d <= 0 {
			return fmt.Errorf("--%s %v: must be positive", name, d)
		}
	}
	opts := emulator.Options{PageSize: *pageSize, Faults: faults, RandomSeed: *randomSeed}
	burstSet, wholeSet := false, false
	fs.Visit(func(f *flag.Flag) {
		burstSet = burstSet || f.Name == "throttle-burst"
		wholeSet = wholeSet || f.Name == "throttle-whole-seconds"
	})
	switch {
	case wholeSet && *throttleRPS == 0:
		return fmt.Errorf("--throttle-whole-seconds needs --throttle-rps")
	case *throttleRPS < 0:
		return fmt.Errorf("--throttle-rps %v: must not be negative", *throttleRPS)
	case burstSet && *throttleRPS == 0:
		return fmt.Errorf("--throttle-burst needs --throttle-rps")
	case burstSet && *throttleBurst < 1:
		return fmt.Errorf("--throttle-burst %d: must be at least 1", *throttleBurst)
	case *throttleRPS > 0:
		opts.Throttle = &emulator.Throttle{RatePerSecond: *throttleRPS, Burst: *throttleBurst, WholeSeconds: *throttleWhole}
		if !burstSet {
			opts.Throttle.Burst = emulator.DefaultBurst(*throttleRPS)
		}
	}
	var ruSet []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "ru-window" || f.Name == "ru-headers-delegated" {
			ruSet = append(ruSet, "--"+f.Name)
		}
	})
	switch {
	case *ruBudget < 0:
		return fmt.Errorf("--ru-budget %d: must not be negative", *ruBudget)
	case *ruBudget == 0 && len(ruSet) > 0:
		return fmt.Errorf("%s needs --ru-budget", strings.Join(ruSet, ", "))
	case *ruWindow <= 0:
		return fmt.Errorf("--ru-window %v: must be positive", *ruWindow)
	case *deltaLife < 0:
		return fmt.Errorf("--delta-token-lifetime %v: must not be negative", *deltaLife)
	case *ruBudget > 0:
		opts.Budget = &emulator.Budget{Units: *ruBudget, Window: *ruWindow, HeadersForDelegated: *ruHeaders}
	}
	opts.DeltaTokenLifetime = *deltaLife
	if *dlLife <= 0 {
		return fmt.Errorf("--download-url-lifetime %v: must be positive", *dlLife)
	}
	opts.DownloadURLLifetime, opts.IgnoreRange = *dlLife, *ignoreRange
	var boxSeed *box.Fixture
	if *seed != "" {
		f, bf, err := stack.LoadFixtures(*seed)
		if err != nil {
			return err
		}
		opts.Seed, boxSeed = f, bf
	}
	if *verbose {
		opts.Logger = log.New(stderr, "emulator: ", log.LstdFlags)
	}
	bopts, err := boxf.options(fs, boxSeed, *randomSeed, opts.Logger)
	if err != nil {
		return err
	}
	if *exitAfter < 0 {
		return fmt.Errorf("--exit-after %v: must not be negative", *exitAfter)
	}
	if *exitAfter > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *exitAfter)
		defer cancel()
	}
	if *printEnvFlag {
		return detach(args, stdout, stderr, *tlsOn, *caOut != "")
	}
	var (
		base     string
		shutdown func(context.Context) error
		ready    readyInfo
	)
	if *tlsOn {
		st, err := stack.New(stack.Options{Graph: opts, TLS: true, Box: bopts, Identity: identity.Options{
			AutoApprove: *autoApprove, AccessTokenLifetime: *atLife,
			RefreshTokenLifetime: *rtLife, DeviceCodeLifetime: *dcLife,
		}})
		if err != nil {
			return err
		}
		shutdown, err = st.Listen(*listen)
		if err != nil {
			return err
		}
		path, err := writeCA(*caOut, st.CAPEM)
		if err != nil {
			_ = shutdown(context.Background())
			return err
		}
		base = st.BaseURL
		ready.Authority, ready.CA = st.AuthorityHost, path
		fmt.Fprintln(stderr, "downloads:", st.Graph.DownloadOrigin())
		fmt.Fprintln(stderr, "authority:", st.AuthorityHost)
		fmt.Fprintln(stderr, "ca:", path)
		printBoxURLs(stderr, st)
		ready.BoxAPI, ready.BoxToken, ready.BoxAuthorize = st.BoxURLs()
	} else {
		st, err := stack.New(stack.Options{Graph: opts, NoIdentity: true, Box: bopts})
		if err != nil {
			return err
		}
		if shutdown, err = st.Listen(*listen); err != nil {
			return err
		}
		base = st.BaseURL
		fmt.Fprintln(stderr, "downloads:", st.Graph.DownloadOrigin())
		printBoxURLs(stderr, st)
		ready.BoxAPI, ready.BoxToken, ready.BoxAuthorize = st.BoxURLs()
	}
	fmt.Fprintln(stdout, base)
	ready.Graph = base
	defer removeState()
	if err := announceReady(ready); err != nil {
		_ = shutdown(context.Background())
		return err
	}
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return shutdown(sctx)
}

// checkLoopback refuses to expose the emulator (which accepts any token) beyond this machine
// unless asked to.
func checkLoopback(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %v", addr, err)
	}
	if allowRemote {
		return nil
	}
	if strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--listen %q is not a loopback address; the emulator accepts any token, pass --allow-remote to expose it anyway", addr)
}

func writeCA(path string, pemBytes []byte) (string, error) {
	if path == "" {
		f, err := os.CreateTemp("", "odshare-emulator-ca-*.pem")
		if err != nil {
			return "", err
		}
		if _, err := f.Write(pemBytes); err != nil {
			f.Close()
			return "", err
		}
		return f.Name(), f.Close()
	}
	return path, os.WriteFile(path, pemBytes, 0o644)
}
