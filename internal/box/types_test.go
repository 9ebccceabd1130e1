package box

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func ptr[T any](v T) *T { return &v }

func TestSharedLinkBodies(t *testing.T) {
	exp := At(time.Date(2026, 12, 31, 9, 0, 0, 999_000_000, time.FixedZone("PST", -8*3600)))
	cases := []struct {
		name string
		link Nullable[SharedLinkParams]
		want string
	}{
		{"remove", Null[SharedLinkParams](), `{"shared_link":null}`},
		{"all defaults", Value(SharedLinkParams{}), `{"shared_link":{}}`},
		{"open with password and expiry", Value(SharedLinkParams{
			Access: AccessOpen, Password: Value("S3cret!pass"), UnsharedAt: Value(exp),
			Permissions: &LinkPermissionParams{CanDownload: ptr(true)},
		}), `{"shared_link":{"access":"open","password":"S3cret!pass","unshared_at":"2026-12-31T17:00:00+00:00","permissions":{"can_download":true}}}`},
		{"clear expiry and password", Value(SharedLinkParams{UnsharedAt: Null[Timestamp](), Password: Null[string]()}),
			`{"shared_link":{"password":null,"unshared_at":null}}`},
		{"vanity and edit", Value(SharedLinkParams{Access: AccessCompany, VanityName: Value("q3-report-2026"),
			Permissions: &LinkPermissionParams{CanDownload: ptr(true), CanEdit: ptr(true)}}),
			`{"shared_link":{"access":"company","vanity_name":"q3-report-2026","permissions":{"can_download":true,"can_edit":true}}}`},
		{"no download", Value(SharedLinkParams{Access: AccessOpen, Permissions: &LinkPermissionParams{CanDownload: ptr(false)}}),
			`{"shared_link":{"access":"open","permissions":{"can_download":false}}}`},
		{"empty permissions", Value(SharedLinkParams{Access: AccessCollaborators, Permissions: &LinkPermissionParams{}, VanityName: Null[string]()}),
			`{"shared_link":{"access":"collaborators","vanity_name":null,"permissions":{}}}`},
	}
	for _, c := range cases {
		b, err := json.Marshal(struct {
			SharedLink Nullable[SharedLinkParams] `json:"shared_link"`
		}{c.link})
		if err != nil || string(b) != c.want {
			t.Errorf("%s:\n got %s, %v\nwant %s", c.name, b, err, c.want)
		}
	}
}

func TestNullable(t *testing.T) {
	var omitted Nullable[string]
	if !omitted.IsZero() || omitted.IsNull() {
		t.Error("zero value is not omitted")
	}
	if v, ok := omitted.Get(); ok || v != "" {
		t.Error("omitted Get")
	}
	if n := Null[string](); n.IsZero() || !n.IsNull() {
		t.Error("Null")
	}
	if v, ok := Value("x").Get(); !ok || v != "x" {
		t.Error("Value Get")
	}
	// Without omitzero an omitted field must not silently become something.
	if _, err := json.Marshal(struct {
		P Nullable[string] `json:"p"`
	}{}); !errors.Is(err, errOmitted) {
		t.Errorf("untagged omitted field: err = %v", err)
	}
	// Reading back: absent stays omitted, null is Null, a value is a Value.
	var p SharedLinkParams
	if err := json.Unmarshal([]byte(`{"password":null,"vanity_name":"abcdefghijkl","unshared_at":"2026-12-31T09:00:00-08:00"}`), &p); err != nil {
		t.Fatal(err)
	}
	if !p.Password.IsNull() || p.UnsharedAt.IsZero() {
		t.Errorf("decoded %+v", p)
	}
	if v, ok := p.VanityName.Get(); !ok || v != "abcdefghijkl" {
		t.Errorf("vanity = %q, %v", v, ok)
	}
	if ts, _ := p.UnsharedAt.Get(); !ts.Equal(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)) {
		t.Errorf("unshared_at = %v", ts)
	}
	var q SharedLinkParams
	if err := json.Unmarshal([]byte(`{}`), &q); err != nil || !q.Password.IsZero() || !q.UnsharedAt.IsZero() {
		t.Errorf("absent fields: %+v, %v", q, err)
	}
}

func TestItemDecodesBoxObjects(t *testing.T) {
	// Box's example answer to PUT /files/{id}?fields=shared_link (box-openapi), in a Pacific offset.
	body := `{"id":"12345","type":"file","etag":"1","shared_link":{"url":"https://www.box.com/s/vspke7y05sb214wjokpk",
	"download_url":"https://www.box.com/shared/static/rh935iit6ewrmw0unyul.jpeg","vanity_url":null,"vanity_name":null,
	"access":"open","effective_access":"company","effective_permission":"can_download",
	"unshared_at":"2026-04-13T13:53:23-07:00","is_password_enabled":true,
	"permissions":{"can_download":true,"can_preview":true,"can_edit":false},"download_count":3,"preview_count":3}}`
	var it Item
	if err := json.Unmarshal([]byte(body), &it); err != nil {
		t.Fatal(err)
	}
	sl := it.SharedLink
	if it.Type != File || it.ID != "12345" || sl == nil || sl.URL != "https://www.box.com/s/vspke7y05sb214wjokpk" ||
		sl.VanityURL != "" || sl.EffectiveAccess != AccessCompany || sl.EffectivePermission != PermissionCanDownload ||
		!sl.IsPasswordEnabled || !sl.Permissions.CanDownload || sl.Permissions.CanEdit || sl.DownloadCount != 3 {
		t.Errorf("decoded %+v / %+v", it, sl)
	}
	if sl.UnsharedAt == nil || !sl.UnsharedAt.Equal(time.Date(2026, 4, 13, 20, 53, 23, 0, time.UTC)) {
		t.Errorf("unshared_at = %v", sl.UnsharedAt)
	}
	var none Item
	if err := json.Unmarshal([]byte(`{"id":"1","type":"folder","shared_link":null}`), &none); err != nil || none.SharedLink != nil {
		t.Errorf("no link: %+v, %v", none, err)
	}
	var bad Item
	if err := json.Unmarshal([]byte(`{"id":"1","type":"file","shared_link":{"unshared_at":"2026-04-13T13:53:23"}}`), &bad); err == nil {
		t.Error("a zone-less unshared_at was accepted")
	}
}

func TestItemTypes(t *testing.T) {
	for typ, want := range map[ItemType]string{File: "files", Folder: "folders", WebLink: "web_links"} {
		if got, err := typ.collection(); err != nil || got != want || !typ.Valid() {
			t.Errorf("%s: %q, %v", typ, got, err)
		}
	}
	for _, bad := range []ItemType{"", "File", "weblink", "collection", "user"} {
		if bad.Valid() {
			t.Errorf("%q is valid", bad)
		}
	}
}
