package box_test

// These tests run the Box client against odshare-emulator's Box stand-in (package emulator/box), served
// over TLS on loopback and reached through httpx's transport, as the provider will use it. The stand-in
// keeps its own JSON and shares no types with the client, so a wrong tag here fails here.

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/odshare/odshare/internal/box"
	boxemu "github.com/odshare/odshare/internal/emulator/box"
	"github.com/odshare/odshare/internal/emulator/kit"
	"github.com/odshare/odshare/internal/httpx"
	"github.com/odshare/odshare/internal/testutil/scripted"
)

type emuEnv struct {
	srv    *boxemu.Server
	client *box.Client
	clock  *scripted.Clock
	waits  *scripted.Sleeps
}

// startEmulator serves the demo fixture over TLS and returns a client signed in as tokens (Ada's
// developer token when nil).
func startEmulator(t *testing.T, opts boxemu.Options, tokens box.TokenSource) *emuEnv {
	t.Helper()
	clk := scripted.NewClock(time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC))
	opts.Clock = clk.Now
	if opts.RandomSeed == 0 {
		opts.RandomSeed = 11
	}
	srv, err := boxemu.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv)
	t.Cleanup(ts.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	hc, err := httpx.NewClient(httpx.Options{RootCAs: pool, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if tokens == nil {
		tokens = scripted.StaticTokens(boxemu.DemoDeveloperToken)
	}
	waits := &scripted.Sleeps{}
	c, err := box.New(box.Options{BaseURL: ts.URL + "/2.0", HTTPClient: hc, Tokens: tokens, UserAgent: "odshare/test",
		Sleep: func(ctx context.Context, d time.Duration) error {
			_ = waits.Sleep(ctx, d)
			return clk.Sleep(ctx, d)
		}})
	if err != nil {
		t.Fatal(err)
	}
	return &emuEnv{srv: srv, client: c, clock: clk, waits: waits}
}

// last is the emulator's record of the last API request.
func (e *emuEnv) last(t *testing.T) kit.RecordedRequest {
	t.Helper()
	reqs := e.srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("the emulator saw no request")
	}
	return reqs[len(reqs)-1]
}

func TestEmulatorUserAndItems(t *testing.T) {
	e := startEmulator(t, boxemu.Options{}, nil)
	ctx := context.Background()
	u, _, err := e.client.GetUsersMe(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != boxemu.DemoUserID || u.Login != boxemu.DemoUserLogin || u.Enterprise == nil || u.Enterprise.ID != boxemu.DemoEnterpriseID {
		t.Errorf("user = %+v", u)
	}
	it, raw, err := e.client.GetItem(ctx, box.File, boxemu.DemoQ3FileID, []string{"shared_link", "name"})
	if err != nil {
		t.Fatal(err)
	}
	sl := it.SharedLink
	if it.Name != "Q3 report.pdf" || sl == nil || sl.URL != boxemu.DemoQ3LinkURL || sl.VanityURL != boxemu.DemoQ3VanityURL ||
		sl.Access != box.AccessCompany || !strings.Contains(string(raw), `"shared_link"`) {
		t.Errorf("item = %+v, link %+v", it, sl)
	}
	if r := e.last(t); r.Method != "GET" || r.RawURI != "/2.0/files/"+boxemu.DemoQ3FileID+"?fields=shared_link,name" || r.Status != 200 {
		t.Errorf("recorded %s %s -> %d", r.Method, r.RawURI, r.Status)
	}
	none, _, err := e.client.GetItem(ctx, box.File, boxemu.DemoBudgetFileID, []string{"shared_link"})
	if err != nil || none.SharedLink != nil {
		t.Errorf("no link: %+v, %v", none, err)
	}
}

func TestEmulatorSharedLinkLifecycle(t *testing.T) {
	e := startEmulator(t, boxemu.Options{}, nil)
	ctx := context.Background()
	fields := []string{"shared_link"}
	exp := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)
	pw := "Open-Sesame-42"
	created, _, err := e.client.SetSharedLink(ctx, box.File, boxemu.DemoBudgetFileID, box.Value(box.SharedLinkParams{
		Access: box.AccessOpen, Password: box.Value(pw), UnsharedAt: box.Value(box.At(exp)),
		Permissions: &box.LinkPermissionParams{CanDownload: ptr(true)},
	}), fields)
	if err != nil {
		t.Fatal(err)
	}
	r := e.last(t)
	if r.Method != "PUT" || r.RawURI != "/2.0/files/"+boxemu.DemoBudgetFileID+"?fields=shared_link" || !e.srv.SecretIs(r, "password", pw) ||
		!strings.Contains(string(r.Body), `"unshared_at":"2026-12-31T17:00:00+00:00"`) {
		t.Errorf("recorded %s %s %s", r.Method, r.RawURI, r.Body)
	}
	sl := created.SharedLink
	if sl == nil || sl.EffectiveAccess != box.AccessOpen || !sl.IsPasswordEnabled || sl.UnsharedAt == nil || !sl.UnsharedAt.Equal(exp) ||
		!sl.Permissions.CanDownload {
		t.Fatalf("created %+v", sl)
	}
	// Box answers in the user's zone (Ada is in Los Angeles): the same instant, another offset.
	if _, off := sl.UnsharedAt.Zone(); off == 0 {
		t.Errorf("the emulator answered unshared_at in UTC, not Ada's zone: %v", sl.UnsharedAt.Time)
	}

	// Clearing password and expiry sends explicit nulls and keeps the URL.
	cleared, _, err := e.client.SetSharedLink(ctx, box.File, boxemu.DemoBudgetFileID, box.Value(box.SharedLinkParams{
		Password: box.Null[string](), UnsharedAt: box.Null[box.Timestamp](),
	}), fields)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.last(t); string(r.Body) != `{"shared_link":{"password":null,"unshared_at":null}}` {
		t.Errorf("recorded body %s", r.Body)
	}
	if c := cleared.SharedLink; c == nil || c.URL != sl.URL || c.IsPasswordEnabled || c.UnsharedAt != nil {
		t.Errorf("cleared %+v", c)
	}

	// Removing it, then creating again, gives a new URL; the old one is dead.
	removed, _, err := e.client.SetSharedLink(ctx, box.File, boxemu.DemoBudgetFileID, box.Null[box.SharedLinkParams](), fields)
	if err != nil || removed.SharedLink != nil {
		t.Fatalf("removed %+v, %v", removed, err)
	}
	if r := e.last(t); string(r.Body) != `{"shared_link":null}` {
		t.Errorf("recorded body %s", r.Body)
	}
	again, _, err := e.client.SetSharedLink(ctx, box.File, boxemu.DemoBudgetFileID, box.Value(box.SharedLinkParams{}), fields)
	if err != nil || again.SharedLink == nil || again.SharedLink.URL == sl.URL {
		t.Fatalf("re-created %+v, %v", again, err)
	}
	_, _, err = e.client.GetSharedItem(ctx, box.LinkAccess{URL: sl.URL}, nil)
	var be *box.Error
	if !errors.As(err, &be) || be.StatusCode != 404 {
		t.Errorf("old link: err = %v", err)
	}
	if st := e.srv.Stats(); st.SharedLinks.Created != 2 || st.SharedLinks.Updated != 1 || st.SharedLinks.Removed != 1 {
		t.Errorf("stats %+v", st.SharedLinks)
	}
}

func ptr[T any](v T) *T { return &v }

func TestEmulatorRefusalsAreOneLine(t *testing.T) {
	e := startEmulator(t, boxemu.Options{}, nil)
	ctx := context.Background()
	_, _, err := e.client.SetSharedLink(ctx, box.File, boxemu.DemoBudgetFileID, box.Value(box.SharedLinkParams{
		Access: box.AccessCollaborators, Permissions: &box.LinkPermissionParams{CanDownload: ptr(true)},
	}), []string{"shared_link"})
	var be *box.Error
	if !errors.As(err, &be) || be.StatusCode != 400 || be.Code != "bad_request" || len(be.Details) == 0 ||
		be.Details[0].Name != "shared_link_permissions" || be.RequestID == "" {
		t.Fatalf("err = %#v", err)
	}
	text := err.Error()
	if strings.Contains(text, "\n") || !strings.Contains(text, "shared_link_permissions") || !strings.HasSuffix(text, "(HTTP 400, request-id "+be.RequestID+")") {
		t.Errorf("text = %q", text)
	}
	if _, _, err := e.client.GetItem(ctx, box.File, "987654321", nil); !errors.As(err, &be) || be.StatusCode != 404 || be.Code != "not_found" {
		t.Errorf("missing item: %v", err)
	}
	bad := startEmulator(t, boxemu.Options{}, scripted.StaticTokens("not-a-token"))
	_, _, err = bad.client.GetUsersMe(ctx, nil)
	if !errors.As(err, &be) || !be.Unauthorized() {
		t.Errorf("bad token: %v", err)
	}
}

func TestEmulatorSharedItemsAndBoxAPI(t *testing.T) {
	// Sam is on a free account of another enterprise: the open Passworded link is all he has.
	e := startEmulator(t, boxemu.Options{}, scripted.StaticTokens(boxemu.DemoSamToken))
	ctx := context.Background()
	link := box.LinkAccess{URL: boxemu.DemoPasswordedLinkURL, Password: boxemu.DemoLinkPassword}
	it, _, err := e.client.GetSharedItem(ctx, link, []string{"name"})
	if err != nil {
		t.Fatal(err)
	}
	if it.ID != boxemu.DemoPasswordedID || it.Type != box.Folder {
		t.Errorf("item = %+v", it)
	}
	r := e.last(t)
	if r.RawURI != "/2.0/shared_items?fields=name" || r.Header.Get("BoxApi") != "shared_link="+boxemu.DemoPasswordedLinkURL+"&shared_link_password="+kit.Redacted ||
		!e.srv.SecretIs(r, "shared_link_password", boxemu.DemoLinkPassword) {
		t.Errorf("recorded %s BoxApi %q", r.RawURI, r.Header.Get("BoxApi"))
	}
	var pages int
	err = e.client.ListFolderItems(ctx, it.ID, box.ListOptions{Link: &link, Fields: []string{"name"}}, func(p *box.Page) error {
		pages++
		return nil
	})
	if err != nil || pages == 0 {
		t.Errorf("listing the shared folder: %d pages, %v", pages, err)
	}
	_, _, err = e.client.GetSharedItem(ctx, box.LinkAccess{URL: boxemu.DemoPasswordedLinkURL, Password: "Wrong-Pass-1"}, nil)
	var be *box.Error
	if !errors.As(err, &be) || be.StatusCode != 403 || be.Code != "incorrect_shared_item_password" {
		t.Errorf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), "Wrong-Pass") {
		t.Errorf("the error shows the password: %v", err)
	}
}

func TestEmulatorPagingAndPaths(t *testing.T) {
	e := startEmulator(t, boxemu.Options{}, nil)
	ctx := context.Background()
	seen := map[string]bool{}
	var sizes []int
	err := e.client.ListFolderItems(ctx, boxemu.DemoArchiveFolderID, box.ListOptions{Limit: 100}, func(p *box.Page) error {
		sizes = append(sizes, len(p.Entries))
		for _, en := range p.Entries {
			if seen[en.ID] {
				t.Errorf("entry %s twice", en.ID)
			}
			seen[en.ID] = true
		}
		return nil
	})
	if err != nil || len(seen) != 250 || len(sizes) != 3 {
		t.Fatalf("%d entries in pages %v, %v", len(seen), sizes, err)
	}
	reqs := e.srv.Requests()
	if r := reqs[len(reqs)-3]; r.RawURI != "/2.0/folders/"+boxemu.DemoArchiveFolderID+"/items?limit=100&usemarker=true" {
		t.Errorf("first page %s", r.RawURI)
	}
	if r := reqs[len(reqs)-2]; !strings.Contains(r.RawURI, "&marker=") {
		t.Errorf("second page %s", r.RawURI)
	}

	en, err := e.client.ResolvePath(ctx, "/reports/q3 REPORT.PDF", false)
	if err != nil || en.Type != box.File || en.ID != boxemu.DemoQ3FileID {
		t.Errorf("resolve: %+v, %v", en, err)
	}
	en, err = e.client.ResolvePath(ctx, "/Reports/Archive/report-200.csv", false)
	if err != nil || en.Type != box.File {
		t.Errorf("resolve in the archive: %+v, %v", en, err)
	}
	_, err = e.client.ResolvePath(ctx, "/Reports/Nope.txt", false)
	var pe *box.PathError
	if !errors.As(err, &pe) || pe.Name != "Nope.txt" || pe.Parent != "/Reports" {
		t.Errorf("missing: %v", err)
	}
	// A parsed argument resolves the same way.
	ref, err := box.ParseRef("box:/Reports/Box developer docs")
	if err != nil {
		t.Fatal(err)
	}
	en, err = e.client.ResolvePath(ctx, ref.Path, ref.Dir)
	if err != nil || en.Type != box.WebLink || en.ID != boxemu.DemoWebLinkID {
		t.Errorf("web link: %+v, %v", en, err)
	}
}

func TestEmulatorThrottleFaultsAndRefresh(t *testing.T) {
	e := startEmulator(t, boxemu.Options{Throttle: &kit.Throttle{RatePerSecond: 2, Burst: 1}}, nil)
	ctx := context.Background()
	for range 6 {
		if _, _, err := e.client.GetItem(ctx, box.Folder, boxemu.DemoReportsFolderID, []string{"name"}); err != nil {
			t.Fatal(err)
		}
	}
	if st := e.srv.Stats(); st.Throttled == 0 {
		t.Error("the throttle never answered 429")
	}
	for _, w := range e.waits.Got() {
		if w <= 0 || w > 2*time.Second || w%time.Second != 0 {
			t.Errorf("wait %v is not the emulator's whole-second retry-after", w)
		}
	}

	f := startEmulator(t, boxemu.Options{}, nil)
	f.srv.AddFault(kit.Fault{Method: "PUT", Path: "/files/*", Status: 503, Times: 1})
	f.srv.AddFault(kit.Fault{Method: "PUT", Path: "/files/*", Reset: true, Times: 1})
	it, _, err := f.client.SetSharedLink(ctx, box.File, boxemu.DemoNotesFileID, box.Value(box.SharedLinkParams{Access: box.AccessCompany}), []string{"shared_link"})
	if err != nil || it.SharedLink == nil {
		t.Fatalf("after a 503 and a reset: %+v, %v", it, err)
	}
	var puts []kit.RecordedRequest
	for _, r := range f.srv.Requests() {
		if r.Method == "PUT" {
			puts = append(puts, r)
		}
	}
	if len(puts) < 2 || len(f.waits.Got()) != 2 {
		t.Errorf("%d PUTs recorded, waits %v", len(puts), f.waits.Got())
	}
	for _, r := range puts {
		if string(r.Body) != `{"shared_link":{"access":"company"}}` {
			t.Errorf("attempt body %s", r.Body)
		}
	}

	tokens := &scripted.RefreshingTokens{Cur: "expired-token-0000", Next: boxemu.DemoDeveloperToken}
	g := startEmulator(t, boxemu.Options{}, tokens)
	if _, _, err := g.client.GetUsersMe(ctx, nil); err != nil || tokens.Refreshes() != 1 {
		t.Errorf("refresh: %v after %d refreshes", err, tokens.Refreshes())
	}
}
