package graph

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// v1Page is how the pages were read before decodePage, and how encoding/json reads them: the
// reference decodePage must agree with.
func v1Page(body []byte) (items []json.RawMessage, next string, ok bool) {
	var page struct {
		Value    *[]json.RawMessage `json:"value"`
		NextLink string             `json:"@odata.nextLink"`
	}
	if json.Unmarshal(body, &page) != nil || page.Value == nil {
		return nil, "", false
	}
	return *page.Value, page.NextLink, true
}

var pageSeeds = []string{
	`{"value":[{"id":"1","name":"a b"},{"id":"2"}],"@odata.nextLink":"https://graph.microsoft.com/v1.0/x?$skiptoken=2"}`,
	`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)","value":[]}`,
	"{\n  \"value\": [\n    {\n      \"id\": \"1\"\n    },\n    7, \"s\", null, true, [1, {\"a\": []}]\n  ]\n}\n",
	`{"value":null}`,
	`{"value":{"id":"1"}}`,
	`{"nextLink":"x"}`,
	`{"value":[1],"@odata.nextLink":5}`,
	`{"value":[1],"@odata.nextLink":null}`,
	`{"value":[1]} {"value":[2]}`,
	`{"value":[1]}x`,
	`[{"value":[1]}]`,
	`{"VALUE":[1],"@ODATA.NEXTLINK":"u"}`,
	`{"value":[1],"value":[2,3]}`,
	`{"value":[1],"value":null}`,
	`{"value":[1,]}`,
	`{"value":["caf\xc3\xa9 \xff\xfe", "\ud800", "\u202e"],"@odata.nextLink":"\u0068ttp://h/\u00e9"}`,
	`{"value":[{"n":1e400}, -0.0, 12345678901234567890123]}`,
	`{"value":[{"id":"1"}],"big":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}`,
	``, `nul`, `{"value":[`,
}

// TestDecodePageReadsWhatEncodingJSONReads: every seed is read as encoding/json reads it (the same
// items, byte for byte, the same nextLink, the same verdict), and each item is a slice of the body.
func TestDecodePageReadsWhatEncodingJSONReads(t *testing.T) {
	for _, s := range pageSeeds {
		checkPage(t, []byte(s))
	}
}

func FuzzDecodePage(f *testing.F) {
	for _, s := range pageSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkPage(t, body) })
}

func checkPage(t *testing.T, body []byte) {
	t.Helper()
	want, wantNext, ok := v1Page(body)
	items, next, err := decodePage(body)
	if (err == nil) != ok {
		t.Fatalf("%q: decodePage err = %v; encoding/json ok = %v", body, err, ok)
	}
	if !ok {
		return
	}
	if next != wantNext && !(strings.ContainsRune(wantNext, 0xfffd)) {
		t.Errorf("%q: nextLink %q, want %q", body, next, wantNext)
	}
	if len(items) != len(want) {
		t.Fatalf("%q: %d items, want %d", body, len(items), len(want))
	}
	for i := range items {
		if !bytes.Equal(items[i], want[i]) {
			t.Errorf("%q: item %d = %q, want %q", body, i, items[i], want[i])
		}
		if len(items[i]) > 0 && (cap(items[i]) != len(items[i]) || !bytes.Contains(body, items[i])) {
			t.Errorf("%q: item %d is not a capped slice of the body", body, i)
		}
	}
}
