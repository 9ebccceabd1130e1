// Package redact keeps the secret values this odshare process knows (access and refresh tokens, the
// client secret, a link's password, a certificate's password) and removes them from text before the
// text is shown: error messages, debug lines, error objects in bulk output. Matching values rather
// than field names means a server that echoes a request in prose ("refresh token 0.AX… is expired")
// cannot make odshare print it.
//
// Secrets are registered as they become known (Add): the configuration registers the ones from the
// environment, token sources the tokens they hand out, the token cache the refresh tokens it holds,
// commands the passwords they were given. This is the design of GitHub Actions' log masking
// (::add-mask::): one registry per process, applied wherever text leaves it. The registry is the
// process's, so that every package's messages are covered without each being handed a redactor; a
// Set can also be used on its own (tests).
//
// It imports only the standard library.
package redact

import (
	"bytes"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Mask replaces a secret.
const Mask = "[redacted]"

// MinLen is the shortest value redacted: shorter ones protect nothing and would mangle every
// message that happens to contain them.
const MinLen = 4

// Set is a set of secret values. The zero value is empty and ready; it is safe for concurrent use.
type Set struct {
	mu   sync.RWMutex
	seen map[string]bool
	rep  *strings.Replacer // nil when the set changed since it was built
	vals []string          // the forms rep replaces, built with it
	valb [][]byte          // vals as bytes
	n    int
}

// Add registers secrets; empty and short values (under MinLen) are ignored. Each is also matched in
// the forms it takes on the wire: form- or query-encoded and JSON-escaped.
func (s *Set) Add(secrets ...string) {
	for _, v := range secrets {
		if len(v) < MinLen {
			continue
		}
		forms := []string{v, url.QueryEscape(v), url.PathEscape(v)}
		if b, err := json.Marshal(v); err == nil {
			forms = append(forms, string(b[1:len(b)-1]))
		}
		s.mu.Lock()
		if s.seen == nil {
			s.seen = map[string]bool{}
		}
		for _, f := range forms {
			if len(f) >= MinLen && !s.seen[f] {
				s.seen[f] = true
				s.rep = nil
				s.n++
			}
		}
		s.mu.Unlock()
	}
}

// String returns text with every registered secret replaced by Mask. Text that holds none is
// returned as is, without an allocation.
func (s *Set) String(text string) string {
	rep, vals, _ := s.replacer()
	if rep == nil || text == "" || !containsAny(text, vals) {
		return text
	}
	return rep.Replace(text)
}

// JSON returns the JSON text b with every registered secret inside its strings (keys included)
// replaced by Mask; b itself when it holds none, which costs one scan per secret and no
// allocation. A string with a secret is decoded, masked and encoded again (HTML characters
// unescaped, as odshare prints JSON), so the result is valid JSON whenever b is; text outside
// strings (numbers, literals) is never changed. Text that is not valid JSON is masked as text.
func (s *Set) JSON(b []byte) []byte {
	rep, _, vals := s.replacer()
	if rep == nil || len(b) == 0 || !containsAnyBytes(b, vals) {
		return b
	}
	var out []byte // nil until a string changes
	last := 0      // b[:last] is in out
	for i := 0; i < len(b); {
		if b[i] != '"' {
			i++
			continue
		}
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(b) { // not JSON: an unterminated string
			return []byte(rep.Replace(string(b)))
		}
		start, lit := i, b[i:j+1]
		i = j + 1
		if !containsAnyBytes(lit, vals) {
			continue
		}
		var str string
		if json.Unmarshal(lit, &str) != nil {
			return []byte(rep.Replace(string(b)))
		}
		masked := rep.Replace(str)
		if masked == str { // the match was in an escape's text ("\u00e9" holding "u00e9"), not the string
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b))
		}
		out = append(out, b[last:start]...)
		out = appendJSONString(out, masked)
		last = i
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

// appendJSONString appends str as a JSON string, HTML characters unescaped.
func appendJSONString(out []byte, str string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(str) // a string always encodes
	return append(out, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// containsAny reports whether text holds one of vals.
func containsAny(text string, vals []string) bool {
	for _, v := range vals {
		if strings.Contains(text, v) {
			return true
		}
	}
	return false
}

// containsAnyBytes reports whether b holds one of vals.
func containsAnyBytes(b []byte, vals [][]byte) bool {
	for _, v := range vals {
		if bytes.Contains(b, v) {
			return true
		}
	}
	return false
}

// replacer returns the replacer and the values it replaces; nil when the set is empty.
func (s *Set) replacer() (*strings.Replacer, []string, [][]byte) {
	s.mu.RLock()
	rep, vals, valb, n := s.rep, s.vals, s.valb, s.n
	s.mu.RUnlock()
	if n == 0 {
		return nil, nil, nil
	}
	if rep == nil {
		return s.build()
	}
	return rep, vals, valb
}

// build makes the replacer, longest secrets first so that a secret containing another is replaced
// whole (strings.Replacer tries its pairs in argument order).
func (s *Set) build() (*strings.Replacer, []string, [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rep != nil {
		return s.rep, s.vals, s.valb
	}
	vals := make([]string, 0, len(s.seen))
	for v := range s.seen {
		vals = append(vals, v)
	}
	sort.Slice(vals, func(i, j int) bool {
		if len(vals[i]) != len(vals[j]) {
			return len(vals[i]) > len(vals[j])
		}
		return vals[i] < vals[j]
	})
	pairs := make([]string, 0, 2*len(vals))
	valb := make([][]byte, len(vals))
	for i, v := range vals {
		pairs = append(pairs, v, Mask)
		valb[i] = []byte(v)
	}
	s.rep, s.vals, s.valb = strings.NewReplacer(pairs...), vals, valb
	return s.rep, s.vals, s.valb
}

// process is the registry of this process.
var process Set

// Add registers secrets with the process's registry.
func Add(secrets ...string) { process.Add(secrets...) }

// String removes every secret registered with the process from text.
func String(text string) string { return process.String(text) }

// JSON removes every secret registered with the process from the strings of the JSON text b (see
// Set.JSON).
func JSON(b []byte) []byte { return process.JSON(b) }
