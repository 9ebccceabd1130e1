package emulator

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// generated counts the files a fixture's generate rules ask for.
func generated(items []FixtureItem) int {
	n := 0
	for _, it := range items {
		if it.Generate != nil && it.Generate.Count > 0 {
			n += it.Generate.Count
		}
		n += generated(it.Children)
	}
	return n
}

// FuzzLoadFixture reads any bytes as a .json or .yaml fixture: LoadFixture never panics; an accepted
// fixture written back as JSON reads back the same; and New either builds a server from it or refuses it
// with an error, never a panic.
func FuzzLoadFixture(f *testing.F) {
	demo, err := json.Marshal(DemoFixture())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo, false)
	for _, y := range []string{
		"me: a@x\nusers: [{id: u, userPrincipalName: a@x, displayName: A}]\ndrives: [{id: d, driveType: business, owner: u, items: [{name: Docs, children: [{name: a.txt, size: 3}], permissions: [{shareId: 's!d', link: {type: view, scope: organization, webUrl: 'https://t.sharepoint.com/:f:/g/d'}}]}]}]\n",
		"users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: personal, owner: u, items: [{name: F, generate: {count: 30, name: 'f-%03d.txt'}}]}]\n",
		"users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: personal, owner: u, items: [{name: F, generate: {count: 3, name: '%0999999999d'}}]}]\n",
		"users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: personal, owner: u, items: [{name: F, generate: {count: 3, name: 'same'}}]}]\n",
		"users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: cloud, owner: u}]\n",
		"users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: personal, owner: u, items: [{name: A}, {name: a}]}]\n",
		"users: [{id: u, userPrincipalName: u@x}]\ndrives: [{id: d, driveType: documentLibrary, group: g}]\ngroups: [{id: g, displayName: G, drive: d}]\n",
		"me: nobody\n", "userz: []\n", "a: &a [*a]\n", "{", "", "- 1\n",
	} {
		f.Add([]byte(y), true)
	}
	f.Add([]byte(`{"me":"x","users":[],"drives":[],"extra":1}`), false)
	f.Add([]byte(`{"drives":[{"id":"d","driveType":"personal","items":[{"name":"x","createdDateTime":"not a time"}]}]}`), false)
	f.Fuzz(func(t *testing.T, data []byte, isYAML bool) {
		dir := t.TempDir()
		name := "f.json"
		if isYAML {
			name = "f.yaml"
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		fx, err := LoadFixture(p)
		if err != nil {
			return
		}
		js, err := json.Marshal(fx)
		if err != nil {
			t.Fatalf("an accepted fixture has no JSON: %v", err)
		}
		jp := filepath.Join(dir, "back.json")
		if err := os.WriteFile(jp, js, 0o600); err != nil {
			t.Fatal(err)
		}
		back, err := LoadFixture(jp)
		if err != nil {
			t.Fatalf("fixture written back as JSON does not load: %v\n%s", err, js)
		}
		if js2, _ := json.Marshal(back); !bytes.Equal(js, js2) {
			t.Fatalf("JSON round trip changed the fixture:\n%s\n%s", js, js2)
		}
		n := 0
		for _, d := range fx.Drives {
			n += generated(d.Items)
		}
		if n > 2000 {
			return // building big folders is TestBigFolder's job; keep each input fast
		}
		if s, err := New(Options{Seed: fx}); err == nil && s == nil {
			t.Fatal("New returned neither a server nor an error")
		}
	})
}
