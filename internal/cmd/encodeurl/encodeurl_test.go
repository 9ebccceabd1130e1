package encodeurl

import (
	"context"
	"errors"
	"testing"

	"github.com/odshare/odshare/internal/cmdutil"
	"github.com/odshare/odshare/internal/cmdutil/cmdtest"
)

func TestEncodeURL(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		stdin   string
		json    bool
		want    string
		wantErr string
	}{
		{name: "documented example", args: []string{"https://onedrive.live.com/redir?resid=1231244193912!12&authKey=1201919!12921!1"},
			want: "u!aHR0cHM6Ly9vbmVkcml2ZS5saXZlLmNvbS9yZWRpcj9yZXNpZD0xMjMxMjQ0MTkzOTEyITEyJmF1dGhLZXk9MTIwMTkxOSExMjkyMSEx\n"},
		{name: "stdin", stdin: "https://a.example/x\n\n  https://b.example/y  \n",
			want: "u!aHR0cHM6Ly9hLmV4YW1wbGUveA\nu!aHR0cHM6Ly9iLmV4YW1wbGUveQ\n"},
		{name: "decode", args: []string{"-d", "u!aHR0cHM6Ly9hLmV4YW1wbGUveA"}, want: "https://a.example/x\n"},
		{name: "json", args: []string{"https://a.example/x"}, json: true,
			want: "[\n  {\n    \"url\": \"https://a.example/x\",\n    \"shareId\": \"u!aHR0cHM6Ly9hLmV4YW1wbGUveA\"\n  }\n]\n"},
		{name: "not a url", args: []string{"https://a.example/x", "mailto:x@y"}, wantErr: `not an http(s) URL: "mailto:x@y"`},
		{name: "no host", args: []string{"https:///x"}, wantErr: `not an http(s) URL: "https:///x"`},
		{name: "escape in bad value", args: []string{"\x1b[2Jboom"}, wantErr: `not an http(s) URL: "\x1b[2Jboom"`},
		{name: "bad token", args: []string{"-d", "s!abc"}, wantErr: `cannot decode "s!abc"`},
		{name: "empty stdin", stdin: "\n", wantErr: "no URLs given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := cmdtest.New(t)
			e.In.WriteString(tt.stdin)
			cmd := NewCmdEncodeURL(e.Factory, nil)
			if tt.json {
				e.Factory.ConfigFlags["output"] = "json" // what the root's -o flag does
			}
			cmd.SilenceUsage = true
			cmd.SetArgs(tt.args)
			cmd.SetErr(e.ErrOut)
			err := cmd.Execute()
			if tt.wantErr != "" {
				var fe *cmdutil.FlagError
				if !errors.As(err, &fe) || err.Error()[:len(tt.wantErr)] != tt.wantErr {
					t.Fatalf("err = %v, want usage error %q", err, tt.wantErr)
				}
				if e.Out.Len() != 0 {
					t.Fatalf("printed %q despite the error", e.Out.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Out.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEncodeURLParsesWithoutRunning(t *testing.T) {
	e := cmdtest.New(t)
	var got *Options
	cmd := NewCmdEncodeURL(e.Factory, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--decode", "u!a", "u!b"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.Decode || len(got.Values) != 2 {
		t.Fatalf("got %+v", got)
	}
}
