package output

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/odshare/odshare/internal/iostreams"
)

// jqItems are the elements the JQArray tests list: files, a folder, odd values.
var jqItems = []string{
	`{"name":"a.txt","size":1,"file":{"mimeType":"text/plain"},"n":1}`,
	`{"name":"Archive","folder":{"childCount":2},"n":2}`,
	`{"name":"Café \u202e x","size":12345678901234567890,"file":{},"n":3}`,
	`{"name":"tab\tand\nline","n":4.5}`,
	`"a string"`,
	`[1,2]`,
	`null`,
}

// TestJQArrayPrintsWhatWriteJSONPrints: for every expression (those run an element at a time and
// those that need the whole array), on a terminal and piped, JQArray prints exactly what WriteJSON
// prints for the whole array, and fails where it fails, printing nothing.
func TestJQArrayPrintsWhatWriteJSONPrints(t *testing.T) {
	for _, tc := range []struct {
		expr string
		each bool
	}{
		{".[]", true}, {".[] | .name", true}, {".[].name", true}, {".[] | select(.file) | .name", true},
		{".[] | ., .", true}, {".[] | {name, size}", true}, {".[] | .name?", true}, {".[].n | . * 2", true},
		{".[] | if .n == 2 then halt else .name end", true}, {".[] | .name | ascii_downcase", true},
		{".[] | .n | error", true}, {".[] | .file.mimeType", true}, {".[] | tostring", true},
		{".[] | halt_error", true}, {".[] | keys", true},
		{".[]?", false}, {"map(.name?)", false}, {"length", false}, {".[] as $x | $x", false},
		{"first(.[])", false}, {"[.[] | .n?]", false}, {"def f: .name?; .[] | f", false}, {".[], 1", false},
		{".", false}, {"(.[])", false},
	} {
		for _, tty := range []bool{false, true} {
			ios, _, out, _ := iostreams.Test()
			ios.SetStdoutTTY(tty)
			raws := make([]json.RawMessage, len(jqItems))
			for i, s := range jqItems {
				raws[i] = json.RawMessage(s)
			}
			wantErr := WriteJSON(ios, JoinJSONArray(raws), tc.expr)
			want := out.String()

			a, err := NewJQArray(ios, tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if a.PerElement() != tc.each {
				t.Errorf("%s: per element = %v, want %v", tc.expr, a.PerElement(), tc.each)
			}
			for _, r := range raws {
				if err := a.Add(r); err != nil {
					t.Fatal(err)
				}
			}
			var got bytes.Buffer
			gotErr := a.CopyTo(&got)
			a.Close()
			if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && gotErr.Error() != wantErr.Error()) {
				t.Errorf("%s (tty %v): err = %v, want %v", tc.expr, tty, gotErr, wantErr)
			}
			if wantErr != nil {
				want = ""
			}
			if got.String() != want {
				t.Errorf("%s (tty %v):\n got %q\nwant %q", tc.expr, tty, got.String(), want)
			}
		}
	}
}

// TestJQArrayOfNothing: an empty listing is the empty array to jq.
func TestJQArrayOfNothing(t *testing.T) {
	for _, expr := range []string{".[]", "length"} {
		ios, _, _, _ := iostreams.Test()
		a, err := NewJQArray(ios, expr)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := a.CopyTo(&got); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{".[]": "", "length": "0\n"}[expr]
		if got.String() != want {
			t.Errorf("%s = %q, want %q", expr, got.String(), want)
		}
	}
}
