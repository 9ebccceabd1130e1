package box

import (
	"encoding/hex"
	"testing"

	boxapi "github.com/odshare/odshare/internal/box"
	"github.com/odshare/odshare/internal/sharing"
)

// A Box item as a download sees it: file_version is the content version (never the etag, which a
// link change moves), sha1 the checksum; a folder is walked by its id; a web link has no content
// and is passed by in a folder; children inherit the root's shared link.
func TestRemoteOf(t *testing.T) {
	link := &boxapi.LinkAccess{URL: "https://app.box.com/s/abc"}
	root := &sharing.Remote{Ref: contentRef{id: "1", link: link}}
	sum := "0a4d55a8d778e5022fab701977c5d840bbc486d0"
	for _, c := range []struct {
		raw, version, check string
		folder, skip        bool
		bad                 bool
	}{
		{raw: `{"type":"file","id":"5","etag":"3","name":"a","size":2,"sha1":"` + sum + `","file_version":{"type":"file_version","id":"51"}}`, version: "v:51", check: "sha1"},
		{raw: `{"type":"file","id":"5","etag":"3","name":"a","sha1":"` + sum + `"}`, version: "sha1:" + sum, check: "sha1"},
		{raw: `{"type":"file","id":"5","etag":"3","name":"a"}`},
		{raw: `{"type":"folder","id":"6","name":"d"}`, folder: true},
		{raw: `{"type":"web_link","id":"7","name":"w","url":"https://x"}`, skip: true},
		{raw: `{"type":"file","id":"../5","name":"a"}`, bad: true},
		{raw: `{"type":"other","id":"5","name":"a"}`, bad: true},
	} {
		r, err := (&Provider{}).RemoteOf(root, sharing.Entry{Raw: []byte(c.raw)})
		if c.bad {
			if err == nil {
				t.Errorf("%s: no error", c.raw)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.raw, err)
		}
		ref := r.Ref.(contentRef)
		if r.Version != c.version || r.IsFolder != c.folder || r.Skip != c.skip || ref.link != link {
			t.Errorf("%s: %+v", c.raw, r)
		}
		if c.folder && (r.Folder == nil || r.Folder.Ref != "6") {
			t.Errorf("%s: folder %+v", c.raw, r.Folder)
		}
		switch {
		case c.check == "" && r.Checksum != nil:
			t.Errorf("%s: a checksum from nowhere", c.raw)
		case c.check != "" && (r.Checksum == nil || r.Checksum.Name != c.check || hex.EncodeToString(r.Checksum.Sum) != sum):
			t.Errorf("%s: checksum %+v", c.raw, r.Checksum)
		}
	}
	// A sha1 that isn't one is kept as is, so the download fails rather than go unverified.
	r, err := remoteOf([]byte(`{"type":"file","id":"5","sha1":"xyz"}`), nil)
	if err != nil || r.Checksum == nil || string(r.Checksum.Sum) != "xyz" {
		t.Errorf("bad sha1: %+v %v", r, err)
	}
}
