// Command startup times whole processes, exec to exit, in paired and interleaved runs: each round
// runs the base command and every other command once, in an order that rotates from round to round,
// so that a burst of load on a shared machine falls on all of them alike. It prints min, median and
// max wall time and minor page faults for each command, and for each the ratio to the base taken
// pair by pair (min, median, max of the per-round ratios) and the ratio of the medians.
//
//	go run ./bench/startup -runs 200 -base 'bin/hello' -cmd 'bin/odshare version'
//
// A command may start with "LABEL::" to be printed as LABEL. Commands are split on spaces (no quoting); leading NAME=value words are set in the command's
// environment (as env(1) would, without running env); output is discarded.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

type cmdList []string

func (c *cmdList) String() string     { return strings.Join(*c, ", ") }
func (c *cmdList) Set(v string) error { *c = append(*c, v); return nil }

type sample struct {
	wall   time.Duration
	faults int64
}

func main() {
	runs := flag.Int("runs", 100, "rounds (each runs every command once)")
	warmup := flag.Int("warmup", 5, "rounds run first and not counted (page cache, CPU frequency)")
	base := flag.String("base", "", "the command the others are compared with")
	var cmds cmdList
	flag.Var(&cmds, "cmd", "a command to time (repeatable)")
	flag.Parse()
	if *base == "" || len(cmds) == 0 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "usage: startup [-runs N] [-warmup N] -base 'CMD ARGS' -cmd 'CMD ARGS' [-cmd ...]")
		os.Exit(2)
	}
	all := append([]string{*base}, cmds...)
	samples := make([][]sample, len(all))
	for round := -*warmup; round < *runs; round++ {
		for k := range all {
			i := (k + max(round, 0)) % len(all) // rotate who goes first
			s, err := run(all[i])
			if err != nil {
				fmt.Fprintf(os.Stderr, "startup: %s: %v\n", all[i], err)
				os.Exit(1)
			}
			if round >= 0 {
				samples[i] = append(samples[i], s)
			}
		}
	}
	for i, c := range all {
		w, f := walls(samples[i]), faults(samples[i])
		fmt.Printf("  %-34s wall min %s / median %s / max %s ms; minor faults median %d (%d runs)\n",
			label(c), ms(w[0]), ms(median(w)), ms(w[len(w)-1]), median(f), len(w))
	}
	bw := walls(samples[0])
	for i := 1; i < len(all); i++ {
		ratios := make([]float64, *runs)
		for r := range ratios {
			ratios[r] = float64(samples[i][r].wall) / float64(samples[0][r].wall)
		}
		slices.Sort(ratios)
		fmt.Printf("  %s vs %s: paired ratio min %.2fx / median %.2fx / max %.2fx; ratio of medians %.2fx\n",
			label(all[i]), label(all[0]), ratios[0], median(ratios), ratios[len(ratios)-1],
			float64(median(walls(samples[i])))/float64(median(bw)))
	}
}

// label is how c is printed: its LABEL:: prefix, else the command itself.
func label(c string) string {
	if l, _, ok := strings.Cut(c, "::"); ok {
		return l
	}
	return c
}

func run(c string) (sample, error) {
	if _, rest, ok := strings.Cut(c, "::"); ok {
		c = rest
	}
	argv := strings.Fields(c)
	var env []string
	for len(argv) > 1 && strings.Contains(argv[0], "=") {
		env, argv = append(env, argv[0]), argv[1:]
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
		}
		return sample{}, err
	}
	return sample{wall: wall, faults: minorFaults(cmd.ProcessState)}, nil
}

func walls(s []sample) []time.Duration {
	out := make([]time.Duration, len(s))
	for i, x := range s {
		out[i] = x.wall
	}
	slices.Sort(out)
	return out
}

func faults(s []sample) []int64 {
	out := make([]int64, len(s))
	for i, x := range s {
		out[i] = x.faults
	}
	slices.Sort(out)
	return out
}

// median of sorted values.
func median[T int64 | float64 | time.Duration](v []T) T { return v[len(v)/2] }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }
