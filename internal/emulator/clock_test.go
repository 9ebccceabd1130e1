package emulator

import (
	"testing"
	"time"
)

// TestClockLinkExpiry: link expiry reads the injected clock (Options.Clock), so a test can
// let a link expire without waiting, and createLink and PATCH judge "in the past" by it too.
func TestClockLinkExpiry(t *testing.T) {
	clk := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	e := newEnv(t, Options{Clock: clk.now})
	// 2029 is in the past for this server, whatever the wall clock says.
	if r := e.post(personalFile+"/createLink", `{"type":"view","expirationDateTime":"2029-06-01T00:00:00Z"}`); r.status != 400 {
		t.Fatalf("past expiry accepted: %d %s", r.status, r.body)
	}
	r := e.post(personalFile+"/createLink", `{"type":"edit","expirationDateTime":"2030-01-01T01:00:00Z"}`)
	if r.status != 201 {
		t.Fatalf("createLink: %d %s", r.status, r.body)
	}
	share := "/shares/" + r.json(t)["shareId"].(string) + "/driveItem"
	if r := e.get(share); r.status != 200 {
		t.Fatalf("before expiry: %d %s", r.status, r.body)
	}
	clk.advance(time.Hour)
	if r := e.get(share); r.status != 403 || r.errCode(t) != "accessDenied" {
		t.Fatalf("after expiry: %d %s", r.status, r.body)
	}
	// An expired link is not returned again: createLink makes a new one.
	if r := e.post(personalFile+"/createLink", `{"type":"edit"}`); r.status != 201 {
		t.Errorf("after expiry createLink: %d", r.status)
	}
	// PATCH judges the past by the same clock.
	reports := "/me/drive/items/" + DemoReportsFolderID + "/permissions/" + DemoSharedFolderLinkID
	if r := e.do("PATCH", reports, `{"expirationDateTime":"2030-01-01T00:30:00Z"}`); r.status != 400 {
		t.Errorf("PATCH to the clock's past: %d %s", r.status, r.body)
	}
	if r := e.do("PATCH", reports, `{"expirationDateTime":"2030-01-01T02:00:00Z"}`); r.status != 200 {
		t.Errorf("PATCH to the clock's future: %d %s", r.status, r.body)
	}
}
