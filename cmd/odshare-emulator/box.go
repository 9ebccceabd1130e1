package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/kit"
	"github.com/odshare/odshare/internal/emulator/stack"
)

const boxUsage = `
The same listener serves a Box stand-in (API, OAuth 2.0 and the authorize page), with or
without --tls. It accepts only tokens it issued; stderr carries its URLs:
  box-api: ORIGIN/2.0                          as https://api.box.com/2.0
  box-token: ORIGIN/oauth2/token               as https://api.box.com/oauth2/token
  box-authorize: ORIGIN/api/oauth2/authorize   as https://account.box.com/api/oauth2/authorize
Box SDKs take ORIGIN as baseUrl and ORIGIN/api/oauth2 as oauth2Url. A --seed file holds the
Box fixture under "box:". Demo data:
  developer token: %s (ada@northwind.example)
  OAuth app:       client id %s, secret %s
                   redirect URIs http://127.0.0.1/callback, http://localhost/callback,
                   http://127.0.0.1/ and http://localhost/, on any port
  CCG app:         client id %s, secret %s, enterprise %s
`

// boxFlags are the Box side's flags; Graph's --fault and --throttle-* don't apply to it.
type boxFlags struct {
	faults      faultFlags
	rps         *float64
	burst       *int
	autoApprove *bool
	atLife      *time.Duration
}

func addBoxFlags(fs *flag.FlagSet) *boxFlags {
	b := &boxFlags{}
	fs.Var(&b.faults, "box-fault", `Box API fault rule, repeatable; paths below /2.0, e.g. "status=429,retry-after=1,times=2,path=/files/*"`)
	b.rps = fs.Float64("box-throttle-rps", 0, "throttle each Box client (bearer token, else IP) to N API requests per second, 429 rate_limit_exceeded + retry-after beyond (0 = off)")
	b.burst = fs.Int("box-throttle-burst", 0, "with --box-throttle-rps: requests a client may make at once (default max(1, rps/5))")
	b.autoApprove = fs.Bool("box-auto-approve", false, "answer Box's /api/oauth2/authorize at once with a code for the fixture's me, without the consent page")
	b.atLife = fs.Duration("box-access-token-lifetime", time.Hour, "lifetime of the Box access tokens issued")
	return b
}

// options builds the Box side's options from the flags and the --seed file's box: part.
func (b *boxFlags) options(fs *flag.FlagSet, seed *box.Fixture, randomSeed int64, logger *log.Logger) (box.Options, error) {
	o := box.Options{Seed: seed, Faults: b.faults, RandomSeed: randomSeed, AutoApprove: *b.autoApprove,
		AccessTokenLifetime: *b.atLife, Logger: logger}
	burstSet := false
	fs.Visit(func(f *flag.Flag) { burstSet = burstSet || f.Name == "box-throttle-burst" })
	switch {
	case *b.rps < 0:
		return o, fmt.Errorf("--box-throttle-rps %v: must not be negative", *b.rps)
	case burstSet && *b.rps == 0:
		return o, fmt.Errorf("--box-throttle-burst needs --box-throttle-rps")
	case burstSet && *b.burst < 1:
		return o, fmt.Errorf("--box-throttle-burst %d: must be at least 1", *b.burst)
	case *b.atLife <= 0:
		return o, fmt.Errorf("--box-access-token-lifetime %v: must be positive", *b.atLife)
	case *b.rps > 0:
		o.Throttle = &kit.Throttle{RatePerSecond: *b.rps, Burst: *b.burst, WholeSeconds: true}
		if !burstSet {
			o.Throttle.Burst = kit.DefaultBurst(*b.rps)
		}
	}
	return o, nil
}

func printBoxURLs(w io.Writer, st *stack.Stack) {
	api, token, authorize := st.BoxURLs()
	fmt.Fprintln(w, "box-api:", api)
	fmt.Fprintln(w, "box-token:", token)
	fmt.Fprintln(w, "box-authorize:", authorize)
}
