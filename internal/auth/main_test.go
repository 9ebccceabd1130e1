package auth

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
)

// helperEnv makes the test binary act as a second odshare process (see runHelper).
const helperEnv = "ODSHARE_AUTH_TEST_HELPER"

func TestMain(m *testing.M) {
	// Tests never touch the OS keyring of the machine they run on: a fake one stands in (see
	// keyring_test.go), and the real one is used only inside the private D-Bus session of
	// TestRealKeyring.
	if os.Getenv(realKeyringEnv) == "" {
		backendReady = func() error { return errNoBus }
	}
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	os.Exit(m.Run())
}

// runHelper is the child side of the cross-process tests.
func runHelper(mode string) int {
	switch mode {
	case "holdlock":
		// Hold the cache lock until stdin closes.
		fc := newFileCache(os.Getenv("ODSHARE_AUTH_TEST_PATH"), Storage{})
		if err := fc.acquire(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Print("locked\n")
		_, _ = io.Copy(io.Discard, os.Stdin)
		return 0
	case "token":
		return helperToken()
	}
	fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
	return 2
}

// realKeyringEnv is set in the child that TestRealKeyring runs inside dbus-run-session.
const realKeyringEnv = "ODSHARE_TEST_REAL_KEYRING"
