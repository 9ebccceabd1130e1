// Package emulator is a local stand-in for the Microsoft Graph v1.0 sharing endpoints, used by
// odshare's tests (in process, through httptest) and by users (cmd/odshare-emulator), the way
// Azurite stands in for Azure Storage. It keeps its own JSON shapes and never imports
// internal/graph: a wrong JSON tag in the client must not be mirrored here. conformance_test.go
// checks these shapes against Microsoft's published metadata (testdata/graph-metadata at the
// repository root) and OpenAPI description (testdata/graph-openapi/openapi-sharing.yaml). Bracketed
// tags such as [CL1] cite Microsoft's documentation pages, as listed in the project's research notes.
//
// # What is emulated
//
// Graph routes live under /v1.0. Drive roots: /me/drive, /drives/{id}, /users/{id-or-UPN}/drive,
// /groups/{id}/drive, /sites/{id}/drive (GET on a root returns the drive). Below a root an item is
// root, items/{id}, root:/{path}[:] or items/{id}:/{relative-path}[:]. On an item: GET,
// GET children (paged), GET permissions (paged), GET/PATCH/DELETE permissions/{id}, POST
// createLink and microsoft.graph.createLink. GET /me and /users/{id} return the user. Shares:
// GET /shares/{token}, /shares/{token}/driveItem (with $expand=children), .../driveItem/children,
// /shares/{token}/root[/children] and /shares/{token}/items/{id}[/children] (personal drives only),
// /shares/{token}/permission. POST /$batch runs up to 20 of these as one request [BAT].
//
// Choices where the documentation is silent or loose:
//
//   - Paths are split on '/' of the escaped path and each segment is percent-decoded alone; '+'
//     stays '+'. A raw ':' ending a segment closes a path address (a name can't hold ':').
//     Names match case-insensitively (strings.EqualFold). Keywords (children, createLink, ...)
//     and OData option names ($top, $skiptoken, $expand) match case-insensitively too.
//   - Paging: page size Options.PageSize (default 200, Graph's), $top 1..999 per request, else
//     400. @odata.nextLink is absolute on the request's scheme and host, keeps the other query
//     options and adds an opaque $skiptoken bound to the collection. $select and $orderby are
//     ignored. $expand=children inlines the first page with children@odata.nextLink. A page
//     costs O(page size) whatever the folder's size (the skiptoken holds the offset; children
//     are indexed by name), and a FixtureGenerate of 100,000 files builds in well under a second.
//   - /permissions lists the item's own permissions (links, direct grants with grantedToV2 and
//     e-mail invitations); on OneDrive personal also those of its ancestors with inheritedFrom
//     [LP]; on business drives (which never return inheritedFrom [PR]) the owner's permission
//     (roles ["owner"]) instead.
//   - Changing permissions: DELETE answers 204 [PDEL] and a deleted link no longer resolves
//     through /shares (404). PATCH takes roles and expirationDateTime only (anything else, or
//     bad JSON, 400 invalidRequest) and answers 200 with the permission [PU]. Following [PU]'s
//     table and remarks: user permissions (grants, invitations) may change roles to read or
//     write; anonymous links may change expirationDateTime (RFC 3339, in the future; null
//     removes it) but not roles (400 invalidRequest); organization and specific-people links
//     can't be modified at all (400 notSupported). Inherited permissions and the owner's answer
//     403 accessDenied to PATCH and DELETE ("only non-inherited permissions can be deleted"
//     [PDEL]); unknown ids 404 itemNotFound.
//   - $batch [BAT]: {"requests":[{id, method, url, headers, body, dependsOn}]}, url relative to
//     /v1.0 with or without the leading '/'. The whole batch is 400 invalidRequest when the body
//     is not such an object, has no or more than 20 requests, a request lacks id, method or url,
//     two ids are equal ignoring case, a request has a body but no Content-Type in its headers
//     (BAT: "must contain a value for Content-Type"), or dependsOn names an unknown id or forms a
//     cycle. Otherwise 200 with {"responses":[{id, status, headers, body}]} in an order shuffled
//     by Options.RandomSeed (BAT: "might appear in a different order"), so clients must match by
//     id. Requests run one at a time in dependency order, each as a Graph request of its own
//     with the envelope's bearer token; one whose dependency answered >= 400 answers 424
//     failedDependency without running. An absolute url or a nested $batch is a 400 for that
//     request only. Sub-responses carry their headers (Content-Type, Retry-After, request-id)
//     and a JSON body inline (other bodies base64).
//   - Throttling (Options.Throttle, --throttle-rps): a token bucket per client (the
//     Authorization header, else the remote IP). Each top-level request takes a token; a
//     POST /$batch takes none itself and each sub-request one, since Graph evaluates the
//     requests of a batch individually [BAT, THR]. Without a token: 429 activityLimitReached
//     ([ERR]: "the app or user has been throttled") with Retry-After the exact wait, in
//     fractional seconds to the millisecond, rounded up ("0.020"; [THR] shows "2.128"); the
//     throttled request takes no token. Faults answer before the throttle and take none.
//   - createLink: unknown body members, wrong JSON types and invalid type/scope values are 400
//     invalidRequest. Personal-only: embed (files), password, the default scope anonymous.
//     Business-only: organization, review and blocksDownload (files), createOnly (folders),
//     addressBar, adminDefault (kept as given, role read). The root of a personal drive can't be
//     shared [PDEL, INV]. An unexpired link of the same type, scope and recipients is answered
//     200 with the same permission; otherwise 201. Passwords are never stored or echoed.
//   - /shares/{token}/root and /items on a business drive answer 400 invalidRequest: the
//     relationships exist in the metadata but are documented for OneDrive personal only [SDI],
//     so the request is wrong for that drive rather than naming something missing.
//   - Link audiences: expired links and "users" links the caller isn't a recipient of (or owner)
//     answer 403 accessDenied; "organization" links need the caller to be a fixture user. There
//     are no other ACLs: any authenticated caller may read any drive.
//   - Errors use Graph's body with innerError {date, request-id, client-request-id}. Unknown
//     segments are 400 invalidRequest "Resource not found for the segment ..."; missing items
//     and drives 404 itemNotFound; wrong methods 405 with Allow. Every answer carries request-id
//     and echoes client-request-id.
//   - Ids: fixture items without an id get stable ids (personal "CID!n", business "01..." from a
//     hash of drive and path). Ids created at run time (permissions, shareIds "s!...", link
//     tokens, request ids) come from a generator seeded by Options.RandomSeed (time when 0).
//
// Not emulated: uploads, content, delta, search, invite, grant, $select, ETags and conditional
// requests (if-match), batches over HTTP/2 or with multipart bodies, concurrency inside a batch,
// HTTP/2 (Listen speaks HTTP/1.1 so reset and truncate faults act on TCP), national clouds.
//
// # Authentication and the identity platform
//
// Every Graph request needs a bearer token (none: 401 InvalidAuthenticationToken "Access token is
// empty."). Who it speaks for is decided, first match wins, by:
//
//   - Options.Authenticate, if set;
//   - Options.Identity.Authenticate, if an IdentityProvider is set;
//   - otherwise any non-empty token is the fixture's "me".
//
// An authenticator's error answers 401 InvalidAuthenticationToken with the error's text. A user
// id or UPN it returns is the caller; "" means an app-only token (application permissions, no
// user), never the default user. As on Graph, an app-only caller gets 400 BadRequest "/me request
// is only valid with delegated authentication flow." for /me and anything below it, while
// /drives, /users/{id}, /groups, /sites and /shares work; link audiences (organization,
// specific people) do not limit it, expiry still does.
//
// An IdentityProvider is served on the same handler: requests it Matches go to it before
// anything else, are not recorded among Graph requests and are not subject to faults. This
// package never imports one. Package emulator/identity is the Entra ID stand-in MSAL signs in
// against (device code, refresh token, client credentials), and package emulator/stack composes
// the two: the identity side's users are the fixture's users (same ids and UPNs, tenant
// identity.DefaultTenantID, default user the fixture's "me"), and Graph is strict, accepting
// only access tokens that identity side issued, until they expire (ExpireAccessTokens forces
// that). cmd/odshare-emulator serves the stack with --tls (MSAL accepts only https authorities)
// and the lenient Graph alone without it.
//
// # Faults, recorder and admin endpoints
//
// Fault rules (Options.Faults, AddFault, ParseFault, --fault) make matching requests slow, fail
// with a status and Retry-After, reset the connection, or send half a body. A rule without a
// path acts on each HTTP request, a POST /$batch counting once ("latency=20ms" delays a batch
// once); a rule with a path glob acts on the requests it matches, inside batches too (there
// only latency and status apply: reset and truncate act on connections), so a test can make
// one sub-request 429 or 503, while path=/$batch acts on the envelope.
//
// Every Graph request is recorded (Requests): a batch's sub-requests each with Method, RawURI
// "/v1.0"+url and Batch set to the envelope's request-id, then the envelope (Batch ""). Stats
// counts requests, batches, throttle 429s and createLink results (created vs existing), so
// tests can prove nothing was lost or duplicated. /_emulator/{health,requests,faults,stats}
// expose these without a token (DELETE resets requests, faults and stats); with the identity
// stand-in, /_emulator/identity/... steers it (approve, decline, expire, revoke).
//
// # Fixture format
//
// A Fixture (LoadFixture reads .json, .yaml or .yml; unknown keys are errors) names the default
// user, users, drives with nested items, groups and sites:
//
//	me: adele@contoso.example
//	tenant: contoso                  # https://contoso.sharepoint.com
//	application: {id: "...", displayName: odshare}
//	users:
//	  - {id: "87d3...", userPrincipalName: adele@contoso.example, displayName: Adele Vance,
//	     mail: adele@contoso.example, drive: d4648f06c91d9d3d}   # drive: default = first owned
//	drives:
//	  - id: d4648f06c91d9d3d
//	    driveType: personal          # personal | business | documentLibrary
//	    owner: adele@contoso.example # user id or UPN; documentLibrary uses group: or site:
//	    items:
//	      - name: Reports
//	        folder: true
//	        permissions:
//	          - {shareId: "s!abc", link: {type: view, scope: anonymous, webUrl: "https://1drv.ms/f/s!abc"}}
//	          - {roles: [write], grantedTo: [megan@contoso.example]}              # a direct grant
//	          - {roles: [read], invitation: {email: guest@fabrikam.example, signInRequired: true}}
//	        children:
//	          - {name: "Q3 #1 100%.xlsx", size: 18422, mimeType: application/vnd.ms-excel,
//	             createdDateTime: 2024-03-04T09:30:00Z, lastModifiedDateTime: 2024-09-18T14:05:12Z}
//	          - name: Archive
//	            generate: {count: 450, name: "report-%03d.csv", size: 2048, mimeType: text/csv}
//	groups: [{id: "02bd...", displayName: Marketing, drive: "b!..."}]
//	sites:  [{id: "contoso.sharepoint.com,...", name: Engineering, displayName: Engineering, drive: "b!..."}]
//
// DemoFixture is the built-in data; the Demo* constants name its users, drives, items and links.
package emulator
