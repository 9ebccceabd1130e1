package redact

import (
	"strings"
	"sync"
	"testing"
)

func TestSetRedactsValuesAndTheirEncodings(t *testing.T) {
	var s Set
	if got := s.String("nothing registered"); got != "nothing registered" {
		t.Errorf("empty set changed text: %q", got)
	}
	s.Add("", "abc", "0.AXkA-refresh/token+x==", `pa "55" wörd`, "tok")
	for in, want := range map[string]string{
		"The refresh token 0.AXkA-refresh/token+x== is expired":                   "The refresh token [redacted] is expired",
		"grant_type=refresh_token&refresh_token=0.AXkA-refresh%2Ftoken%2Bx%3D%3D": "grant_type=refresh_token&refresh_token=[redacted]",
		`{"password":"pa \"55\" wörd"}`:                                           `{"password":"[redacted]"}`,
		"password pa \"55\" wörd, twice: pa \"55\" wörd":                          "password [redacted], twice: [redacted]",
		"abc and tok are too short to be secrets":                                 "abc and tok are too short to be secrets",
	} {
		if got := s.String(in); got != want {
			t.Errorf("String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLongestSecretFirst(t *testing.T) {
	var s Set
	s.Add("secret", "secret-and-more")
	if got := s.String("x secret-and-more y secret"); got != "x [redacted] y [redacted]" {
		t.Errorf("got %q", got)
	}
}

func TestConcurrentAddAndString(t *testing.T) {
	var s Set
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := strings.Repeat(string(rune('a'+i)), 8)
			s.Add(v)
			if got := s.String("<" + v + ">"); got != "<[redacted]>" {
				t.Errorf("got %q", got)
			}
		}()
	}
	wg.Wait()
}
