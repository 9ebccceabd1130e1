package emulator

import "testing"

// Sites by id and by server-relative path [SGP]; a colon after the path goes on to the site's
// default library, as the site resource docs describe [SITE].
func TestSites(t *testing.T) {
	e := newEnv(t, Options{})
	for _, p := range []string{
		"/sites/" + DemoSiteID,
		"/sites/contoso.sharepoint.com:/sites/Engineering",
		"/sites/CONTOSO.sharepoint.com:/sites/engineering",
		"/sites/contoso.sharepoint.com:/sites/Engineering:",
	} {
		r := e.get(p)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", p, r.status, r.body)
		}
		m := r.json(t)
		if m["id"] != DemoSiteID || m["name"] != "Engineering" || m["webUrl"] != "https://contoso.sharepoint.com/sites/Engineering" {
			t.Errorf("%s: %s", p, r.body)
		}
		if sc, _ := m["siteCollection"].(map[string]any); sc["hostname"] != "contoso.sharepoint.com" {
			t.Errorf("%s: siteCollection %v", p, m["siteCollection"])
		}
	}
	for _, p := range []string{"/sites/contoso.sharepoint.com:/sites/Engineering:/drive", "/sites/" + DemoSiteID + "/drive"} {
		if r := e.get(p); r.status != 200 || r.json(t)["id"] != DemoSiteDriveID {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
	if r := e.get("/sites/contoso.sharepoint.com:/sites/Engineering:/drive/root:/Specs:"); r.status != 200 || r.json(t)["name"] != "Specs" {
		t.Errorf("item below a site path: %d %s", r.status, r.body)
	}
	for _, p := range []string{"/sites/contoso.sharepoint.com:/sites/Nope", "/sites/fabrikam.sharepoint.com:/sites/Engineering", "/sites/nope,1,2"} {
		r := e.get(p)
		if r.status != 404 || r.errCode(t) != "itemNotFound" {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
}
