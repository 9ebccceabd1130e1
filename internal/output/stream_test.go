package output

import (
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/iostreams"
)

// TestJSONArrayWriterMatchesWriteJSON checks that an array written element by element is the
// same text WriteJSON prints for the whole array.
func TestJSONArrayWriterMatchesWriteJSON(t *testing.T) {
	for name, elems := range map[string][]string{
		"empty":  nil,
		"one":    {`{"a":1}`},
		"nested": {`{"name":"x\u0085y","folder":{"childCount":2}}`, ` {"b":[1,2,{"c":null}],"n":12345678901234567890} `, `"s"`},
	} {
		t.Run(name, func(t *testing.T) {
			var got strings.Builder
			a := NewJSONArrayWriter(&got)
			for _, e := range elems {
				if err := a.Add([]byte(e)); err != nil {
					t.Fatal(err)
				}
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			ios, _, out, _ := iostreams.Test()
			if err := WriteJSON(ios, []byte("["+strings.Join(elems, ",")+"]"), ""); err != nil {
				t.Fatal(err)
			}
			if got.String() != out.String() {
				t.Errorf("got:\n%s\nwant:\n%s", got.String(), out.String())
			}
		})
	}
}

func TestJSONArrayWriterRejectsInvalid(t *testing.T) {
	var b strings.Builder
	if err := NewJSONArrayWriter(&b).Add([]byte(`{"a":`)); err == nil {
		t.Fatal("no error for invalid JSON")
	}
}
