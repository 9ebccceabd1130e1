// Package iostreams owns odshare's standard streams: which of them are
// terminals, whether colour is on, and how wide the terminal is. Commands never
// look at os.Stdout or the environment themselves, so a test can hand them
// buffers from Test and choose TTY and colour state explicitly.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// defaultTerminalWidth is what TerminalWidth reports when the width cannot be
// measured (not a terminal, or the ioctl failed).
const defaultTerminalWidth = 80

// IOStreams holds the three standard streams and what odshare knows about
// them. Results go to Out; prompts, progress, notices and errors go to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY     bool
	stdoutTTY    bool
	stderrTTY    bool
	colorEnabled bool
	// width, when set, is the terminal width to assume (ODSHARE_FORCE_TTY=N, tests).
	width int

	// getenv is consulted lazily (CI for CanPrompt); tests replace it.
	getenv func(string) string
}

// System returns IOStreams bound to os.Stdin, os.Stdout and os.Stderr.
//
// Each stream is a TTY when x/term says its descriptor is a terminal.
// ODSHARE_FORCE_TTY=1 (or true) marks stdout and stderr as TTYs regardless,
// like GH_FORCE_TTY, so end-to-end tests can see the human table output. As
// with GH_FORCE_TTY, a number of columns (ODSHARE_FORCE_TTY=80; at least 20)
// also sets the terminal width tables are fitted to.
//
// Colour is on when stdout is a TTY, NO_COLOR is unset or empty
// (https://no-color.org) and TERM is not "dumb". CLICOLOR_FORCE set to
// anything but "" or "0" turns it on even when piped and takes precedence over
// NO_COLOR, as in gh (https://bixense.com/clicolors/).
func System() *IOStreams {
	return newSystem(os.Getenv, func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) })
}

// newSystem is System with the environment and terminal probe injected so the
// decision rules can be tested without a real terminal.
func newSystem(getenv func(string) string, isTerminal func(*os.File) bool) *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdinTTY:  isTerminal(os.Stdin),
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
		getenv:    getenv,
	}
	force := getenv("ODSHARE_FORCE_TTY")
	if w, err := strconv.Atoi(force); err == nil && w >= minForcedWidth {
		s.width = w
		force = "1"
	}
	if isTruthy(force) {
		s.stdoutTTY = true
		s.stderrTTY = true
	}
	s.colorEnabled = colorFromEnv(getenv, s.stdoutTTY)
	return s
}

// colorFromEnv applies the colour rules documented on System.
func colorFromEnv(getenv func(string) string, stdoutTTY bool) bool {
	if force := getenv("CLICOLOR_FORCE"); force != "" && force != "0" {
		return true
	}
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	return stdoutTTY
}

// isTruthy reports whether an environment flag is "1" or "true" (any case).
func isTruthy(v string) bool {
	return v == "1" || strings.EqualFold(v, "true")
}

// Test returns IOStreams backed by fresh buffers, with every stream non-TTY
// and colour off; a test flips what it needs with the setters.
func Test() (ios *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	ios = &IOStreams{
		In:     in,
		Out:    out,
		ErrOut: errOut,
		getenv: func(string) string { return "" },
	}
	return ios, in, out, errOut
}

// IsStdinTTY reports whether stdin is treated as a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether stdout is treated as a terminal; it selects
// aligned tables with a header over tab-separated lines.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is treated as a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdinTTY overrides the stdin TTY state (tests).
func (s *IOStreams) SetStdinTTY(v bool) { s.stdinTTY = v }

// SetStdoutTTY overrides the stdout TTY state (tests). It does not change the
// colour setting; use SetColorEnabled for that.
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetTerminalWidth sets the width TerminalWidth reports (tests).
func (s *IOStreams) SetTerminalWidth(w int) { s.width = w }

// SetStderrTTY overrides the stderr TTY state (tests).
func (s *IOStreams) SetStderrTTY(v bool) { s.stderrTTY = v }

// ColorEnabled reports whether output may contain ANSI colour sequences.
func (s *IOStreams) ColorEnabled() bool { return s.colorEnabled }

// SetColorEnabled overrides the colour decision made by System or Test.
func (s *IOStreams) SetColorEnabled(v bool) { s.colorEnabled = v }

// CanPrompt reports whether odshare may ask the user a question: stdin and
// stderr (where prompts are written) must be terminals, and CI must not be
// "true" or "1", since CI runners sometimes allocate a pseudo-terminal.
func (s *IOStreams) CanPrompt() bool {
	if !s.stdinTTY || !s.stderrTTY {
		return false
	}
	getenv := s.getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return !isTruthy(getenv("CI"))
}

// minForcedWidth is the least ODSHARE_FORCE_TTY read as a width; "1" means true.
const minForcedWidth = 20

// TerminalWidth returns the width of the terminal on stdout in columns: the
// forced width if one was set, else the terminal's, else 80 when stdout is not
// a terminal or its size cannot be read.
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	if f, ok := s.Out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return defaultTerminalWidth
}
