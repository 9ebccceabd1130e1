package auth

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"runtime"
)

// OpenBrowser opens url in the user's browser without letting the opener near odshare's stdout,
// stdin or terminal signals. MSAL's default opener (github.com/pkg/browser) runs the opener with
// os.Stdout as its stdout and waits for it to exit, so a chatty or long-running browser would print
// onto odshare's results and get odshare's Ctrl-C. Here the opener's stderr goes to stderr, its
// stdout nowhere, it runs in its own process group, and it is not waited for.
func OpenBrowser(url string, stderr io.Writer) error {
	var candidates [][]string
	switch runtime.GOOS {
	case "darwin":
		candidates = [][]string{{"open", url}}
	case "windows":
		candidates = [][]string{{"rundll32", "url.dll,FileProtocolHandler", url}}
	default:
		candidates = [][]string{{"xdg-open", url}, {"x-www-browser", url}}
	}
	var errs []error
	for _, c := range candidates {
		path, err := exec.LookPath(c[0])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cmd := exec.Command(path, c[1:]...)
		cmd.Stdout, cmd.Stderr = io.Discard, stderr
		detach(cmd)
		if err := cmd.Start(); err != nil {
			errs = append(errs, err)
			continue
		}
		go func() { _ = cmd.Wait() }() // reap it; its exit status tells nothing about the sign-in
		return nil
	}
	return fmt.Errorf("%w: %w", ErrNoBrowser, errors.Join(errs...))
}
