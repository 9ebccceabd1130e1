package cmdutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/redact"
)

// ErrNoSecretInput means stdin held no secret (empty, or EOF at once).
var ErrNoSecretInput = errors.New("no secret on stdin")

// maxSecretInput bounds what is read from a pipe for one secret.
const maxSecretInput = 64 << 10

// ReadSecret reads one secret from stdin, the way `docker login --password-stdin` and `gh auth login
// --with-token` do, so it never appears in argv (/proc/PID/cmdline) or shell history: at a terminal it
// prompts on stderr with echo off (and refuses where odshare may not prompt, e.g. CI); otherwise it
// reads the first line, without its line break. The secret is registered with package redact before it
// is returned. An empty answer is ErrNoSecretInput.
func ReadSecret(ios *iostreams.IOStreams, prompt string) (string, error) {
	var secret string
	if ios.IsStdinTTY() {
		if !ios.CanPrompt() {
			return "", ErrNoSecretInput
		}
		f, ok := ios.In.(*os.File)
		if !ok {
			return "", ErrNoSecretInput
		}
		fmt.Fprint(ios.ErrOut, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(ios.ErrOut)
		if err != nil {
			return "", err
		}
		secret = string(b)
	} else {
		line, err := bufio.NewReader(io.LimitReader(ios.In, maxSecretInput)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read stdin: %w", err)
		}
		secret = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	}
	if secret == "" {
		return "", ErrNoSecretInput
	}
	redact.Add(secret)
	return secret, nil
}
