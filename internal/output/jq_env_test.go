package output

import (
	"testing"

	"github.com/odshare/odshare/internal/iostreams"
)

// TestJQSeesNoEnvironment guards the rule that only `auth token` prints a token: --jq must not be
// able to read ODSHARE_ACCESS_TOKEN through $ENV or env.
func TestJQSeesNoEnvironment(t *testing.T) {
	t.Setenv("ODSHARE_ACCESS_TOKEN", "secret-token-value")
	for _, expr := range []string{`$ENV.ODSHARE_ACCESS_TOKEN`, `env.ODSHARE_ACCESS_TOKEN`} {
		ios, _, out, _ := iostreams.Test()
		if err := WriteJSON(ios, []byte(`{}`), expr); err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		if got := out.String(); got != "\n" {
			t.Errorf("%s printed %q, want an empty line for null", expr, got)
		}
	}
}
