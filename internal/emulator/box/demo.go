package box

import "time"

// Demo data identifiers: tests, scripts and the README address the built-in fixture with these.
const (
	DemoEnterpriseID   = "500100" // Northwind: paid, links https://northwind.app.box.com, default company, custom URLs on
	DemoFabrikamID     = "500200" // Fabrikam: paid, company and collaborators only, default collaborators, no edit links
	DemoPersonalID     = "500300" // a free account
	DemoUserID         = "200001" // Ada Lovelace, Northwind admin, owns the demo items
	DemoUserLogin      = "ada@northwind.example"
	DemoMeganID        = "200002" // Northwind; editor on /Reports, viewer on /Team only
	DemoMeganLogin     = "megan@northwind.example"
	DemoVicID          = "200003" // Northwind; viewer on /Reports
	DemoFredID         = "200004" // Fabrikam
	DemoSamID          = "200005" // free account
	DemoDeveloperToken = "AdaDeveloperToken000000000000001"
	DemoMeganToken     = "MeganDeveloperToken0000000000002"
	DemoVicToken       = "VicDeveloperToken000000000000003"
	DemoFredToken      = "FredDeveloperToken00000000000004"
	DemoSamToken       = "SamDeveloperToken000000000000005"

	DemoReportsFolderID = "300001" // /Reports: open link, collaborators Megan (editor) and Vic (viewer)
	DemoQ3FileID        = "300002" // /Reports/Q3 report.pdf: company link with a vanity name
	DemoBudgetFileID    = "300003" // /Reports/Budget 2025.xlsx: no link
	DemoHostileFileID   = "300004" // /Reports/Café ünïcode & co.docx: no link
	DemoWebLinkID       = "300005" // /Reports/Box developer docs: a web link
	DemoArchiveFolderID = "300006" // /Reports/Archive: 250 generated files
	DemoRestrictedID    = "300007" // /Reports/Restricted: links limited to collaborators
	DemoPrivateFolderID = "300010" // /Private: no link
	DemoPasswordedID    = "300020" // /Passworded: open link with DemoLinkPassword, expires 2099
	DemoTeamOnlyID      = "300030" // /Team only: collaborators link
	DemoNotesFileID     = "300040" // /Notes.txt: no link
	DemoFabrikamDocsID  = "400001" // Fred's /Fabrikam Docs: company link
	DemoSamFolderID     = "500001" // Sam's /Holiday photos

	DemoReportsLinkURL    = "https://northwind.app.box.com/s/reportsdemolink00000000000000001"
	DemoQ3LinkURL         = "https://northwind.app.box.com/s/q3reportdemolink0000000000000002"
	DemoQ3VanityURL       = "https://northwind.app.box.com/v/northwind-q3-report"
	DemoPasswordedLinkURL = "https://northwind.app.box.com/s/passwordeddemolink00000000000003"
	DemoTeamOnlyLinkURL   = "https://northwind.app.box.com/s/teamonlydemolink0000000000000004"
	DemoFabrikamLinkURL   = "https://fabrikam.app.box.com/s/fabrikamdocslink0000000000000005"
	// DemoLinkPassword holds '&' and '=' on purpose: the BoxApi header carries it unencoded.
	DemoLinkPassword = "Sesame&Open=9"

	// DemoClientID and DemoClientSecret are the OAuth 2.0 app; its redirect URIs are
	// http://127.0.0.1/callback, http://localhost/callback, http://127.0.0.1/ and
	// http://localhost/, each on any port.
	DemoClientID     = "odshareboxdemo0000000000000oauth"
	DemoClientSecret = "DemoBoxOAuthSecret00000000000001"
	// DemoCCGClientID and DemoCCGSecret are a Client Credentials app of Northwind, authorized,
	// with "Generate user access tokens".
	DemoCCGClientID = "odshareboxdemo000000000000000ccg"
	DemoCCGSecret   = "DemoBoxCCGSecret0000000000000002"
	// DemoUnauthorizedCCGClientID is a Fabrikam CCG app its admin has not authorized.
	DemoUnauthorizedCCGClientID = "fabrikamboxdemo00000000000000ccg"
	DemoUnauthorizedCCGSecret   = "DemoBoxCCGSecret0000000000000003"
)

// DemoFixture returns the built-in Box data (see the Demo constants); a fresh copy each time.
func DemoFixture() *Fixture {
	t0 := time.Date(2024, 3, 4, 9, 30, 0, 0, time.UTC)
	t1 := time.Date(2024, 9, 18, 14, 5, 12, 0, time.UTC)
	file := func(id, name string, size int64) FixtureItem {
		return FixtureItem{ID: id, Name: name, Size: size, Created: t0, Modified: t1}
	}
	folder := func(id, name string, children ...FixtureItem) FixtureItem {
		return FixtureItem{ID: id, Type: TypeFolder, Name: name, Created: t0, Modified: t1, Children: children}
	}
	no := false
	reports := folder(DemoReportsFolderID, "Reports",
		file(DemoQ3FileID, "Q3 report.pdf", 120334),
		file(DemoBudgetFileID, "Budget 2025.xlsx", 22110),
		file(DemoHostileFileID, "Café ünïcode & co.docx", 30211),
		FixtureItem{ID: DemoWebLinkID, Name: "Box developer docs", URL: "https://developer.box.com/", Created: t0, Modified: t1},
		FixtureItem{ID: DemoArchiveFolderID, Name: "Archive", Created: t0, Modified: t1,
			Generate: &FixtureGenerate{Count: 250, Name: "report-%03d.csv", Size: 2048}},
		FixtureItem{ID: DemoRestrictedID, Type: TypeFolder, Name: "Restricted", Created: t0, Modified: t1,
			AllowedAccess: []string{AccessCollaborators}, Children: []FixtureItem{file("300008", "Internal.txt", 512)}},
	)
	reports.SharedLink = &FixtureLink{Token: "reportsdemolink00000000000000001", Access: AccessOpen, DownloadCount: 3, PreviewCount: 12}
	reports.Children[0].SharedLink = &FixtureLink{Token: "q3reportdemolink0000000000000002", Access: AccessCompany,
		VanityName: "northwind-q3-report", CanDownload: &no}
	reports.Collaborations = []FixtureCollaboration{{User: DemoMeganLogin, Role: "editor"}, {User: "vic@northwind.example", Role: "viewer"}}
	passworded := folder(DemoPasswordedID, "Passworded", file("300021", "Inside.pdf", 4096))
	passworded.SharedLink = &FixtureLink{Token: "passwordeddemolink00000000000003", Access: AccessOpen,
		Password: DemoLinkPassword, UnsharedAt: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}
	team := folder(DemoTeamOnlyID, "Team only", file("300031", "Roster.xlsx", 8800))
	team.SharedLink = &FixtureLink{Token: "teamonlydemolink0000000000000004", Access: AccessCollaborators}
	team.Collaborations = []FixtureCollaboration{{User: DemoMeganLogin, Role: "viewer"}}
	fabDocs := folder(DemoFabrikamDocsID, "Fabrikam Docs", file("400002", "Contract.pdf", 70000))
	fabDocs.SharedLink = &FixtureLink{Token: "fabrikamdocslink0000000000000005", Access: AccessCompany}
	return &Fixture{
		Me: DemoUserLogin,
		Enterprises: []FixtureEnterprise{
			{ID: DemoEnterpriseID, Name: "Northwind", Plan: PlanPaid, Subdomain: "northwind", DefaultAccess: AccessCompany, CustomURLs: true},
			{ID: DemoFabrikamID, Name: "Fabrikam", Plan: PlanPaid, Subdomain: "fabrikam", DefaultAccess: AccessCollaborators,
				AllowedAccess: []string{AccessCompany, AccessCollaborators}, NoEditLinks: true},
			{ID: DemoPersonalID, Name: "Personal", Plan: PlanFree},
		},
		Users: []FixtureUser{
			{ID: DemoUserID, Login: DemoUserLogin, Name: "Ada Lovelace", Enterprise: DemoEnterpriseID, Role: "admin",
				DeveloperToken: DemoDeveloperToken, Items: []FixtureItem{
					reports,
					folder(DemoPrivateFolderID, "Private", file("300011", "Plan.docx", 4410)),
					passworded,
					team,
					file(DemoNotesFileID, "Notes.txt", 120),
				}},
			{ID: DemoMeganID, Login: DemoMeganLogin, Name: "Megan Bowen", Enterprise: DemoEnterpriseID, DeveloperToken: DemoMeganToken},
			{ID: DemoVicID, Login: "vic@northwind.example", Name: "Vic Viewer", Enterprise: DemoEnterpriseID, DeveloperToken: DemoVicToken},
			{ID: DemoFredID, Login: "fred@fabrikam.example", Name: "Fred Fabrikam", Enterprise: DemoFabrikamID,
				Timezone: "Europe/Berlin", DeveloperToken: DemoFredToken, Items: []FixtureItem{fabDocs}},
			{ID: DemoSamID, Login: "sam@personal.example", Name: "Sam Free", Enterprise: DemoPersonalID, Timezone: "UTC",
				DeveloperToken: DemoSamToken, Items: []FixtureItem{folder(DemoSamFolderID, "Holiday photos", file("500002", "beach.jpg", 2483112))}},
		},
		Apps: []FixtureApp{
			{ClientID: DemoClientID, ClientSecret: DemoClientSecret, Name: "odshare", Auth: AuthOAuth,
				RedirectURIs: []string{"http://127.0.0.1/callback", "http://localhost/callback", "http://127.0.0.1/", "http://localhost/"}},
			{ClientID: DemoCCGClientID, ClientSecret: DemoCCGSecret, Name: "odshare automation", Auth: AuthCCG,
				Enterprise: DemoEnterpriseID, UserTokens: true},
			{ClientID: DemoUnauthorizedCCGClientID, ClientSecret: DemoUnauthorizedCCGSecret, Name: "fabrikam sync", Auth: AuthCCG,
				Enterprise: DemoFabrikamID, Unauthorized: true},
		},
	}
}
