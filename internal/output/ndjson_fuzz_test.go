package output

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/odshare/odshare/internal/redact"
)

var ndjsonSeeds = []string{
	`{"id":"1","name":"a b","n":[1,2,{"x":null}]}`,
	"{\n  \"b\": 1,\n  \"a\": \"x\u009b\"\n}",
	`{"name":"Café ünïcode \u00e9 日本語 😀"}`,
	"{\"name\":\"bidi \u202e and \u2028 and \xc2\x9b\"}",
	"{\"bad\":\"\xff\xfe\"}",
	`{"q":"\"quoted\" \\ back","s":" "}`,
	`{"name":"a","echo":"Bearer ndjson-fuzz-secret-42"}`,
	`"just a string"`, `12`, `true`, `null`, `[]`, `{}`, ` {"a":1} `, "[1,\t2]",
}

// FuzzValidNDJSONLine: for any valid JSON, the quick way (writeValidNDJSONLine) prints exactly what
// compacting and escaping it prints (WriteNDJSONLine).
// A secret this process knows is masked by both ways.
func FuzzValidNDJSONLine(f *testing.F) {
	redact.Add("ndjson-fuzz-secret-42")
	for _, s := range ndjsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		var want, got bytes.Buffer
		if err := WriteNDJSONLine(&want, raw); err != nil {
			t.Fatal(err)
		}
		if err := writeValidNDJSONLine(&got, raw); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(got.Bytes(), []byte("ndjson-fuzz-secret-42")) {
			t.Errorf("%q: the secret was printed: %q", raw, got.Bytes())
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("%q: quick way wrote %q, want %q", raw, got.Bytes(), want.Bytes())
		}
	})
}

// TestGraphItemsTakeTheQuickWay: Graph's compact, clean items are printed without compacting.
func TestGraphItemsTakeTheQuickWay(t *testing.T) {
	for _, s := range []string{ndjsonSeeds[0], ndjsonSeeds[2], ndjsonSeeds[5], `12`, `[]`} {
		if !ndjsonReady([]byte(s)) {
			t.Errorf("%q is not taken as ready", s)
		}
	}
	for _, s := range []string{ndjsonSeeds[1], ndjsonSeeds[3], ndjsonSeeds[4], ` {"a":1} `, "[1,\t2]", ``} {
		if ndjsonReady([]byte(s)) {
			t.Errorf("%q is taken as ready", s)
		}
	}
}
