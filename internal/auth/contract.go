package auth

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/odshare/odshare/internal/redact"
)

// The few fields of MSAL's cache contract this package reads itself. The contract is the JSON
// shared by MSAL in every language ("This design is shared between MSAL versions in many
// languages. This cannot be changed without design that includes other SDKs",
// apps/internal/base/storage/items.go), so relying on these names is safe; everything else is
// passed through untouched.
const contractAccessTokens = "AccessToken"

type contract struct {
	AccessTokens map[string]contractAccessToken `json:"AccessToken"`
}

type contractAccessToken struct {
	HomeAccountID string       `json:"home_account_id"`
	Environment   string       `json:"environment"`
	Realm         string       `json:"realm"`
	ClientID      string       `json:"client_id"`
	Secret        string       `json:"secret"`
	Target        string       `json:"target"`
	CachedAt      contractTime `json:"cached_at"`
	ExpiresOn     contractTime `json:"expires_on"`
}

// contractTime is MSAL's Unix-seconds-as-a-string (apps/internal/json/types/time/time.go).
type contractTime struct{ time.Time }

func (t *contractTime) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return errors.New("bad time in token cache")
	}
	t.Time = time.Unix(n, 0)
	return nil
}

func parseContract(data []byte) (*contract, error) {
	var c contract
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, errors.New("unexpected token cache layout")
	}
	return &c, nil
}

// cacheSecretSections are the contract's sections whose entries carry a "secret": the tokens.
var cacheSecretSections = []string{"AccessToken", "RefreshToken", "IdToken"}

// registerSecrets hands every token in a serialized cache to package redact, so no message can
// print one: a refresh token echoed by the identity platform in an error description is known here
// before MSAL sends it. It reads only the "secret" members and ignores anything it doesn't expect.
func registerSecrets(data []byte) {
	var top map[string]map[string]struct {
		Secret string `json:"secret"`
	}
	if json.Unmarshal(data, &top) != nil {
		// Some section is not a map of objects (a future layout): read section by section.
		var loose map[string]json.RawMessage
		if json.Unmarshal(data, &loose) != nil {
			return
		}
		top = map[string]map[string]struct {
			Secret string `json:"secret"`
		}{}
		for _, name := range cacheSecretSections {
			var sec map[string]struct {
				Secret string `json:"secret"`
			}
			if json.Unmarshal(loose[name], &sec) == nil {
				top[name] = sec
			}
		}
	}
	for _, name := range cacheSecretSections {
		for _, e := range top[name] {
			redact.Add(e.Secret)
		}
	}
}

// lastUsed returns, per home account id, when an access token was last cached for it: the
// "last-used account" when several are signed in and none was chosen.
func (c *contract) lastUsed() map[string]time.Time {
	out := map[string]time.Time{}
	for _, at := range c.AccessTokens {
		if at.HomeAccountID == "" {
			continue
		}
		if at.CachedAt.After(out[at.HomeAccountID]) {
			out[at.HomeAccountID] = at.CachedAt.Time
		}
	}
	return out
}

// dropAccessToken returns data without the access token whose secret is secret, leaving every
// other byte of meaning alone (unknown fields survive because only the AccessToken map is
// rewritten). Source.Refresh uses it so MSAL's silent path must go to the token endpoint.
func dropAccessToken(data []byte, secret string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, errors.New("not a JSON object")
	}
	raw, ok := top[contractAccessTokens]
	if !ok {
		return data, nil
	}
	var ats map[string]json.RawMessage
	if err := json.Unmarshal(raw, &ats); err != nil {
		return nil, errors.New("unexpected token cache layout")
	}
	changed := false
	for k, v := range ats {
		var at struct {
			Secret string `json:"secret"`
		}
		if json.Unmarshal(v, &at) == nil && at.Secret == secret {
			delete(ats, k)
			changed = true
		}
	}
	if !changed {
		return data, nil
	}
	b, err := json.Marshal(ats)
	if err != nil {
		return nil, err
	}
	top[contractAccessTokens] = b
	return json.Marshal(top)
}
