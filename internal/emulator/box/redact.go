package box

import (
	"net/url"
	"strings"

	"github.com/odshare/odshare/internal/emulator/kit"
)

// formSecrets are the members of an OAuth form that are secrets.
var formSecrets = map[string]bool{"client_secret": true, "refresh_token": true, "code": true, "code_verifier": true,
	"token": true, "assertion": true, "subject_token": true, "actor_token": true}

// redactBox hides what kit.Recorder doesn't know about before a request is recorded: the
// password of a BoxApi header, and the secrets of a form-encoded OAuth body (kept byte for byte
// otherwise). Each hidden value's digest goes under Secrets by its name
// ("shared_link_password", "client_secret", ...), for Server.SecretIs.
func (s *Server) redactBox(rr *kit.RecordedRequest) {
	if h := rr.Header.Get("BoxApi"); h != "" {
		if link, pw, has, ok := parseBoxAPI(h); ok && has {
			rr.Header = rr.Header.Clone()
			rr.Header.Set("BoxApi", "shared_link="+link+"&shared_link_password="+kit.Redacted)
			s.rec.AddSecret(rr, "shared_link_password", pw)
		}
	}
	if !strings.Contains(rr.Header.Get("Content-Type"), "x-www-form-urlencoded") || len(rr.Body) == 0 {
		return
	}
	parts := strings.Split(string(rr.Body), "&")
	for i, p := range parts {
		k, v, _ := strings.Cut(p, "=")
		name, err1 := url.QueryUnescape(k)
		val, err2 := url.QueryUnescape(v)
		if err1 == nil && err2 == nil && formSecrets[name] {
			parts[i] = k + "=" + url.QueryEscape(kit.Redacted)
			s.rec.AddSecret(rr, name, val)
		}
	}
	rr.Body = []byte(strings.Join(parts, "&"))
}

// SecretIs reports whether the recorded request rr carried the secret name with exactly value:
// "authorization" and "password" (see kit.RecordedRequest), "shared_link_password" (BoxApi),
// and the OAuth form's client_secret, refresh_token, code, code_verifier, token.
func (s *Server) SecretIs(rr kit.RecordedRequest, name, value string) bool {
	return s.rec.SecretIs(rr, name, value)
}
