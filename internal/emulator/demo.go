package emulator

import "time"

// Demo data identifiers. Tests and the demo script address the built-in fixture through these.
const (
	DemoUserID           = "87d349ed-44d7-43e1-9a83-5f2406dee5bd"
	DemoUserPrincipal    = "adele@contoso.example"
	DemoUserDisplayName  = "Adele Vance"
	DemoMeganID          = "48d31887-5fad-4d73-a9f5-3c356e68a038"
	DemoMeganPrincipal   = "megan@contoso.example"
	DemoPersonalDriveID  = "d4648f06c91d9d3d"
	DemoBusinessDriveID  = "b!AdeleVanceBusinessDrive-9hJfTkq0xYV2wLdM1rQb6zY8tK3nP5sW7uE4cG2f"
	DemoMeganDriveID     = "b!MeganBowenBusinessDrive-3kLmN8pQ2rS5tU7vW9xY1zA4bC6dE8fG0hJ2kL4m"
	DemoGroupID          = "02bd9fd6-8f93-4758-87c3-1fb73740a315"
	DemoGroupDriveID     = "b!MarketingGroupLibrary-Q7wE5rT3yU1iO9pA2sD4fG6hJ8kL0zX2cV4bN6mQ8"
	DemoSiteID           = "contoso.sharepoint.com,2c7b3d5e-1f0a-4b6c-9d8e-7f6a5b4c3d2e,0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	DemoSiteDriveID      = "b!EngineeringSiteLibrary-Z1xC3vB5nM7qW9eR2tY4uI6oP8aS0dF2gH4jK6lZ"
	DemoApplicationID    = "b4d5c9a2-6c1e-4f0b-9a7d-0d5e0a11ce01"
	DemoApplicationName  = "odshare"
	DemoReportsFolderID  = "D4648F06C91D9D3D!1001" // Adele's personal /Reports
	DemoArchiveFolderID  = "D4648F06C91D9D3D!1002" // Adele's personal /Reports/Archive (450 files)
	DemoHostileFileID    = "D4648F06C91D9D3D!1003" // Adele's personal "/Reports/Q3 #1 100%.xlsx"
	DemoBusinessReportID = "01ADELEBIZREPORTSFOLDER0000000001"

	// DemoSharedFolderURL is an existing anonymous view link to Adele's personal /Reports folder.
	DemoSharedFolderURL = "https://1drv.ms/f/s!AvNMRY4ml2WPgZpmYiFDOhNyFgakRQ"
	// DemoSharedFolderShareID is the shareId of DemoSharedFolderURL's permission.
	DemoSharedFolderShareID = "s!AvNMRY4ml2WPgZpmYiFDOhNyFgakRQ"
	// DemoSharedFolderLinkID is the permission id of DemoSharedFolderURL.
	DemoSharedFolderLinkID = "demo-folder-link"
	// DemoUserPermissionID is a direct grant (grantedToV2, roles ["write"]) to Megan on Adele's
	// personal /Reports: a permission that is not a link.
	DemoUserPermissionID = "demo-user-megan"
	// DemoInvitationPermissionID is an unredeemed e-mail invitation (roles ["read"]) to
	// DemoInvitationEmail on Adele's personal /Reports.
	DemoInvitationPermissionID = "demo-invitation"
	// DemoInvitationEmail is the invited guest's address.
	DemoInvitationEmail = "guest@fabrikam.example"
	// DemoSharedFileURL is an existing organization edit link to Adele's business
	// "/Reports/Budget 2024.xlsx".
	DemoSharedFileURL = "https://contoso.sharepoint.com/:x:/g/personal/adele_contoso_example/EeQ3cYl2bT1Fh9Kx0oDemoFileLink0AAAA"
	// DemoUnreachableEmail is an address invite grants access to but can't notify (the demo
	// fixture's notifyFailures: exchangeInvalidUser).
	DemoUnreachableEmail = "unreachable@fabrikam.example"
	// DemoSharedFileShareID is the shareId of DemoSharedFileURL's permission.
	DemoSharedFileShareID = "s!EeQ3cYl2bT1Fh9Kx0oDemoFileLink0AAAA"
)

// DemoFixture returns the built-in demo data: Adele Vance (the default user) with a personal and a
// business drive, Megan Bowen with a business drive, a group and a site library, hostile names,
// a 450-file folder (three pages at Graph's default page size of 200), two existing links and,
// on the personal /Reports, a direct grant to Megan and an e-mail invitation.
// A fresh copy is returned each time so callers may modify it.
func DemoFixture() *Fixture {
	t0 := time.Date(2024, 3, 4, 9, 30, 0, 0, time.UTC)
	t1 := time.Date(2024, 9, 18, 14, 5, 12, 0, time.UTC)
	file := func(name string, size int64, mime string) FixtureItem {
		return FixtureItem{Name: name, Size: size, MimeType: mime, Created: t0, Modified: t1}
	}
	xlsx := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	docx := "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	archive := FixtureItem{Name: "Archive", Folder: true, Created: t0, Modified: t1,
		Generate: &FixtureGenerate{Count: 450, Name: "report-%03d.csv", Size: 2048, MimeType: "text/csv"}}

	personalReports := FixtureItem{ID: DemoReportsFolderID, Name: "Reports", Folder: true, Created: t0, Modified: t1,
		Children: []FixtureItem{
			withID(file("Q3 #1 100%.xlsx", 18422, xlsx), DemoHostileFileID),
			file("Café ünïcode.docx", 30211, docx),
			file("Budget 2024+draft.xlsx", 9102, xlsx),
			file("Summary.pdf", 120334, "application/pdf"),
			withID(archive, DemoArchiveFolderID),
		},
		Permissions: []FixturePermission{
			{ID: DemoSharedFolderLinkID, ShareID: DemoSharedFolderShareID,
				Link: &FixtureLink{Type: "view", Scope: "anonymous", WebURL: DemoSharedFolderURL}},
			{ID: DemoUserPermissionID, Roles: []string{"write"}, GrantedTo: []string{DemoMeganPrincipal}},
			{ID: DemoInvitationPermissionID, Roles: []string{"read"},
				Invitation: &FixtureInvitation{Email: DemoInvitationEmail, SignInRequired: true}},
		},
	}
	businessReports := FixtureItem{ID: DemoBusinessReportID, Name: "Reports", Folder: true, Created: t0, Modified: t1,
		Children: []FixtureItem{
			{Name: "Budget 2024.xlsx", Size: 22110, MimeType: xlsx, Created: t0, Modified: t1,
				Permissions: []FixturePermission{{
					ID: "demo-file-link", ShareID: DemoSharedFileShareID,
					Link: &FixtureLink{Type: "edit", Scope: "organization", WebURL: DemoSharedFileURL},
				}}},
			file("Café ünïcode.docx", 30211, docx),
			file("Plan 2025 (draft)+v2.docx", 4410, docx),
			archive,
		},
	}
	return &Fixture{
		Me:          DemoUserPrincipal,
		Tenant:      "contoso",
		Application: &FixtureIdentity{ID: DemoApplicationID, DisplayName: DemoApplicationName},
		Users: []FixtureUser{
			{ID: DemoUserID, UserPrincipalName: DemoUserPrincipal, DisplayName: DemoUserDisplayName,
				Mail: DemoUserPrincipal, Drive: DemoPersonalDriveID},
			{ID: DemoMeganID, UserPrincipalName: DemoMeganPrincipal, DisplayName: "Megan Bowen",
				Mail: DemoMeganPrincipal},
		},
		Groups: []FixtureGroup{{ID: DemoGroupID, DisplayName: "Marketing", Drive: DemoGroupDriveID}},
		// invite grants this recipient access but can't notify them (207 Multi-Status).
		NotifyFailures: map[string]string{DemoUnreachableEmail: "exchangeInvalidUser"},
		Sites: []FixtureSite{{ID: DemoSiteID, Name: "Engineering", DisplayName: "Engineering",
			Drive: DemoSiteDriveID}},
		Drives: []FixtureDrive{
			{ID: DemoPersonalDriveID, Name: "OneDrive", DriveType: DriveTypePersonal, Owner: DemoUserID,
				Items: []FixtureItem{
					personalReports,
					{Name: "Photos", Folder: true, Created: t0, Modified: t1, Children: []FixtureItem{
						file("Beach 'sunset' [1].jpg", 2483112, "image/jpeg"),
					}},
					file("Notes.txt", 120, "text/plain"),
				}},
			{ID: DemoBusinessDriveID, Name: "OneDrive", DriveType: DriveTypeBusiness, Owner: DemoUserID,
				Items: []FixtureItem{
					businessReports,
					{Name: "Projects", Folder: true, Created: t0, Modified: t1},
				}},
			{ID: DemoMeganDriveID, Name: "OneDrive", DriveType: DriveTypeBusiness, Owner: DemoMeganID,
				Items: []FixtureItem{
					{Name: "Shared with Adele", Folder: true, Created: t0, Modified: t1, Children: []FixtureItem{
						file("Roadmap.pptx", 88231, "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
					}},
				}},
			{ID: DemoGroupDriveID, Name: "Documents", DriveType: DriveTypeDocumentLibrary, Group: DemoGroupID,
				Items: []FixtureItem{
					{Name: "Campaigns", Folder: true, Created: t0, Modified: t1, Children: []FixtureItem{
						file("Launch plan.docx", 15320, docx),
					}},
				}},
			{ID: DemoSiteDriveID, Name: "Documents", DriveType: DriveTypeDocumentLibrary, Site: DemoSiteID,
				Items: []FixtureItem{
					{Name: "Specs", Folder: true, Created: t0, Modified: t1, Children: []FixtureItem{
						file("API spec.docx", 40960, docx),
					}},
				}},
		},
	}
}

func withID(it FixtureItem, id string) FixtureItem {
	it.ID = id
	return it
}
