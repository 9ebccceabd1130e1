package bearer

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/testutil/scripted"
)

var errSentinel = errors.New("insecure test endpoint")

func TestParseBaseURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.box.com/2.0/":   "https://api.box.com/2.0",
		"https://graph.example/v1.0": "https://graph.example/v1.0",
		"http://127.0.0.1:9/2.0":     "http://127.0.0.1:9/2.0",
		"http://[::1]:9/":            "http://[::1]:9",
		"http://localhost./x":        "http://localhost./x",
		"HTTPS://API.BOX.COM/2.0///": "https://API.BOX.COM/2.0",
	} {
		u, err := ParseBaseURL(raw, "test URL", "https://host/path", errSentinel)
		if err != nil || u.String() != want {
			t.Errorf("ParseBaseURL(%q) = %v, %v; want %s", raw, u, err, want)
		}
	}
	for _, raw := range []string{"", "api.box.com", "ftp://x/", "https://", "https://x/?a", "https://x/#f", "https://u:pw@x/", "mailto:a@b"} {
		if _, err := ParseBaseURL(raw, "test URL", "https://host/path", errSentinel); err == nil || errors.Is(err, errSentinel) {
			t.Errorf("ParseBaseURL(%q) err = %v", raw, err)
		} else if strings.Contains(err.Error(), "pw@") {
			t.Errorf("ParseBaseURL(%q) shows the password: %v", raw, err)
		}
	}
	_, err := ParseBaseURL("http://api.box.com/2.0", "test URL", "", errSentinel)
	var ie *InsecureEndpointError
	if !errors.Is(err, errSentinel) || !errors.As(err, &ie) || err.Error() != "refusing to send a token over plain http to api.box.com: use https" {
		t.Errorf("plain http: %v", err)
	}
}

func TestOnBase(t *testing.T) {
	base, _ := url.Parse("https://api.box.com/2.0")
	for raw, want := range map[string]bool{
		"https://api.box.com/2.0/files/1": true,
		"https://API.box.com/x":           true,
		"http://api.box.com/2.0/files/1":  false,
		"https://api.box.com:444/2.0":     false,
		"https://u@api.box.com/2.0":       false,
		"https://evil.example/2.0":        false,
	} {
		u, _ := url.Parse(raw)
		if got := OnBase(u, base); got != want {
			t.Errorf("OnBase(%s) = %v", raw, got)
		}
	}
}

func TestSendLogsWithoutAuthorizationAndBoundsBodies(t *testing.T) {
	s := scripted.New(t, scripted.Reply(200, `0123456789`))
	var logged []http.Header
	snd, err := NewSender(Options{Name: "t", HTTPClient: s.Client(), Tokens: scripted.StaticTokens("SECRET"), MaxBody: 10,
		Log: func(method, target string, hdr http.Header, resp *http.Response, d time.Duration, err error) {
			logged = append(logged, hdr)
		}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := snd.Send(context.Background(), &Call{URL: s.URL + "/x", Header: http.Header{"X-A": {"1"}}})
	if err != nil || string(resp.Body) != "0123456789" {
		t.Fatalf("Send = %v, %v", resp, err)
	}
	if len(logged) != 1 || logged[0].Get("Authorization") != "" || logged[0].Get("X-A") != "1" {
		t.Errorf("logged headers %v", logged)
	}
	if r := s.Requests()[0]; r.Header.Get("Authorization") != "Bearer SECRET" || r.Header.Get("User-Agent") != "odshare" {
		t.Errorf("sent %v", r.Header)
	}
	s11 := scripted.New(t, scripted.Reply(200, `01234567890`))
	snd.hc = s11.Client()
	if _, err := snd.Send(context.Background(), &Call{URL: s11.URL + "/x"}); err == nil || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("an 11-byte body: %v", err)
	}
	if _, err := (&Sender{Name: "t"}).Send(context.Background(), &Call{URL: s.URL}); err == nil || err.Error() != "t: no token source configured" {
		t.Errorf("no tokens: %v", err)
	}
}

// denied is a 401 error that says a new token would not help.
type denied struct{}

func (denied) Error() string      { return "denied" }
func (denied) Unauthorized() bool { return false }

func TestSendRefreshesOnlyWhenTheErrorSaysSo(t *testing.T) {
	for _, c := range []struct {
		fail      func(int, http.Header, []byte) error
		refreshes int
	}{
		{func(int, http.Header, []byte) error { return denied{} }, 0},
		{func(int, http.Header, []byte) error { return errors.New("plain 401") }, 1},
	} {
		s := scripted.New(t, scripted.Reply(401, ``))
		tokens := &scripted.RefreshingTokens{Cur: "a", Next: "b"}
		snd, err := NewSender(Options{Name: "t", HTTPClient: s.Client(), Tokens: tokens})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := snd.Send(context.Background(), &Call{URL: s.URL, Fail: c.fail}); err == nil {
			t.Fatal("no error")
		}
		if tokens.Refreshes() != c.refreshes || len(s.Requests()) != 1+c.refreshes {
			t.Errorf("%d refreshes, %d requests; want %d, %d", tokens.Refreshes(), len(s.Requests()), c.refreshes, 1+c.refreshes)
		}
	}
}

// TestDownloadDebugLine: with Options.Debug on, a Download writes one line naming the sender and
// the URL's origin only (the path and query are the credential), whatever the outcome.
func TestDownloadDebugLine(t *testing.T) {
	s := scripted.New(t, scripted.Reply(200, `content`))
	var out strings.Builder
	snd, err := NewSender(Options{Name: "t", HTTPClient: s.Client(), Tokens: scripted.StaticTokens("SECRET"), Debug: NewDebugLog(&out)})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := snd.Download(context.Background(), s.URL+"/dl/secret-token?sig=abc", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := snd.Download(context.Background(), "not a url", nil); err == nil {
		t.Fatal("a relative download URL was accepted")
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "t: GET http://127.0.0.1:") || !strings.Contains(lines[0], "/… (download URL) -> 200 OK") ||
		strings.Contains(out.String(), "secret-token") || strings.Contains(out.String(), "sig=") {
		t.Errorf("debug lines:\n%s", out.String())
	}
	// Off: nothing written, no panic.
	if (*DebugLog)(nil).On() || NewDebugLog(nil).On() {
		t.Error("a DebugLog without a writer is on")
	}
	NewDebugLog(nil).Line("x")
}
