// Package cmdtest helps command tests: a Factory wired to test streams and, when asked, to an
// in-process Graph emulator over httptest.
package cmdtest

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/graph"
	"github.com/odshare/odshare/internal/iostreams"
)

// Env is a test Factory with its output buffers and, for run tests, its emulator.
type Env struct {
	Factory *cmdutil.Factory
	Out     *bytes.Buffer
	ErrOut  *bytes.Buffer
	In      *bytes.Buffer
	Emu     *emulator.Server
}

// New returns a Factory with test streams (not a TTY) and an isolated config dir. Its Graph
// client fails the test if any command tries to reach Graph.
func New(t *testing.T) *Env {
	t.Helper()
	t.Setenv("ODSHARE_CONFIG_DIR", t.TempDir())
	for _, k := range []string{"ODSHARE_OUTPUT", "ODSHARE_GRAPH_ENDPOINT", "ODSHARE_CLOUD", "ODSHARE_ACCESS_TOKEN", "ODSHARE_LINK_PASSWORD"} {
		t.Setenv(k, "")
	}
	ios, in, out, errOut := iostreams.Test()
	f := cmdutil.New(ios, "test")
	f.Graph = func() (*graph.Client, error) {
		t.Fatal("the command tried to reach Graph")
		return nil, nil
	}
	return &Env{Factory: f, Out: out, ErrOut: errOut, In: in}
}

// WithEmulator points the Factory's Graph client at a fresh in-process emulator seeded with the
// demo data, using the bearer token "test-token".
func WithEmulator(t *testing.T) *Env {
	t.Helper()
	return WithEmulatorOptions(t, emulator.Options{RandomSeed: 1})
}

// WithEmulatorOptions is WithEmulator with the emulator's options (a fixture, faults) given.
func WithEmulatorOptions(t *testing.T, opts emulator.Options) *Env {
	t.Helper()
	e := New(t)
	emu, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	e.Emu = emu
	e.Factory.Graph = func() (*graph.Client, error) {
		return graph.New(graph.Options{
			BaseURL:    srv.URL + "/v1.0",
			HTTPClient: srv.Client(),
			Tokens:     cmdutil.StaticTokenSource("test-token"),
			UserAgent:  "odshare/test",
			Sleep:      func(ctx context.Context, d time.Duration) error { return ctx.Err() },
		})
	}
	return e
}

// Execute runs cmd with argv as a test does: usage text silenced, cobra's own output on the test's
// stderr buffer.
func Execute(e *Env, cmd *cobra.Command, argv []string) error {
	cmd.SilenceUsage = true
	cmd.SetArgs(argv)
	cmd.SetOut(e.ErrOut)
	cmd.SetErr(e.ErrOut)
	return cmd.Execute()
}
