package box

import (
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

// TestRevokeCheck settles a link from the item read again: no link is revoked, the same URL (in
// any host case, with or without a trailing slash) still present, another URL revoked with a note
// (a link made since has a new URL; the old one no longer works), a read that failed unverified.
func TestRevokeCheck(t *testing.T) {
	const u = "https://northwind.app.box.com/s/reportsdemolink00000000000000001"
	l := &sharing.Link{URL: u}
	f := &sharing.Finding{Path: "/Reports", Link: l}
	put := bulk.Result{Status: 200}
	for _, tc := range []struct {
		name, raw, want, note string
		err                   *bulk.Error
	}{
		{"gone", `{"type":"folder","id":"1","shared_link":null}`, sharing.RevokeRevoked, "", nil},
		{"kept", `{"type":"folder","id":"1","shared_link":{"url":"` + u + `"}}`, sharing.RevokeSurvived, "", nil},
		{"kept, other case", `{"type":"folder","id":"1","shared_link":{"url":"https://NORTHWIND.app.box.com/s/reportsdemolink00000000000000001/"}}`, sharing.RevokeSurvived, "", nil},
		{"replaced", `{"type":"folder","id":"1","shared_link":{"url":"https://northwind.app.box.com/s/newlink"}}`, sharing.RevokeRevoked, "another shared link now", nil},
		{"unread", ``, sharing.RevokeUnverified, "could not be read again", &bulk.Error{Code: "not_found", Message: "Not Found"}},
		{"not JSON", `<html>`, sharing.RevokeUnverified, "not Box's item JSON", nil},
	} {
		ch := &bulk.RevokeCheck{}
		checkLink(ch, l, bulk.Result{Status: 200, Raw: []byte(tc.raw), Err: tc.err})
		r := bulk.RevokeOutcome("Box", f, put, ch)
		if r.Outcome != tc.want || !strings.Contains(r.Message, tc.note) {
			t.Errorf("%s: %s %q, want %s with %q", tc.name, r.Outcome, r.Message, tc.want, tc.note)
		}
	}
	// A PUT Box refused is failed, whatever a read would say; one never answered is read again.
	if r := bulk.RevokeOutcome("Box", f, bulk.Result{Status: 403, Err: &bulk.Error{Code: "forbidden"}}, nil); r.Outcome != sharing.RevokeFailed {
		t.Errorf("refused: %s", r.Outcome)
	}
	if !bulk.MayBeGone(bulk.Result{Err: &bulk.Error{Code: bulk.OutcomeUnknown}}) {
		t.Error("an unanswered removal is not read again")
	}
}

func TestAuditJoinPath(t *testing.T) {
	for _, tc := range [][3]string{{"/", "Reports", "/Reports"}, {"/Reports", "", "/Reports"}, {"/Reports", "Archive", "/Reports/Archive"}, {"", "x", "x"}} {
		if got := joinPath(tc[0], tc[1]); got != tc[2] {
			t.Errorf("joinPath(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}
