// Package box is the Box stand-in of the odshare emulator: Box's Content API for shared links
// under /2.0, its OAuth 2.0 endpoints at /oauth2/token, /oauth2/revoke and
// /api/oauth2/authorize, so that any Box client given the emulator's origin as its base URL
// (Box SDKs: baseUrl = origin, oauth2Url = origin + "/api/oauth2") works against it. It keeps
// its own JSON and never imports the client; it shares only the emulator's faults, throttle
// buckets and recorder (package emulator/kit). Tags in brackets cite the sources of
// docs/sources.md (OA is Box's OpenAPI, kept in testdata/box-openapi).
//
// # What is emulated
//
//   - GET /2.0/users/me; GET and PUT /2.0/files/{id}, /2.0/folders/{id}, /2.0/web_links/{id};
//     GET /2.0/folders/{id}/items; GET /2.0/files/{id}/content (302 to a 15-minute download
//     URL on this server's /box-downloads/, or on the origin SetDownloadOrigin names, as Box's
//     is on dl.boxcloud.com); GET /2.0/shared_items. Folder "0" is the caller's root ("All
//     Files"): what they own, then the folders collaborated with them. A non-numeric id is 405,
//     an item the caller can't see 404, a wrong method 405 with Allow.
//   - Representations: without fields, Box's standard ones, shared_link included (Box's SDKs
//     send no fields for the shared-link calls); with fields=a,b, type, id and etag plus the
//     names asked for (unknown names ignored), so fields=shared_link answers
//     {"type","id","etag","shared_link"} and shared_link is null when there is none. Folder
//     entries are mini objects unless fields asks for more. Dates are in the user's zone with
//     its offset. etag (= sequence_id) grows with every link change; If-Match on a PUT (412
//     precondition_failed) and If-None-Match on a GET (304) are honoured. Fields are those of
//     Box's resources for the item's type: permissions as File (Full) and Folder (Full) list
//     them (web links have none), shared_link_permission_options for files only.
//   - Every route is checked against Box's OpenAPI (testdata/box-openapi) by
//     conformance_test.go, which names the few places where that file is wrong about Box; and
//     Box's official Node SDK (testdata/sdk) runs unmodified against it in sdk_test.go.
//   - Shared links: only by PUT, 200 every time (create, change and remove alike). One link per
//     item: a repeat PUT keeps the URL and changes the settings, members left out keep their
//     value; {"shared_link": null} removes it, and a later create gets a new URL while the old
//     one stops resolving. A link past its unshared_at is gone. Links look like Box's:
//     https://{subdomain}.app.box.com/s/{32 lower-case letters and digits} (app.box.com
//     without a subdomain), vanity https://{host}/v/{name}, download_url https://{host}/shared/static/{token}.ext
//     (paid accounts, files only).
//   - Policy: no access means the enterprise's default, narrowed to what the item allows;
//     allowed levels are the enterprise's narrowed by any restricting folder above
//     (allowed_shared_link_access_levels; empty on the root, which can't be shared);
//     effective_access is the link's level or the next stricter one allowed, effective_permission
//     can_edit (files, when the enterprise allows edit links), can_download or can_preview.
//   - Refusals, as Box refuses them: 400 bad_request with context_info.errors[{reason:
//     "invalid_parameter", name}] for permissions with collaborators access
//     (name shared_link_permissions, sookasa/box.py#18), can_edit on a folder or web link or
//     without can_download, can_preview false, a password on a link that isn't open or one
//     shorter than 8 characters or without a digit, upper-case letter or symbol, an
//     unshared_at in the past, without a zone or not a date, a vanity name that isn't 12 to 30
//     letters, digits and hyphens or is taken, an unknown member. 403
//     access_denied_insufficient_permissions for a level the policy forbids
//     (box/box-windows-sdk-v2#842), company, passwords, expiry and vanity names on a free
//     account, vanity names where the admin disallows custom URLs, edit links where the admin
//     disallows them, sharing the root, and callers who may read but not manage (viewers,
//     previewers, link viewers). Owners, co-owners and editors see shared_link; other callers
//     get null (box/box-python-sdk#605).
//   - /shared_items and the BoxApi header: the raw header shared_link=URL[&shared_link_password=PW]
//     (never URL-decoded; the password is everything after the first "&shared_link_password=",
//     so it may hold '&' and '='), a bearer token always required. It unlocks the shared item
//     and what lies below it for GET /folders/{id}[/items], /files/{id}[/content] and
//     /web_links/{id}, nothing else. Audiences: open for any token; company for users of the
//     owner's enterprise (else 404 with context_info unavailable, box/box-java-sdk#403);
//     collaborators for collaborators (else 403); a password must match (else 403
//     incorrect_shared_item_password); an unknown, removed or expired link is 404.
//   - Paging of folder items: offset mode by default (offset, limit, total_count, order),
//     marker mode with usemarker=true (opaque next_marker, null at the end, no total_count;
//     marker "0" starts over). limit defaults to 100 and is clamped to 1000; offset above 9999
//     is 400 (use markers); bad numbers are invalid_limit / invalid_offset. Entries are sorted
//     by type (folders, files, web links), then by sort (name by default; id, date, size;
//     direction ASC or DESC), then by id; sort with markers on folder 0 is refused.
//     FixtureGenerate folders are not stored item by item, so a 100,000-item folder costs its
//     order index only.
//   - Content: a file's bytes are a fixed pattern per content version, so its size, sha1 and
//     file_version (whose id changes with the version) describe exactly what the download URL
//     serves; ChangeContent makes a new version (a URL issued before keeps the old bytes). The
//     download host (no token, like dl.boxcloud.com) serves one Range with 206 and
//     Content-Range, 416 "bytes */size" past the end, the whole file for several ranges or a
//     malformed header; an unknown or expired URL (15 minutes, or ExpireDownloads) is 404
//     (what Box's host answers then is not documented). SetIgnoreRange and SetCorruptDownloads
//     make it ignore Range or flip a bit; fault rules on /box-downloads/** apply there (truncate
//     sends the full Content-Length and half the bytes). Downloads are recorded; their bytes
//     count in Stats.DownloadBytes.
//   - Errors are Box's client error object {"type":"error","status","code","context_info",
//     "help_url","message","request_id"}, request_id equal to the BOX-REQUEST-ID header every
//     answer carries. A 401 carries WWW-Authenticate (Bearer realm="Service", with
//     error="invalid_token" for a bad or expired token).
//
// # Sign-in
//
// POST /oauth2/token takes a form with the client's id and secret in the body (HTTP Basic is
// not read): authorization_code (codes live 30 seconds and are spent by any redemption; PKCE
// S256 is checked when the authorize request had a code_challenge, a missing method meaning
// S256 as boxcli sends it, plain refused), refresh_token (single use: the answer carries a new
// one and the old one is then invalid_grant "Invalid refresh token"), client_credentials
// (box_subject_type enterprise = the app's service account, which sees only what is
// collaborated with it; user = that user, with the app's UserTokens). Access tokens live
// Options.AccessTokenLifetime (60 minutes) plus up to 5% (Box's expires_in is never exactly
// 3600), refresh tokens 60 days. POST /oauth2/revoke ends the sign-in a token belongs to.
// Errors are {"error","error_description"} in Box's words (invalid_client, invalid_grant,
// invalid_request, unauthorized_client). GET /api/oauth2/authorize checks the app and its
// redirect URI (exact, except http://localhost and http://127.0.0.1 on any port; several
// registered URIs make redirect_uri mandatory), then shows a page with the users to sign in
// as and Grant / Deny buttons, or with AutoApprove redirects at once with a code (for the
// fixture's Me, or the user named by box_login). Fixture users may carry a developer token
// that never expires; POST /_emulator/box/tokens mints 60-minute ones.
//
// # Faults, throttle, recorder, admin
//
// Fault rules (kit.Fault; paths are globs below /2.0) apply to API requests, not to /oauth2
// or the authorize page; a keep rule on a PUT that removes a link ({"shared_link": null})
// answers 200 with shared_link null and leaves the link in place. The throttle is a token bucket per client (Authorization header, else
// IP) over API requests: 429 rate_limit_exceeded with Retry-After in whole seconds. Every API
// and token request is recorded (Requests); Stats counts requests, throttle 429s, links
// created, updated and removed, tokens issued and refreshed. /_emulator/box/... exposes these
// without a token (see serveAdmin).
//
// Not emulated: uploads, copies, moves, names and other item fields in a PUT (400), trash,
// search, metadata, collaborations API, as-user, JWT and token exchange grants, box-version
// headers.
//
// # Fixture
//
// A Fixture (LoadFixture: .json, .yaml, .yml; unknown keys are errors):
//
//	me: ada@northwind.example
//	enterprises:
//	  - {id: "500100", name: Northwind, plan: paid, subdomain: northwind, defaultAccess: company,
//	     allowedAccess: [open, company, collaborators], customURLs: true}
//	  - {id: "500300", name: Personal, plan: free}
//	users:
//	  - id: "200001"
//	    login: ada@northwind.example
//	    name: Ada Lovelace
//	    enterprise: "500100"
//	    timezone: America/Los_Angeles
//	    developerToken: AdaDeveloperToken000000000000001
//	    items:
//	      - name: Reports
//	        type: folder
//	        sharedLink: {token: reportsdemolink00000000000000001, access: open}
//	        collaborations: [{user: megan@northwind.example, role: editor}]
//	        children:
//	          - {name: Q3 report.pdf, size: 120334, sharedLink: {access: company, vanityName: northwind-q3-report}}
//	          - {name: Box developer docs, url: "https://developer.box.com/"}
//	          - {name: Archive, generate: {count: 250, name: "report-%03d.csv", size: 2048}}
//	          - {name: Restricted, type: folder, allowedAccess: [collaborators]}
//	apps:
//	  - {clientId: ..., clientSecret: ..., name: odshare, auth: oauth, redirectURIs: ["http://127.0.0.1/callback"]}
//	  - {clientId: ..., clientSecret: ..., name: bot, auth: ccg, enterprise: "500100", userTokens: true}
//
// DemoFixture is the built-in data; the Demo* constants name its users, tokens, items, links
// and apps.
package box
