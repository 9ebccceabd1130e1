// Command odshare-emulator serves the Microsoft Graph sharing emulator on a loopback address, for
// trying odshare without a tenant and for end-to-end tests of the real binary.
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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "odshare-emulator:", err)
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

// run parses args, serves until ctx is done, then shuts down. The base URL is the first line
// of stdout so scripts can read it; everything else goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("odshare-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:0", "address to listen on (loopback only unless --allow-remote)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback --listen address")
	seed := fs.String("seed", "", "fixture file (.json, .yaml, .yml); default: built-in demo data")
	pageSize := fs.Int("page-size", 0, "children/permissions page size (default 200)")
	var faults faultFlags
	fs.Var(&faults, "fault", `fault rule, repeatable, e.g. "status=429,retry-after=1,times=2,path=/me/drive/*"`)
	randomSeed := fs.Int64("random-seed", 0, "seed for random faults and generated ids (0 = time)")
	tlsOn := fs.Bool("tls", false, "serve HTTPS with a generated CA")
	caOut := fs.String("ca-out", "", "where to write the CA certificate with --tls (default: a new file in the temp dir)")
	verbose := fs.Bool("verbose", false, "log every request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := checkLoopback(*listen, *allowRemote); err != nil {
		return err
	}
	opts := emulator.Options{PageSize: *pageSize, Faults: faults, RandomSeed: *randomSeed}
	if *seed != "" {
		f, err := emulator.LoadFixture(*seed)
		if err != nil {
			return err
		}
		opts.Seed = f
	}
	if *verbose {
		opts.Logger = log.New(stderr, "emulator: ", log.LstdFlags)
	}
	srv, err := emulator.New(opts)
	if err != nil {
		return err
	}
	base, shutdown, err := srv.Listen(*listen, *tlsOn)
	if err != nil {
		return err
	}
	if *tlsOn {
		path, err := writeCA(*caOut, srv.CAPEM())
		if err != nil {
			_ = shutdown(context.Background())
			return err
		}
		fmt.Fprintln(stderr, "ca:", path)
	}
	fmt.Fprintln(stdout, base)
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
