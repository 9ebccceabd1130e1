package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/emulator/box"
)

// --print-env starts the emulator in the background, as ssh-agent does, and prints the shell
// commands that point odshare at it, so a shell needs one line:
//
//	eval "$(odshare-emulator --tls --auto-approve --print-env)"
//
// The settings include a config directory of the emulator's own (ODSHARE_CONFIG_DIR), so signing in
// to the emulator never touches the real ~/.config/odshare, and ODSHARE_EMULATOR_PID, so
// `kill $ODSHARE_EMULATOR_PID` stops it; it then removes that directory.

// Environment of the background emulator: where to say it is ready, and the directory it owns.
const (
	envReadyFD  = "ODSHARE_EMULATOR_READY_FD"
	envStateDir = "ODSHARE_EMULATOR_STATE_DIR"
)

// readyInfo is what the background emulator reports once it serves.
type readyInfo struct {
	Graph     string `json:"graph"`
	Authority string `json:"authority,omitempty"`
	CA        string `json:"ca,omitempty"`
	// The Box stand-in's API, token endpoint and authorize page (stack.BoxURLs).
	BoxAPI       string `json:"boxApi,omitempty"`
	BoxToken     string `json:"boxToken,omitempty"`
	BoxAuthorize string `json:"boxAuthorize,omitempty"`
}

// readyTimeout bounds the wait for the background emulator to serve.
const readyTimeout = 30 * time.Second

// detach runs the emulator with args (less --print-env) in the background in a session of its
// own, waits until it serves, and prints the environment for a POSIX shell on stdout.
func detach(args []string, stdout, stderr io.Writer, tlsOn, caGiven bool) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "odshare-emulator-")
	if err != nil {
		return err
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	config := filepath.Join(dir, "config")
	if err := os.Mkdir(config, 0o700); err != nil {
		cleanup()
		return err
	}
	var childArgs []string
	for _, a := range args {
		if a != "--print-env" && a != "-print-env" && !strings.HasPrefix(a, "--print-env=") && !strings.HasPrefix(a, "-print-env=") {
			childArgs = append(childArgs, a)
		}
	}
	if tlsOn && !caGiven {
		childArgs = append(childArgs, "--ca-out", filepath.Join(dir, "ca.pem"))
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "emulator.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		cleanup()
		return err
	}
	defer logFile.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		cleanup()
		return err
	}
	defer pr.Close()
	cmd := exec.Command(self, childArgs...)
	cmd.Env = append(os.Environ(), envReadyFD+"=3", envStateDir+"="+dir)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, logFile, logFile
	cmd.ExtraFiles = []*os.File{pw}
	cmd.SysProcAttr = detachedAttr()
	if err := cmd.Start(); err != nil {
		pw.Close()
		cleanup()
		return err
	}
	pw.Close()
	got := make(chan readyInfo, 1)
	go func() {
		var ri readyInfo
		if line, err := bufio.NewReader(pr).ReadBytes('\n'); err == nil && json.Unmarshal(line, &ri) == nil {
			got <- ri
		}
		close(got)
	}()
	var ri readyInfo
	select {
	case r, ok := <-got:
		if !ok {
			_ = cmd.Wait()
			log, _ := os.ReadFile(filepath.Join(dir, "emulator.log"))
			cleanup()
			return fmt.Errorf("the emulator did not start:\n%s", strings.TrimSpace(string(log)))
		}
		ri = r
	case <-time.After(readyTimeout):
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		cleanup()
		return errors.New("the emulator did not start within 30 s")
	}
	pid := cmd.Process.Pid
	_ = cmd.Process.Release()
	printEnv(stdout, ri, config, pid, filepath.Join(dir, "emulator.log"))
	fmt.Fprintf(stderr, "odshare-emulator running (pid %d); stop it with: kill $ODSHARE_EMULATOR_PID\n", pid)
	return nil
}

// odshareVariables are the environment variables odshare reads, as the README's configuration
// table lists them (TestPrintEnvCoversTheREADME keeps the two the same): --print-env sets or unsets
// every one, so nothing from the shell (another endpoint or credential, a link password, an output
// format, a retry budget) changes how odshare behaves against the emulator.
var odshareVariables = []string{
	"ODSHARE_ACCESS_TOKEN", "ODSHARE_GRAPH_ENDPOINT", "ODSHARE_CLOUD", "ODSHARE_OUTPUT", "ODSHARE_CONFIG_DIR",
	"ODSHARE_CA_FILE", "ODSHARE_RETRY_BUDGET", "ODSHARE_AUTHORITY_HOST", "ODSHARE_TENANT", "ODSHARE_CLIENT_ID",
	"ODSHARE_SCOPES", "ODSHARE_ACCOUNT", "ODSHARE_CLIENT_SECRET", "ODSHARE_CERTIFICATE", "ODSHARE_CERTIFICATE_PASSWORD",
	"ODSHARE_TOKEN_STORAGE", "ODSHARE_BOX_CLIENT_ID", "ODSHARE_BOX_CLIENT_SECRET", "ODSHARE_BOX_ACCESS_TOKEN",
	"ODSHARE_BOX_ACCOUNT", "ODSHARE_BOX_API_URL", "ODSHARE_BOX_TOKEN_URL", "ODSHARE_BOX_AUTHORIZE_URL",
	"ODSHARE_LINK_PASSWORD", "ODSHARE_SHARE_PASSWORD", "ODSHARE_FORCE_TTY",
}

// printEnv writes the shell commands: the endpoints, the CA, a config directory of the emulator's
// own, and unset for every other variable odshare reads (odshareVariables).
func printEnv(w io.Writer, ri readyInfo, configDir string, pid int, log string) {
	set := [][2]string{{"ODSHARE_GRAPH_ENDPOINT", ri.Graph}, {"ODSHARE_CONFIG_DIR", configDir}}
	if ri.Authority != "" {
		// Graph takes only the tokens it issued: ODSHARE_ACCESS_TOKEN is unset.
		set = append(set, [2]string{"ODSHARE_AUTHORITY_HOST", ri.Authority}, [2]string{"ODSHARE_CA_FILE", ri.CA})
	} else {
		// Over plain http the emulator takes any bearer token.
		set = append(set, [2]string{"ODSHARE_ACCESS_TOKEN", "emulator"})
	}
	if ri.BoxAPI != "" {
		// Box: the stand-in's endpoints and its demo OAuth app, so `odshare auth login --provider box`
		// works at once (with --box-auto-approve, without the consent page).
		set = append(set, [2]string{"ODSHARE_BOX_API_URL", ri.BoxAPI}, [2]string{"ODSHARE_BOX_TOKEN_URL", ri.BoxToken},
			[2]string{"ODSHARE_BOX_AUTHORIZE_URL", ri.BoxAuthorize},
			[2]string{"ODSHARE_BOX_CLIENT_ID", box.DemoClientID}, [2]string{"ODSHARE_BOX_CLIENT_SECRET", box.DemoClientSecret})
	}
	var unset []string
	for _, name := range odshareVariables {
		if !slices.ContainsFunc(set, func(kv [2]string) bool { return kv[0] == name }) {
			unset = append(unset, name)
		}
	}
	set = append(set, [2]string{"ODSHARE_EMULATOR_PID", strconv.Itoa(pid)}, [2]string{"ODSHARE_EMULATOR_LOG", log})
	for _, kv := range set {
		fmt.Fprintf(w, "export %s=%s;\n", kv[0], shellQuote(kv[1]))
	}
	fmt.Fprintf(w, "unset %s;\n", strings.Join(unset, " "))
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// announceReady tells the process that started this one in the background (see detach) where it
// serves; it does nothing otherwise.
func announceReady(ri readyInfo) error {
	fd, err := strconv.Atoi(os.Getenv(envReadyFD))
	if err != nil || fd < 3 {
		return nil
	}
	f := os.NewFile(uintptr(fd), "ready")
	if f == nil {
		return nil
	}
	defer f.Close()
	b, err := json.Marshal(ri)
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	return err
}

// removeState removes the directory a background emulator was given, when it stops.
func removeState() {
	if dir := os.Getenv(envStateDir); dir != "" && strings.Contains(filepath.Base(dir), "odshare-emulator-") {
		_ = os.RemoveAll(dir)
	}
}
