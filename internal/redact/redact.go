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

// String returns text with every registered secret replaced by Mask.
func (s *Set) String(text string) string {
	s.mu.RLock()
	rep, n := s.rep, s.n
	s.mu.RUnlock()
	if n == 0 || text == "" {
		return text
	}
	if rep == nil {
		rep = s.build()
	}
	return rep.Replace(text)
}

// build makes the replacer, longest secrets first so that a secret containing another is replaced
// whole (strings.Replacer tries its pairs in argument order).
func (s *Set) build() *strings.Replacer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rep != nil {
		return s.rep
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
	for _, v := range vals {
		pairs = append(pairs, v, Mask)
	}
	s.rep = strings.NewReplacer(pairs...)
	return s.rep
}

// process is the registry of this process.
var process Set

// Add registers secrets with the process's registry.
func Add(secrets ...string) { process.Add(secrets...) }

// String removes every secret registered with the process from text.
func String(text string) string { return process.String(text) }
