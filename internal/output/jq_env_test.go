package output

import (
	"strings"
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

func TestWriteNDJSONLine(t *testing.T) {
	var b strings.Builder
	if err := WriteNDJSONLine(&b, []byte("{\n  \"b\": 1,\n  \"a\": \"x\u009b\"\n}")); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "{\"b\":1,\"a\":\"x\\u009b\"}\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if err := WriteNDJSONLine(&b, []byte("{nope")); err == nil {
		t.Error("invalid JSON accepted")
	}
}
