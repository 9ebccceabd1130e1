package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// accessClaims are the claims of a v1.0 Microsoft Graph access token (Graph tokens are v1.0 whichever
// endpoint issued them, hence aud https://graph.microsoft.com and iss https://sts.windows.net/{tid}/).
type accessClaims struct {
	Aud        string   `json:"aud"`
	Iss        string   `json:"iss"`
	Iat        int64    `json:"iat"`
	Nbf        int64    `json:"nbf"`
	Exp        int64    `json:"exp"`
	AppID      string   `json:"appid"`
	AppIDAcr   string   `json:"appidacr"` // 0 public client, 1 secret, 2 certificate
	IDType     string   `json:"idtyp"`    // "user" or "app"
	Name       string   `json:"name,omitempty"`
	Oid        string   `json:"oid"`
	Roles      []string `json:"roles,omitempty"`
	Scp        string   `json:"scp,omitempty"`
	Sub        string   `json:"sub"`
	Tid        string   `json:"tid"`
	UniqueName string   `json:"unique_name,omitempty"`
	UPN        string   `json:"upn,omitempty"`
	Uti        string   `json:"uti"`
	Ver        string   `json:"ver"`
}

// idClaims are the claims of a v2.0 ID token. MSAL decodes them without checking the signature
// (IDToken.UnmarshalJSON in apps/internal/oauth/ops/accesstokens/tokens.go) and builds the cached
// account from preferred_username, name, oid and tid.
type idClaims struct {
	Aud               string `json:"aud"`
	Iss               string `json:"iss"`
	Iat               int64  `json:"iat"`
	Nbf               int64  `json:"nbf"`
	Exp               int64  `json:"exp"`
	Name              string `json:"name"`
	Oid               string `json:"oid"`
	PreferredUsername string `json:"preferred_username"`
	Sub               string `json:"sub"`
	Tid               string `json:"tid"`
	Uti               string `json:"uti"`
	Ver               string `json:"ver"`
}

type jwtHeader struct {
	Typ string `json:"typ"`
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

const keyID = "odshare-emulator"

var b64 = base64.RawURLEncoding

// sign serialises claims as an HS256 JWT under the server's key.
func (s *Server) sign(claims any) string {
	h, _ := json.Marshal(jwtHeader{Typ: "JWT", Alg: "HS256", Kid: keyID})
	c, err := json.Marshal(claims)
	if err != nil {
		panic(err) // only our own claim structs come here
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(c)
	return input + "." + b64.EncodeToString(s.mac(input))
}

func (s *Server) mac(input string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(input))
	return m.Sum(nil)
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b64.EncodeToString(b)
}

// newGUID returns a random version 4 UUID, the shape of Entra's trace and correlation ids.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// stableGUID derives a UUID-shaped id from name, for ids that must not change between runs (an app's
// service principal object id).
func stableGUID(name string) string {
	b := sha256.Sum256([]byte(name))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func seconds(d time.Duration) int64 { return int64(math.Ceil(d.Seconds())) }

// tokenResponse is the token endpoint's success body, as Entra sends it and MSAL parses it
// (TokenResponse in apps/internal/oauth/ops/accesstokens/tokens.go).
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	Scope        string `json:"scope,omitempty"`
	ExpiresIn    int64  `json:"expires_in"`
	ExtExpiresIn int64  `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	// ClientInfo is unpadded base64url JSON {"uid","utid"}; MSAL builds the home account id uid.utid
	// from it and rejects padding (ClientInfo.UnmarshalJSON, tokens.go).
	ClientInfo string `json:"client_info,omitempty"`
}

// issueUserLocked mints an access token, an ID token and a fresh refresh token for u. s.mu is held.
func (s *Server) issueUserLocked(host string, u User, clientID string, reqs []scopeReq) tokenResponse {
	now := s.now()
	scp, respScope := grantDelegated(reqs)
	uti := randomString(16)
	at := s.sign(accessClaims{
		Aud: graphResource, Iss: "https://sts.windows.net/" + u.TenantID + "/",
		Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(s.atLife).Unix(),
		AppID: clientID, AppIDAcr: "0", IDType: "user", Name: u.DisplayName, Oid: u.ID,
		Scp: strings.Join(scp, " "), Sub: pairwiseSub(u.ID, clientID), Tid: u.TenantID,
		UniqueName: u.UserPrincipalName, UPN: u.UserPrincipalName, Uti: uti, Ver: "1.0",
	})
	s.live[uti] = true
	id := s.sign(idClaims{
		Aud: clientID, Iss: "https://" + host + "/" + u.TenantID + "/v2.0",
		Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(time.Hour).Unix(),
		Name: u.DisplayName, Oid: u.ID, PreferredUsername: u.UserPrincipalName,
		Sub: pairwiseSub(u.ID, clientID), Tid: u.TenantID, Uti: randomString(16), Ver: "2.0",
	})
	rt := "1.emu." + randomString(48)
	s.refresh[rt] = &refreshGrant{user: u, clientID: clientID, scopes: reqs, expires: now.Add(s.rtLife)}
	ci, _ := json.Marshal(map[string]string{"uid": u.ID, "utid": u.TenantID})
	return tokenResponse{
		TokenType: "Bearer", Scope: respScope,
		ExpiresIn: seconds(s.atLife), ExtExpiresIn: seconds(s.atLife),
		AccessToken: at, RefreshToken: rt, IDToken: id, ClientInfo: b64.EncodeToString(ci),
	}
}

// issueApp mints an app-only access token. Like Entra's client credentials response it carries no
// scope, refresh token, ID token or client_info; MSAL then takes the requested scopes as granted
// (TokenResponse.ComputeScope).
func (s *Server) issueApp(app *appReg, acr string) tokenResponse {
	now := s.now()
	uti := randomString(16)
	oid := stableGUID("service principal " + strings.ToLower(app.ClientID))
	at := s.sign(accessClaims{
		Aud: graphResource, Iss: "https://sts.windows.net/" + app.TenantID + "/",
		Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(s.atLife).Unix(),
		AppID: app.ClientID, AppIDAcr: acr, IDType: "app", Oid: oid, Roles: app.Roles,
		Sub: oid, Tid: app.TenantID, Uti: uti, Ver: "1.0",
	})
	s.mu.Lock()
	s.live[uti] = true
	s.mu.Unlock()
	return tokenResponse{TokenType: "Bearer", ExpiresIn: seconds(s.atLife), ExtExpiresIn: seconds(s.atLife), AccessToken: at}
}

// pairwiseSub mimics Entra's per-application subject: stable for a user and app, different across apps.
func pairwiseSub(oid, clientID string) string {
	h := sha256.Sum256([]byte(oid + "|" + strings.ToLower(clientID)))
	return b64.EncodeToString(h[:])
}

// ValidateAccessToken checks that token is an unexpired Graph access token issued by this Server and
// says whom it speaks for. Errors wrap ErrTokenExpired or ErrTokenInvalid.
func (s *Server) ValidateAccessToken(token string) (*Principal, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: not a JWT", ErrTokenInvalid)
	}
	var h jwtHeader
	if err := decodeSegment(parts[0], &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrTokenInvalid, err)
	}
	if h.Alg != "HS256" {
		return nil, fmt.Errorf("%w: unexpected alg %q", ErrTokenInvalid, h.Alg)
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, s.mac(parts[0]+"."+parts[1])) {
		return nil, fmt.Errorf("%w: signature does not verify (not issued by this server, or altered)", ErrTokenInvalid)
	}
	var c accessClaims
	if err := decodeSegment(parts[1], &c); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrTokenInvalid, err)
	}
	if c.Aud != graphResource {
		return nil, fmt.Errorf("%w: audience %q is not %s", ErrTokenInvalid, c.Aud, graphResource)
	}
	if c.Iss != "https://sts.windows.net/"+c.Tid+"/" {
		return nil, fmt.Errorf("%w: issuer %q", ErrTokenInvalid, c.Iss)
	}
	now := s.now()
	exp := time.Unix(c.Exp, 0)
	if now.Before(time.Unix(c.Nbf, 0)) {
		return nil, fmt.Errorf("%w: not valid before %s", ErrTokenInvalid, time.Unix(c.Nbf, 0).UTC().Format(time.RFC3339))
	}
	if !now.Before(exp) {
		return nil, fmt.Errorf("%w: expired at %s", ErrTokenExpired, exp.UTC().Format(time.RFC3339))
	}
	s.mu.Lock()
	forced := s.expired[c.Uti]
	s.mu.Unlock()
	if forced {
		return nil, fmt.Errorf("%w: expired by the emulator", ErrTokenExpired)
	}
	p := &Principal{TenantID: c.Tid, ClientID: c.AppID, ExpiresAt: exp}
	switch c.IDType {
	case "app":
		p.AppOnly = true
		p.Scopes = append([]string(nil), c.Roles...)
	case "user":
		p.UserID, p.UserPrincipalName = c.Oid, c.UPN
		p.Scopes = strings.Fields(c.Scp)
	default:
		return nil, fmt.Errorf("%w: idtyp %q", ErrTokenInvalid, c.IDType)
	}
	return p, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := b64.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
