package cmdutil_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
	"github.com/odshare/odshare/internal/emulator"
)

// A Graph that does not answer never holds the shell: completion gives up when its deadline
// passes with nothing to offer, and nothing is cached, so the next Tab tries again. (Graph holds
// the answer for a minute: were the deadline ignored, the listing would come back.)
func TestCompletionGivesUpOnASlowGraph(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	used, restore := cmdutil.SetCompleteTimeout(100 * time.Millisecond)
	defer restore()
	f, err := emulator.ParseFault("latency=1m,path=/me/drive/root/children")
	if err != nil {
		t.Fatal(err)
	}
	e := cmdtest.WithEmulatorOptions(t, emulator.Options{RandomSeed: 1, Faults: []emulator.Fault{f}})
	complete := e.Factory.CompleteItems(&cmdutil.DriveFlags{}, true)
	cmd := &cobra.Command{}
	cmd.SetContext(context.Background())
	got, dir := complete(cmd, nil, "/")
	if len(got) != 0 || dir != cobra.ShellCompDirectiveNoFileComp|cobra.ShellCompDirectiveNoSpace {
		t.Errorf("got %q, %v", got, dir)
	}
	if ctxs := used(); len(ctxs) != 1 || !errors.Is(ctxs[0].Err(), context.DeadlineExceeded) {
		t.Errorf("completion's contexts: %v, want one past its deadline", ctxs)
	}
	if n := len(e.Emu.Requests()); n != 1 {
		t.Errorf("Graph got %d requests, want the one listing", n)
	}
	// Graph answers now: the listing comes, so the failure was not cached.
	e.Emu.ClearFaults()
	if got, _ := complete(cmd, nil, "/Re"); len(got) != 1 || got[0] != "/Reports/" {
		t.Errorf("after the fault: %q", got)
	}
}

// The date offered is a month ahead, described as --expires reads it: the end of that day in the
// local time zone.
func TestExpiresCompletions(t *testing.T) {
	now := time.Date(2026, 11, 24, 23, 30, 0, 0, time.FixedZone("JST", 9*3600))
	got := cmdutil.ExpiresCompletions(now)
	if last := got[len(got)-1]; last != "2026-12-24\tthe end of that day, local time" {
		t.Errorf("date offered: %q", last)
	}
}
