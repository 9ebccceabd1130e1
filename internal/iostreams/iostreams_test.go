package iostreams

import (
	"os"
	"testing"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestSystemRules(t *testing.T) {
	allTTY := func(*os.File) bool { return true }
	noTTY := func(*os.File) bool { return false }
	tests := []struct {
		name       string
		env        map[string]string
		isTerminal func(*os.File) bool
		wantOut    bool
		wantErr    bool
		wantIn     bool
		wantColor  bool
	}{
		{"terminal", nil, allTTY, true, true, true, true},
		{"piped", nil, noTTY, false, false, false, false},
		{"NO_COLOR", map[string]string{"NO_COLOR": "1"}, allTTY, true, true, true, false},
		{"NO_COLOR empty is unset", map[string]string{"NO_COLOR": ""}, allTTY, true, true, true, true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, allTTY, true, true, true, false},
		{"TERM=xterm", map[string]string{"TERM": "xterm-256color"}, allTTY, true, true, true, true},
		{"force tty 1", map[string]string{"ODSHARE_FORCE_TTY": "1"}, noTTY, true, true, false, true},
		{"force tty true", map[string]string{"ODSHARE_FORCE_TTY": "true"}, noTTY, true, true, false, true},
		{"force tty 0", map[string]string{"ODSHARE_FORCE_TTY": "0"}, noTTY, false, false, false, false},
		{"force tty with a width", map[string]string{"ODSHARE_FORCE_TTY": "80"}, noTTY, true, true, false, true},
		{"force tty with NO_COLOR", map[string]string{"ODSHARE_FORCE_TTY": "1", "NO_COLOR": "1"}, noTTY, true, true, false, false},
		{"force tty with TERM=dumb", map[string]string{"ODSHARE_FORCE_TTY": "1", "TERM": "dumb"}, noTTY, true, true, false, false},
		{"CLICOLOR_FORCE piped", map[string]string{"CLICOLOR_FORCE": "1"}, noTTY, false, false, false, true},
		{"CLICOLOR_FORCE=0", map[string]string{"CLICOLOR_FORCE": "0"}, noTTY, false, false, false, false},
		{"CLICOLOR_FORCE beats NO_COLOR", map[string]string{"CLICOLOR_FORCE": "1", "NO_COLOR": "1"}, allTTY, true, true, true, true},
		{"stdout only", nil, func(f *os.File) bool { return f == os.Stdout }, true, false, false, true},
		{"stderr only", nil, func(f *os.File) bool { return f == os.Stderr }, false, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSystem(envFrom(tt.env), tt.isTerminal)
			if got := s.IsStdoutTTY(); got != tt.wantOut {
				t.Errorf("IsStdoutTTY = %v, want %v", got, tt.wantOut)
			}
			if got := s.IsStderrTTY(); got != tt.wantErr {
				t.Errorf("IsStderrTTY = %v, want %v", got, tt.wantErr)
			}
			if got := s.IsStdinTTY(); got != tt.wantIn {
				t.Errorf("IsStdinTTY = %v, want %v", got, tt.wantIn)
			}
			if got := s.ColorEnabled(); got != tt.wantColor {
				t.Errorf("ColorEnabled = %v, want %v", got, tt.wantColor)
			}
		})
	}
}

// TestSystemEnv runs the real System so ODSHARE_FORCE_TTY and NO_COLOR are
// read from the process environment, whatever the test runner's stdout is.
func TestSystemEnv(t *testing.T) {
	t.Setenv("CLICOLOR_FORCE", "")
	t.Setenv("ODSHARE_FORCE_TTY", "1")
	t.Setenv("TERM", "xterm")
	t.Setenv("NO_COLOR", "")
	s := System()
	if !s.IsStdoutTTY() || !s.IsStderrTTY() {
		t.Fatal("ODSHARE_FORCE_TTY=1 did not force stdout and stderr to TTY")
	}
	if !s.ColorEnabled() {
		t.Error("colour off on a forced TTY without NO_COLOR")
	}
	if s.In != os.Stdin || s.Out != os.Stdout || s.ErrOut != os.Stderr {
		t.Error("System not bound to os.Stdin/Stdout/Stderr")
	}

	t.Setenv("NO_COLOR", "1")
	if System().ColorEnabled() {
		t.Error("colour on with NO_COLOR=1")
	}
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "dumb")
	if System().ColorEnabled() {
		t.Error("colour on with TERM=dumb")
	}
}

func TestTest(t *testing.T) {
	ios, in, out, errOut := Test()
	if ios.IsStdinTTY() || ios.IsStdoutTTY() || ios.IsStderrTTY() || ios.ColorEnabled() || ios.CanPrompt() {
		t.Fatal("Test() streams must be non-TTY with colour off")
	}
	in.WriteString("x")
	b := make([]byte, 1)
	if n, _ := ios.In.Read(b); n != 1 || b[0] != 'x' {
		t.Error("In is not the returned buffer")
	}
	_, _ = ios.Out.Write([]byte("o"))
	_, _ = ios.ErrOut.Write([]byte("e"))
	if out.String() != "o" || errOut.String() != "e" {
		t.Error("Out/ErrOut are not the returned buffers")
	}
	if w := ios.TerminalWidth(); w != 80 {
		t.Errorf("TerminalWidth = %d, want 80", w)
	}
	ios.SetStdinTTY(true)
	ios.SetStdoutTTY(true)
	ios.SetStderrTTY(true)
	ios.SetColorEnabled(true)
	if !ios.IsStdinTTY() || !ios.IsStdoutTTY() || !ios.IsStderrTTY() || !ios.ColorEnabled() {
		t.Error("setters did not take effect")
	}
}

func TestCanPrompt(t *testing.T) {
	tests := []struct {
		name          string
		stdin, stderr bool
		ci            string
		want          bool
	}{
		{"both TTY", true, true, "", true},
		{"stdin piped", false, true, "", false},
		{"stderr piped", true, false, "", false},
		{"CI=true", true, true, "true", false},
		{"CI=1", true, true, "1", false},
		{"CI=false", true, true, "false", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := Test()
			ios.getenv = envFrom(map[string]string{"CI": tt.ci})
			ios.SetStdinTTY(tt.stdin)
			ios.SetStderrTTY(tt.stderr)
			if got := ios.CanPrompt(); got != tt.want {
				t.Errorf("CanPrompt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestColorScheme(t *testing.T) {
	ios, _, _, _ := Test()
	cs := ios.ColorScheme()
	for name, f := range map[string]func(string) string{
		"Green": cs.Green, "Red": cs.Red, "Yellow": cs.Yellow, "Bold": cs.Bold, "Gray": cs.Gray,
	} {
		if got := f("x"); got != "x" {
			t.Errorf("%s with colour off = %q, want identity", name, got)
		}
	}

	ios.SetColorEnabled(true)
	cs = ios.ColorScheme()
	want := map[string]string{
		"Green":  "\x1b[32mx\x1b[0m",
		"Red":    "\x1b[31mx\x1b[0m",
		"Yellow": "\x1b[33mx\x1b[0m",
		"Bold":   "\x1b[1mx\x1b[22m",
		"Gray":   "\x1b[90mx\x1b[0m",
	}
	for name, f := range map[string]func(string) string{
		"Green": cs.Green, "Red": cs.Red, "Yellow": cs.Yellow, "Bold": cs.Bold, "Gray": cs.Gray,
	} {
		if got := f("x"); got != want[name] {
			t.Errorf("%s with colour on = %q, want %q", name, got, want[name])
		}
	}
}

func TestForcedWidth(t *testing.T) {
	for v, want := range map[string]int{"80": 80, "132": 132, "1": 80, "true": 80, "": 80, "5": 80} {
		s := newSystem(envFrom(map[string]string{"ODSHARE_FORCE_TTY": v}), func(*os.File) bool { return false })
		if got := s.TerminalWidth(); got != want {
			t.Errorf("ODSHARE_FORCE_TTY=%q: width %d, want %d", v, got, want)
		}
	}
}
