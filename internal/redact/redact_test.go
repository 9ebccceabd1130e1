package redact

import (
	"encoding/json"
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

// JSON masks secrets inside strings only, keeps everything else byte for byte, and stays valid.
func TestJSONMasksStringsOnly(t *testing.T) {
	var s Set
	clean := []byte(`{"name":"Q3.xlsx","size":12345678}`)
	if got := s.JSON(clean); &got[0] != &clean[0] {
		t.Errorf("an empty set copied the text")
	}
	s.Add("eyJ0eXAiOiJKV1Qi.tok", `pa "55" wörd`, "12345678", "u00e9ab")
	if got := s.JSON(clean); &got[0] != &clean[0] || string(got) != string(clean) {
		t.Errorf("text without a secret in a string changed: %s", got)
	}
	if n := testing.AllocsPerRun(100, func() { s.JSON(clean) }); n != 0 {
		t.Errorf("%v allocations for text without a secret", n)
	}
	for in, want := range map[string]string{
		`{"name":"eyJ0eXAiOiJKV1Qi.tok.pdf","a&b":"<x>","size":1}`:      `{"name":"[redacted].pdf","a&b":"<x>","size":1}`,
		`{"name":"Bearer eyJ0eXAiOiJKV1Qi.tok","n":"\u00e9"}`:           `{"name":"Bearer [redacted]","n":"\u00e9"}`,
		`{"password":"pa \"55\" wörd"}`:                                 `{"password":"[redacted]"}`,
		`{"pa \"55\" wörd":1}`:                                          `{"[redacted]":1}`,
		`{"n":"\u00e9ab","size":12345678}`:                              `{"n":"\u00e9ab","size":12345678}`,
		"[\n  \"x\\u00e9eyJ0eXAiOiJKV1Qi.tok & <y>\",\n  12345678\n]\n": "[\n  \"xé[redacted] & <y>\",\n  12345678\n]\n",
	} {
		got := s.JSON([]byte(in))
		if string(got) != want {
			t.Errorf("JSON(%s) = %s, want %s", in, got, want)
		}
		if !json.Valid(got) {
			t.Errorf("JSON(%s) is not valid: %s", in, got)
		}
	}
	if got := s.JSON([]byte(`not "json eyJ0eXAiOiJKV1Qi.tok`)); string(got) != `not "json [redacted]` {
		t.Errorf("invalid JSON: %s", got)
	}
}

// String returns text without a secret as is, without allocating.
func TestStringWithoutASecretDoesNotAllocate(t *testing.T) {
	var s Set
	s.Add("eyJ0eXAiOiJKV1Qi.tok")
	text := strings.Repeat("a clean table cell ", 10)
	if n := testing.AllocsPerRun(100, func() { _ = s.String(text) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
