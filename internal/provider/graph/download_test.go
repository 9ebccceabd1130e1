package graph

import (
	"encoding/json"
	"testing"

	"github.com/odshare/odshare/internal/graph/api"
	"github.com/odshare/odshare/internal/sharing"
)

// TestRemoteOf reads listing entries for a download: quickXorHash first, sha1Hash without it,
// none (unverified) without either; cTag over eTag; packages have no content; subfolders are
// listed through their address.
func TestRemoteOf(t *testing.T) {
	p := &Provider{}
	for _, c := range []struct {
		name, json           string
		check, version, note string
		folder               string
	}{
		{"quickXorHash", `{"id":"1","name":"a","size":3,"eTag":"e","cTag":"c","file":{"hashes":{"quickXorHash":"AAAAAAAAAAAAAAAAAAAAAAAAAAA=","sha1Hash":"A9993E364706816ABA3E25717850C26C9CD0D89D"}},"parentReference":{"driveId":"d"}}`, "quickXorHash", "c", "", ""},
		{"sha1Hash", `{"id":"1","name":"a","size":3,"eTag":"e","file":{"hashes":{"sha1Hash":"A9993E364706816ABA3E25717850C26C9CD0D89D"}},"parentReference":{"driveId":"d"}}`, "sha1Hash", "e", "", ""},
		{"none", `{"id":"1","name":"a","size":3,"file":{},"parentReference":{"driveId":"d"}}`, "", "", "", ""},
		{"package", `{"id":"1","name":"n","package":{"type":"oneNote"},"parentReference":{"driveId":"d"}}`, "", "", "it is a package (such as a OneNote notebook), which Graph serves no content for", ""},
		{"folder", `{"id":"F!1","name":"f","folder":{"childCount":2},"parentReference":{"driveId":"d"}}`, "", "", "", "/drives/d/items/F%211"},
		{"shortcut", `{"id":"s","name":"f","remoteItem":{"id":"R1","folder":{"childCount":1},"parentReference":{"driveId":"other"}},"parentReference":{"driveId":"d"}}`, "", "", "", "/drives/other/items/R1"},
	} {
		r, err := p.RemoteOf(nil, sharing.Entry{Raw: json.RawMessage(c.json)})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		check := ""
		if r.Checksum != nil {
			check = r.Checksum.Name
			if r.Checksum.Encode(r.Checksum.Sum) == "" {
				t.Errorf("%s: checksum does not encode", c.name)
			}
		}
		folder := ""
		if r.Folder != nil {
			folder = r.Folder.Key
		}
		if check != c.check || r.Version != c.version || r.NotContent != c.note || folder != c.folder || r.IsFolder != (c.folder != "") {
			t.Errorf("%s: check %q version %q note %q folder %q", c.name, check, r.Version, r.NotContent, folder)
		}
	}
	if got := string(checksum(&api.Hashes{SHA1Hash: "A9993E364706816ABA3E25717850C26C9CD0D89D"}).Sum); len(got) != 20 {
		t.Errorf("sha1 digest is %d bytes", len(got))
	}
}
