package stack

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/kit"
)

// BoxURLs are the base URLs a Box client needs, all on the listener's origin: the API
// (origin/2.0, as https://api.box.com/2.0), the token endpoint (origin/oauth2/token) and the
// authorize page (origin/api/oauth2/authorize, as https://account.box.com/api/oauth2/authorize).
// Box's SDKs take the origin as their baseUrl and origin/api/oauth2 as their oauth2Url.
func (s *Stack) BoxURLs() (api, token, authorize string) {
	return s.BoxOrigin + "/2.0", s.BoxOrigin + "/oauth2/token", s.BoxOrigin + "/api/oauth2/authorize"
}

// combined is a fixture file with both sides: the Graph fixture's keys at the top level and
// the Box fixture under "box".
type combined struct {
	emulator.Fixture `yaml:",inline"`
	Box              *box.Fixture `json:"box,omitempty" yaml:"box,omitempty"`
}

// LoadFixtures reads a --seed file (.json, .yaml, .yml): Graph's fixture at the top level, Box's
// under "box:". A side the file leaves out keeps its built-in demo data (nil); unknown keys are
// errors.
func LoadFixtures(path string) (graph *emulator.Fixture, boxFixture *box.Fixture, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var c combined
	if err := kit.DecodeStrict(data, filepath.Ext(path), &c); err != nil {
		return nil, nil, fmt.Errorf("fixture %s: %w", path, err)
	}
	if c.Me != "" || len(c.Users) > 0 || len(c.Drives) > 0 {
		graph = &c.Fixture
	}
	return graph, c.Box, nil
}
