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
// /groups/{id}/drive, /sites/{id}/drive and /sites/{hostname}:/{server-relative-path}:/drive (GET on
// a root returns the drive; GET /sites/{id} and /sites/{hostname}:/{server-relative-path} return the
// site, 404 itemNotFound "Requested site could not be found" for none). Below a root an item is
// root, items/{id}, root:/{path}[:] or items/{id}:/{relative-path}[:]. On an item: GET,
// GET children (paged), GET delta (also on a drive: /drives/{id}/delta), GET content, GET
// permissions (paged), GET/PATCH/DELETE permissions/{id}, POST permissions/{id}/grant and
// revokeGrants, POST createLink and invite (each also fully qualified, microsoft.graph.*). GET
// /me and /users/{id} return the user. Shares: GET /shares/{token}, /shares/{token}/driveItem
// (with $expand=children), .../driveItem/children, .../driveItem/content,
// /shares/{token}/root[/children] and /shares/{token}/items/{id}[/children] (personal drives
// only), /shares/{token}/permission and POST .../permission/grant. POST /$batch runs up to 20 of
// these as one request [BAT]. Pre-authenticated download URLs are served on another origin
// (DownloadHandler; see Content).
//
// Choices where the documentation is silent or loose:
//
//   - Paths are split on '/' of the escaped path and each segment is percent-decoded alone; '+'
//     stays '+'. A raw ':' ending a segment closes a path address (a name can't hold ':').
//     Names match case-insensitively (strings.EqualFold). Keywords (children, createLink, ...)
//     and OData option names ($top, $skiptoken, $expand) match case-insensitively too.
//   - Paging: page size Options.PageSize (default 200, Graph's), $top 1..999 per request, else
//     400. @odata.nextLink is absolute on the request's scheme and host, keeps the other query
//     options and adds an opaque $skiptoken bound to the collection. $orderby is ignored.
//     $select (driveItems: item, children, delta; permissions) keeps the named members; a name
//     the type doesn't have is 400 BadRequest "Could not find a property named ...".
//     $expand=children inlines the first page with children@odata.nextLink. A page
//     costs O(page size) whatever the folder's size (the skiptoken holds the offset; children
//     are indexed by name), and a FixtureGenerate of 100,000 files builds in well under a second.
//   - /permissions lists the item's own permissions (links, direct grants with grantedToV2 and
//     e-mail invitations), then those of its ancestors, nearest first [LP]: on OneDrive personal
//     marked with inheritedFrom; on business drives and libraries, which never return
//     inheritedFrom [PR], unmarked (a folder's link shows up on every child below it, as on real
//     business drives, corso#3708), followed by the owner's permission (roles ["owner"]). An
//     ancestor's permission can be read through the child but not changed there (403).
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
//     throttled request takes no token (Throttle.WholeSeconds, --throttle-whole-seconds: the
//     wait rounded up to whole seconds, "1", as Graph documents and sends the header). Faults
//     answer before the throttle and take none.
//   - Resource units (Options.Budget, --ru-budget): SharePoint's model [notes §1.2]. Each
//     authenticated request costs 1 (single get, delta with a token, download), 2 (listing,
//     delta without a token, write) or 5 (any permission operation, $expand=permissions); batch
//     sub-requests each count, the envelope nothing. Past the budget of the client's window
//     (fixed, from its first request) 429 activityLimitReached with Retry-After the seconds left;
//     from 80% of it RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (whole seconds),
//     to app-only callers only unless Budget.HeadersForDelegated, as SharePoint sends them.
//     Throttled requests still count. The window is per bearer token (else remote IP), not per
//     app and tenant as on SharePoint. In a batch the headers ride on each sub-response, not on
//     the envelope. Stats.ResourceUnits adds up the costs.
//   - Delta [delta doc]: the subtree in pre-order (an item after its parent) from the item
//     itself; pages of Options.PageSize or $top (up to 1,000, larger values give 1,000) with
//     @odata.nextLink, the last with @odata.deltaLink, both ".../delta?token=..." keeping the
//     other query options. token=latest: no items and the current deltaLink. A deltaLink
//     answers the items changed since (content, permissions, invitations), each once in the order
//     of its last change; changes made during an enumeration come in the next round. Timestamp
//     tokens (RFC 3339) work on business drives only (400 on personal). Tokens of another item
//     or not the emulator's are 400; tokens issued before ExpireDeltaTokens (POST
//     /_emulator/delta/expire) or older than Options.DeltaTokenLifetime are 410 Gone
//     resyncRequired, innerError.code resyncChangesApplyDifferences, with a Location that starts
//     over. parentReference.path is never set; business drives leave out cTag. The shared facet
//     (owner, scope) carries the widest scope of the item's and its ancestors' permissions; with
//     Prefer: hierarchicalsharing on business drives and libraries only items with permissions
//     of their own have it, an item whose own permissions were all removed and the unshared
//     enumerated root have an empty {} (personal drives ignore the preference). With Prefer:
//     deltashowremovedasdeleted, deltatraversepermissiongaps, deltashowsharingchanges (all three,
//     else 400; business only) items that changed through their permissions carry
//     "@microsoft.graph.sharedChanged":"True". deltaExcludeParent and deleted items are not
//     emulated.
//   - Content [driveitem-get-content]: GET content answers 302 to a pre-authenticated URL
//     (also in files' @microsoft.graph.downloadUrl) on the download origin: Listen serves it on a
//     second listener under the other loopback name (localhost while Graph is on 127.0.0.1), so
//     it is another host; Options.DownloadOrigin or SetDownloadOrigin name one; with neither it
//     is /_download/ on the request's own origin. The URL is signed (HMAC), needs no
//     Authorization, serves the version it was issued for and expires after
//     Options.DownloadURLLifetime (default an hour; then 401). A file's bytes are a PRNG stream
//     seeded by its id and version, computed per range, so any size costs no memory. Range: one
//     range 206 with Content-Range, past the end 416 "bytes */size", several ranges or a
//     malformed header the whole file; Options.IgnoreRange (SetIgnoreRange while running)
//     answers 200 always; SetCorruptDownloads flips a bit of the first content byte;
//     Stats.DownloadBytes counts the content bytes sent. ?format=pdf (html) converts the source types v1.0 lists (406 notSupported for others, 400 for other
//     formats) into bytes that start with the format's magic. If-None-Match with the eTag or
//     cTag answers 304; a folder has no content (404). The file facet has quickXorHash (written
//     from Microsoft's description, quickxor.go) and, on OneDrive personal, sha1Hash and
//     sha256Hash, all computed when the server starts. eTag and cTag end with the content
//     version; ChangeContent (POST /_emulator/content) makes a new one.
//   - invite [INV]: recipients and roles (read, write) required, message up to 2,000
//     characters, password on OneDrive personal only, expirationDateTime in the future (set on
//     personal; on business "only applicable for sharingLink permissions", so not set). One
//     permission per recipient: tenant users get grantedToV2, others an invitation. App-only
//     callers can't invite new guests (403, nothing granted); fixture users, guests included, are
//     fine. With sendInvitation, recipients in the fixture's notifyFailures make it 207
//     Multi-Status, their entries carrying error {code notAllowed, innererror {code}}.
//   - grant [PG]: roles must equal the link's; the recipients join the link's
//     grantedToIdentitiesV2; the answer is {"value": [the link]}. revokeGrants: specific-people
//     links only (400 otherwise), business only (400 notSupported on personal), grantees leave
//     the link, the answer is the permission.
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
// Not emulated: uploads, deleting items, search, conditional requests other than content's
// If-None-Match (if-match), content conversion to jpg or glb, batches over HTTP/2 or with
// multipart bodies, concurrency inside a batch, HTTP/2 (Listen speaks HTTP/1.1 so reset and
// truncate faults act on TCP), national clouds.
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
// one sub-request 429 or 503, while path=/$batch acts on the envelope. On the download origin
// rules with path /_download/** apply (latency, status, reset, and truncate: the full
// Content-Length, then half the bytes). A keep rule ("method=DELETE,path=/drives/*/items/*/permissions/*,keep,times=1")
// makes a DELETE of a permission answer 204 and remove nothing, top level or in a batch, as
// Graph has been seen to do (microsoft-graph-docs#9600): the client must read the item again to
// know the link is gone. after=N lets the first N matching requests through first
// ("path=/$batch,truncate,after=1,times=1" cuts the second batch short).
//
// Every Graph request is recorded (Requests): a batch's sub-requests each with Method, RawURI
// "/v1.0"+url and Batch set to the envelope's request-id, then the envelope (Batch ""); so are
// downloads (RawURI /_download/..., with the headers they came with, so a test can check that
// no Authorization followed the redirect). Stats
// counts requests, batches, throttle and budget 429s, resource units and createLink results (created vs existing), so
// tests can prove nothing was lost or duplicated. /_emulator/{health,requests,faults,stats}
// expose these without a token (DELETE resets requests, faults and stats), to loopback clients
// only when served by Listen (kit.AdminLoopbackOnly: the admin surface is unauthenticated); POST
// /_emulator/content and /_emulator/delta/expire steer content and delta; with the identity
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
//	      - name: Audit                # 100,000 items breadth first, every 50th with a link
//	        tree: {items: 100000, fanout: 10, files: 40, shared: 2000, size: 1024, sharedWith: megan@contoso.example}
//	groups: [{id: "02bd...", displayName: Marketing, drive: "b!..."}]
//	sites:  [{id: "contoso.sharepoint.com,...", name: Engineering, displayName: Engineering, drive: "b!..."}]
//	notifyFailures: {unreachable@fabrikam.example: exchangeInvalidUser}   # invite answers 207
//
// DemoFixture is the built-in data; the Demo* constants name its users, drives, items and links.
package emulator
