package graph

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/odshare/odshare/internal/emulator"
	"github.com/odshare/odshare/internal/sharing"
	"github.com/odshare/odshare/internal/sharing/bulk"
)

func raws(ss ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(ss))
	for i, s := range ss {
		out[i] = json.RawMessage(s)
	}
	return out
}

// Graph's permissions are matched to the recipients by address, whatever their order; those that
// name no address asked for go to the recipients left, in order; a recipient nothing is for failed.
func TestReadGrants(t *testing.T) {
	value := raws(
		`{"id":"b","roles":["read"],"invitation":{"email":"B@x.example"},"error":{"code":"notAllowed","message":"Out of quota.","innererror":{"code":"exchangeOutOfMailboxQuota"}}}`,
		`{"id":"u","roles":["read"],"grantedToV2":{"user":{"id":"42","displayName":"Robin"}}}`,
		`{"id":"a","roles":["read"],"grantedToV2":{"siteUser":{"loginName":"i:0#.f|membership|a@x.example"}}}`,
	)
	grants, err := readGrants(value, []string{"a@x.example", "b@x.example", "robin@x.example", "gone@x.example"})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id     string
		status sharing.GrantStatus
		code   string
	}{{"a", sharing.Granted, ""}, {"b", sharing.GrantedNotNotified, "exchangeOutOfMailboxQuota"}, {"u", sharing.Granted, ""}, {"", sharing.GrantFailed, ""}}
	for i, w := range want {
		g := grants[i]
		id := ""
		if g.Link != nil {
			id = g.Link.ID
		}
		if id != w.id || g.Status != w.status || g.InnerCode != w.code {
			t.Errorf("grant %d = %+v (link %q), want %+v", i, g, id, w)
		}
	}
	if g := grants[1]; g.Code != "notAllowed" || g.Message != "Out of quota." || !strings.Contains(string(g.Link.Raw), `"error"`) {
		t.Errorf("not notified: %+v; Raw %s", g, g.Link.Raw)
	}
	if g := grants[3]; g.Code != codeNotInAnswer {
		t.Errorf("missing: %+v", g)
	}
	if _, err := readGrants(raws(`[1]`), []string{"a@x.example"}); err == nil {
		t.Error("a permission that is not an object was read")
	}
}

func TestCheckInviteMessage(t *testing.T) {
	p := &Parser{}
	ok := strings.Repeat("é", MaxMessageLength)
	if err := p.CheckSpec(sharing.Item{}, sharing.VerbLinkInvite, sharing.LinkSpec{Message: ok}); err != nil {
		t.Errorf("2,000 characters: %v", err)
	}
	// An emoji is two UTF-16 code units, as Graph (.NET) counts it.
	err := p.CheckSpec(sharing.Item{}, sharing.VerbLinkInvite, sharing.LinkSpec{Message: ok[:len(ok)-2] + "🙂"})
	if err == nil || err.Error() != "--message is 2001 characters long; Graph takes at most 2000" {
		t.Errorf("2,001 code units: %v", err)
	}
	if !p.Supports(sharing.VerbLinkInvite, "") || !p.Supports(sharing.VerbShareGrant, "role") || p.Supports("no such verb", "") {
		t.Error("Supports misreads the verbs")
	}
}

// Invite, grant and revokeGrants against the emulator: Graph's rules and answers.
func TestProviderInviteGrantRevoke(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	parser := &Parser{}
	it, _ := parser.Parse("/Reports/Summary.pdf")
	target, err := p.Open(ctx, it)
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	res, err := p.Invite(ctx, target, sharing.LinkSpec{Recipients: []string{emulator.DemoUnreachableEmail, emulator.DemoMeganPrincipal},
		Roles: []string{"write"}, Notify: &yes, RequireSignIn: &yes, Message: "Here it is."})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Grants) != 2 || res.Grants[0].Status != sharing.GrantedNotNotified || res.Grants[0].InnerCode != "exchangeInvalidUser" ||
		res.Grants[1].Status != sharing.Granted || res.Grants[1].Link.Kind != "user" {
		t.Errorf("Invite = %+v", res.Grants)
	}
	var arr []json.RawMessage
	if json.Unmarshal(res.Raw, &arr) != nil || len(arr) != 2 {
		t.Errorf("Raw = %s", res.Raw)
	}

	share, _ := parser.Parse(emulator.DemoSharedFileURL)
	// Without roles, the link's own (an edit link: write) are read first and sent.
	g, err := p.Grant(ctx, share, sharing.LinkSpec{Recipients: []string{"x@fabrikam.example"}})
	if err != nil || g.Link == nil || !g.Link.GrantedToEmail("x@fabrikam.example") || g.URLChanged {
		t.Fatalf("Grant = %+v, %v", g, err)
	}
	_, err = p.Grant(ctx, share, sharing.LinkSpec{Recipients: []string{"x@fabrikam.example"}, Roles: []string{"read"}})
	if sharing.StatusOf(err) != 400 {
		t.Errorf("Grant with the wrong role: %v", err)
	}

	bizItem, _ := parser.Parse("01ADELEBIZREPORTSFOLDER0000000001")
	if err := parser.Locate(sharing.ParseContext{Flags: []sharing.ContextFlag{{Name: "drive", Value: emulator.DemoBusinessDriveID, Given: true}}}, []*sharing.Item{&bizItem}); err != nil {
		t.Fatal(err)
	}
	link, err := p.CreateLink(ctx, bizItem, sharing.LinkSpec{Type: "view", Scope: "users", Recipients: []string{emulator.DemoMeganPrincipal, "x@fabrikam.example"}})
	if err != nil {
		t.Fatal(err)
	}
	bt, err := p.Open(ctx, bizItem)
	if err != nil {
		t.Fatal(err)
	}
	l, err := p.RevokeGrants(ctx, bt, link.Link.ID, []string{"x@fabrikam.example"})
	if err != nil || l.GrantedToEmail("x@fabrikam.example") || !l.GrantedToEmail(emulator.DemoMeganPrincipal) {
		t.Errorf("RevokeGrants = %+v, %v", l, err)
	}
}

// Invitations in bulk: one invite sub-request per row, in $batch, 207 read per recipient.
func TestBulkInvite(t *testing.T) {
	p := newProvider(t)
	parser := &Parser{}
	var items []sharing.Item
	var specs []sharing.LinkSpec
	var inputs []string
	yes := true
	for _, row := range [][2]string{{"/Reports/Summary.pdf", emulator.DemoMeganPrincipal}, {"/Reports/Summary.pdf", emulator.DemoUnreachableEmail},
		{emulator.DemoSharedFolderURL, "x@fabrikam.example"}, {"/Nope", "y@fabrikam.example"}} {
		it, _ := parser.Parse(row[0])
		it.Input = row[0]
		items = append(items, it)
		specs = append(specs, sharing.LinkSpec{Recipients: []string{row[1]}, Roles: []string{"read"}, Notify: &yes})
		inputs = append(inputs, row[0])
	}
	s, err := p.InviteSender(items, specs)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(items))
	err = bulk.Run(context.Background(), s, inputs, bulk.Options{OnResult: func(r bulk.Result) {
		if r.Err != nil {
			got[r.Index] = r.Err.Code
			return
		}
		g, err := p.ReadGrant(r, specs[r.Index].Recipients[0])
		if err != nil {
			t.Errorf("ReadGrant: %v", err)
		}
		got[r.Index] = string(g.Status) + " " + g.InnerCode
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"granted ", "granted-not-notified exchangeInvalidUser", "granted ", "itemNotFound"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
