package output

import (
	"io"
	"testing"

	"github.com/odshare/odshare/internal/iostreams"
	"github.com/odshare/odshare/internal/redact"
)

const graphPermission = `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#permission","id":"aGVsbG8","roles":["read"],"zeta":1,"alpha":{"b":2,"a":1},"bigId":12345678901234567890,"ratio":1.50,"exp":1e3,"link":{"type":"view","scope":"anonymous","webUrl":"https://1drv.ms/b/s!Abc?e=1&x=<y>"},"unknownFutureField":null}`

func TestWriteJSONPreservesContent(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	if err := WriteJSON(ios, []byte(graphPermission+"\n"), ""); err != nil {
		t.Fatal(err)
	}
	want := `{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#permission",
  "id": "aGVsbG8",
  "roles": [
    "read"
  ],
  "zeta": 1,
  "alpha": {
    "b": 2,
    "a": 1
  },
  "bigId": 12345678901234567890,
  "ratio": 1.50,
  "exp": 1e3,
  "link": {
    "type": "view",
    "scope": "anonymous",
    "webUrl": "https://1drv.ms/b/s!Abc?e=1&x=<y>"
  },
  "unknownFutureField": null
}
`
	if got := out.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestWriteJSONEscapesTerminalControls(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	raw := "{\"name\":\"a\u009b2Jb\u202ec\u2028d\xffe\",\"esc\":\"\\u001b[31m\"}"
	if err := WriteJSON(ios, []byte(raw), ""); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"name\": \"a\\u009b2Jb\\u202ec\\u2028d\\ufffde\",\n  \"esc\": \"\\u001b[31m\"\n}\n"
	if got := out.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestWriteJSONInvalid(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	if err := WriteJSON(ios, []byte(`{"a":`), ""); err == nil {
		t.Error("no error for truncated JSON")
	}
	if out.Len() != 0 {
		t.Errorf("stdout not empty on failure: %q", out.String())
	}
}

func TestWriteJSONWithJQ(t *testing.T) {
	tests := []struct {
		name string
		tty  bool
		jq   string
		want string
	}{
		{"string raw", false, ".link.webUrl", "https://1drv.ms/b/s!Abc?e=1&x=<y>\n"},
		{"big int exact", false, ".bigId", "12345678901234567890\n"},
		{"big int arithmetic stays exact", false, ".bigId + 1", "12345678901234567891\n"},
		{"int", false, ".zeta", "1\n"},
		{"float", false, ".ratio", "1.5\n"},
		{"float from exponent", false, ".exp", "1000\n"},
		{"bool", false, ".link != null", "true\n"},
		{"null prints empty line", false, ".unknownFutureField", "\n"},
		{"multiple results one per line", false, ".roles[], .id", "read\naGVsbG8\n"},
		{"no results", false, "empty", ""},
		{"object compact when piped", false, ".link", `{"scope":"anonymous","type":"view","webUrl":"https://1drv.ms/b/s!Abc?e=1&x=<y>"}` + "\n"},
		{"object indented on TTY", true, ".alpha", "{\n  \"a\": 1,\n  \"b\": 2\n}\n"},
		{"array compact", false, "[.zeta, .bigId]", "[1,12345678901234567890]\n"},
		{"halt stops quietly", false, ".id, halt, .zeta", "aGVsbG8\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetStdoutTTY(tt.tty)
			if err := WriteJSON(ios, []byte(graphPermission), tt.jq); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != tt.want {
				t.Errorf("--jq %s:\n got %q\nwant %q", tt.jq, got, tt.want)
			}
		})
	}
}

func TestWriteJSONJQRawStringSanitisedOnTTYOnly(t *testing.T) {
	raw := []byte(`{"name":"a\u001b[2Jb\nc\td"}`)
	ios, _, out, _ := iostreams.Test()
	if err := WriteJSON(ios, raw, ".name"); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "a\x1b[2Jb\nc\td\n"; got != want {
		t.Errorf("piped: got %q, want %q (scripts get the exact value)", got, want)
	}
	ios, _, out, _ = iostreams.Test()
	ios.SetStdoutTTY(true)
	if err := WriteJSON(ios, raw, ".name"); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "a\\x1b[2Jb\nc\\x09d\n"; got != want {
		t.Errorf("TTY: got %q, want %q", got, want)
	}
}

func TestWriteJSONJQRuntimeError(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	err := WriteJSON(ios, []byte(graphPermission), `.id, (.roles[0] + 1)`)
	if err == nil {
		t.Fatal("no error")
	}
	if want := `jq: cannot add: string ("read") and number (1)`; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if out.Len() != 0 {
		t.Errorf("stdout not empty on failure: %q", out.String())
	}

	err = WriteJSON(ios, []byte(`{}`), `error("line1\nline2\u001b")`)
	if want := `jq: error: line1 line2\x1b`; err == nil || err.Error() != want {
		t.Errorf("jq error with a newline and ESC = %q, want %q", err, want)
	}
}

func TestCompileJQ(t *testing.T) {
	if _, err := CompileJQ(".link.webUrl"); err != nil {
		t.Fatalf("valid expression: %v", err)
	}
	tests := []struct{ expr, want string }{
		{".foo & .bar", `invalid jq expression ".foo & .bar": unexpected token "&"`},
		{".[", `invalid jq expression ".[": unexpected EOF`},
		{"nosuchfn(1)", `invalid jq expression "nosuchfn(1)": function not defined: nosuchfn/1`},
		{"\n.a |\n", `invalid jq expression "\n.a |\n": unexpected EOF`},
	}
	for _, tt := range tests {
		_, err := CompileJQ(tt.expr)
		if err == nil || err.Error() != tt.want {
			t.Errorf("CompileJQ(%q) = %v, want %q", tt.expr, err, tt.want)
		}
		ios, _, out, _ := iostreams.Test()
		if err := WriteJSON(ios, []byte(`{}`), tt.expr); err == nil || out.Len() != 0 {
			t.Errorf("WriteJSON with %q: err %v, out %q", tt.expr, err, out.String())
		}
	}
}

// TestMarshalJSONThenWriteJSON is how odshare prints a value it builds itself (an encode-url result):
// MarshalJSON keeps "&" as is, and WriteJSON formats and filters it like Graph's JSON.
func TestMarshalJSONThenWriteJSON(t *testing.T) {
	type encoded struct {
		URL     string `json:"url"`
		ShareID string `json:"shareId"`
	}
	v := encoded{URL: "https://contoso.sharepoint.com/a?b=1&c=2", ShareID: "u!aHR0cHM"}
	b, err := MarshalJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	ios, _, out, _ := iostreams.Test()
	if err := WriteJSON(ios, b, ""); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"url\": \"https://contoso.sharepoint.com/a?b=1&c=2\",\n  \"shareId\": \"u!aHR0cHM\"\n}\n"
	if got := out.String(); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
	ios, _, out, _ = iostreams.Test()
	if err := WriteJSON(ios, b, ".shareId"); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "u!aHR0cHM\n" {
		t.Errorf("with jq got %q", got)
	}
	if _, err := MarshalJSON(func() {}); err == nil {
		t.Error("no error for unencodable value")
	}
}

// graphDriveItem is one child as Graph lists it (about 900 bytes), for the ndjson benchmark.
const graphDriveItem = `{"@odata.etag":"\"{1A2B3C4D-0000-4000-8000-00000000ABCD},3\"","createdDateTime":"2026-10-01T09:12:44Z","eTag":"\"{1A2B3C4D-0000-4000-8000-00000000ABCD},3\"","id":"01BYE5RZ6QN3ZWBTUFOFD3GSPGOHDJD36K","lastModifiedDateTime":"2026-11-02T16:40:03Z","name":"Quarterly report 2026 Q3 (final).xlsx","webUrl":"https://contoso-my.sharepoint.com/personal/adele_contoso_com/Documents/Reports/Quarterly%20report%202026%20Q3%20(final).xlsx","cTag":"\"c:{1A2B3C4D-0000-4000-8000-00000000ABCD},3\"","size":482113,"createdBy":{"user":{"email":"adele@contoso.com","id":"8f7c2b1e-0000-4000-8000-000000000001","displayName":"Adele Vance"}},"lastModifiedBy":{"user":{"email":"megan@contoso.com","id":"8f7c2b1e-0000-4000-8000-000000000002","displayName":"Megan Bowen"}},"parentReference":{"driveType":"business","driveId":"b!AbCdEfGhIjKlMnOpQrStUvWxYz0123456789","id":"01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ","path":"/drive/root:/Reports"},"file":{"mimeType":"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet","hashes":{"quickXorHash":"aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ="}},"fileSystemInfo":{"createdDateTime":"2026-10-01T09:12:44Z","lastModifiedDateTime":"2026-11-02T16:40:03Z"},"shared":{"scope":"users"}}`

// BenchmarkWriteNDJSONLine is the ndjson path of every listing: compact, mask known secrets,
// escape, write. "secrets" has a bearer token, a refresh token and a link password registered, as
// a real run does; none occurs in the item, so masking costs only the scan.
func BenchmarkWriteNDJSONLine(b *testing.B) {
	raw := []byte(graphDriveItem)
	run := func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		for b.Loop() {
			if err := WriteNDJSONLine(io.Discard, raw); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("none", run)
	redact.Add("eyJ0eXAiOiJKV1QiLCJub25jZSI6IkFRQUJBQUFBQUFEQ29NcGpKWHJ4VHE5Vkc5dGUtN0ZYUmVhbA.payload.sig",
		"0.AXkAbCdEfGhIjKlMnOpQrStUvWxYz-refresh-token", "pa55-w0rd")
	b.Run("secrets", run)
}
