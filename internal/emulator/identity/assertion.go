package identity

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionSkew is the clock skew Entra tolerates on a client assertion's exp and nbf.
const assertionSkew = 5 * time.Minute

// verifyAssertion checks a certificate credential's client assertion (RFC 7523) as Entra does: the
// header names the registered certificate by thumbprint, the signature verifies with its public key,
// iss and sub are the client id, aud is this tenant's token endpoint, and exp/nbf hold.
//
// MSAL v1.10.1 signs with PS256 and names the certificate in "x5t#S256" (SHA-256) for Entra
// authorities, and with RS256 and "x5t" (SHA-1) only for ADFS/dSTS (Credential.JWT in
// apps/internal/oauth/ops/accesstokens/accesstokens.go); both are accepted. MSAL encodes the
// thumbprint with standard base64 where RFC 7515 says base64url, so both encodings are accepted too.
func (s *Server) verifyAssertion(r *http.Request, app *appReg, seg string) *oauthError {
	bad := func(code int, format string, a ...any) *oauthError {
		return &oauthError{401, "invalid_client", code, fmt.Sprintf(format, a...)}
	}
	parts := strings.Split(r.PostForm.Get("client_assertion"), ".")
	if len(parts) != 3 {
		return &oauthError{400, "invalid_request", 50027, "Invalid JWT token. Token format not valid."}
	}
	var h struct {
		Alg     string `json:"alg"`
		X5t     string `json:"x5t"`
		X5tS256 string `json:"x5t#S256"`
	}
	var c struct {
		Aud string          `json:"aud"`
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Exp json.Number     `json:"exp"`
		Nbf json.Number     `json:"nbf"`
		Jti json.RawMessage `json:"jti"`
	}
	if err := decodeSegment(parts[0], &h); err != nil {
		return &oauthError{400, "invalid_request", 50027, "Invalid JWT token. Header is not valid JSON."}
	}
	if err := decodeSegment(parts[1], &c); err != nil {
		return &oauthError{400, "invalid_request", 50027, "Invalid JWT token. Claims are not valid JSON."}
	}
	if app.cert == nil {
		return bad(700027, "Client assertion failed signature validation: no certificate is registered on application '%s'.", app.ClientID)
	}
	var presented, want []byte
	switch {
	case h.X5tS256 != "":
		presented, want = decodeThumbprint(h.X5tS256), app.x5t256
	case h.X5t != "":
		presented, want = decodeThumbprint(h.X5t), app.x5t
	default:
		return bad(700027, "Client assertion failed signature validation: the header names no certificate (x5t or x5t#S256).")
	}
	if presented == nil || subtle.ConstantTimeCompare(presented, want) != 1 {
		return bad(700027, "Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '%X']", presented)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return bad(700027, "Client assertion failed signature validation: signature is not base64url.")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	pub := app.cert.PublicKey.(*rsa.PublicKey)
	switch h.Alg {
	case "RS256":
		err = rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
	case "PS256":
		err = rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	default:
		return bad(700027, "Client assertion failed signature validation: unsupported alg '%s'.", h.Alg)
	}
	if err != nil {
		return bad(700027, "Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]")
	}
	if c.Iss != app.ClientID || c.Sub != app.ClientID {
		return bad(700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
	}
	if !s.isOwnTokenEndpoint(r, c.Aud, seg) {
		return bad(700212, "The audience '%s' of the client assertion is not this tenant's token endpoint %s/%s/oauth2/v2.0/token.", c.Aud, baseURL(r), seg)
	}
	now := s.now()
	exp, err := c.Exp.Int64()
	if err != nil {
		return bad(700024, "Client assertion has no valid exp claim.")
	}
	if !now.Before(time.Unix(exp, 0).Add(assertionSkew)) {
		return bad(700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid to: %s.", now.UTC().Format(time.RFC3339), time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	if nbf, err := c.Nbf.Int64(); err == nil && now.Add(assertionSkew).Before(time.Unix(nbf, 0)) {
		return bad(700024, "Client assertion is not within its valid time range. Current time: %s, assertion valid from: %s.", now.UTC().Format(time.RFC3339), time.Unix(nbf, 0).UTC().Format(time.RFC3339))
	}
	return nil
}

// decodeThumbprint accepts base64url or standard base64, padded or not; nil if neither.
func decodeThumbprint(s string) []byte {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}

// isOwnTokenEndpoint reports whether aud names a token endpoint of this host whose tenant segment is
// the same tenant as seg (by GUID or domain), which is what MSAL puts in aud: the token_endpoint from
// discovery (Credential.JWT).
func (s *Server) isOwnTokenEndpoint(r *http.Request, aud, seg string) bool {
	u, err := url.Parse(aud)
	if err != nil || u.Scheme != "https" || !strings.EqualFold(u.Host, r.Host) {
		return false
	}
	m := tokenEndpointPath.FindStringSubmatch(u.Path)
	if m == nil {
		return false
	}
	a, okA := s.resolveTenant(m[1])
	b, okB := s.resolveTenant(seg)
	return okA && okB && a != "" && a == b
}
