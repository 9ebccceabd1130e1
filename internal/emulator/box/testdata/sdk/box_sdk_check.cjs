// Box's official Node SDK (box-node-sdk, pinned in package-lock.json), unmodified, against the
// Box stand-in of odshare-emulator. sdk_test.go in internal/emulator/box starts the stand-in over
// TLS on 127.0.0.1, installs nothing itself (make test-deps runs `npm ci` into a cache), and runs
//
//   NODE_PATH=<cache>/node_modules NODE_EXTRA_CA_CERTS=<emulator CA> node box_sdk_check.cjs
//
// with BOX_SDK_CHECK holding the origin and the fixture's ids, tokens and app. The SDK is only
// configured, as its documentation says: base URLs (baseUrl = the origin, oauth2Url =
// origin/api/oauth2) and a short retry interval (its retries after a 401 refresh otherwise
// wait 1-3 s). It prints one JSON object of what it saw; the Go test asserts it, and the
// requests the stand-in recorded.
'use strict';

const http = require('node:http');
const { BoxClient, BoxDeveloperTokenAuth, BoxOAuth, OAuthConfig } = require('box-node-sdk');
const { NetworkSession } = require('box-node-sdk/lib/networking/network');
const { BaseUrls } = require('box-node-sdk/lib/networking/baseUrls');
const { BoxRetryStrategy } = require('box-node-sdk/lib/networking/retries');
const { DateTime: DateTimeWrapper, createNull } = require('box-node-sdk/lib/internal/utils');

const cfg = JSON.parse(process.env.BOX_SDK_CHECK);
const out = {};

const session = new NetworkSession({
  baseUrls: new BaseUrls({
    baseUrl: cfg.origin,
    uploadUrl: cfg.origin + '/api',
    oauth2Url: cfg.origin + '/api/oauth2',
  }),
  retryStrategy: new BoxRetryStrategy({ retryBaseInterval: 0.01 }),
});
const clientFor = (auth) => new BoxClient({ auth, networkSession: session });
const devClient = (token) => clientFor(new BoxDeveloperTokenAuth({ token }));

// apiError runs f and returns the Box error it fails with, as the SDK reports it.
async function apiError(f) {
  try {
    await f();
  } catch (e) {
    if (e.responseInfo) {
      // The SDK keeps the code as JSON text ('"not_found"'); OAuth errors have error instead.
      const body = e.responseInfo.body || {};
      return { status: e.responseInfo.statusCode, code: body.code ?? body.error ?? null };
    }
    return { message: String(e.message) };
  }
  return { status: 'no error' };
}

function linkOf(item) {
  const l = item.sharedLink;
  if (l == undefined) {
    return null;
  }
  return {
    url: l.url,
    vanityUrl: l.vanityUrl ?? null,
    access: l.access,
    effectiveAccess: l.effectiveAccess,
    effectivePermission: l.effectivePermission,
    isPasswordEnabled: l.isPasswordEnabled,
    unsharedAt: l.unsharedAt ? l.unsharedAt.value.toISOString() : null,
    canDownload: l.permissions ? l.permissions.canDownload : null,
  };
}

// signIn is the OAuth 2.0 authorization code flow with a loopback redirect: the SDK builds the
// authorize URL (it always names account.box.com, so the "browser" below opens the same query
// on the emulator's oauth2Url), the emulator's auto-approve redirects to the listener, and the
// SDK redeems the code.
async function signIn() {
  const auth = new BoxOAuth({ config: new OAuthConfig({ clientId: cfg.clientId, clientSecret: cfg.clientSecret }) });
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const redirectUri = `http://127.0.0.1:${server.address().port}/callback`;
  const callback = new Promise((resolve) =>
    server.on('request', (req, res) => {
      res.end('signed in');
      resolve(new URL(req.url, redirectUri).searchParams);
    }),
  );
  const built = new URL(auth.getAuthorizeUrl({ redirectUri, state: 'sdk-state-1' }));
  out.authorizeHost = built.host;
  const page = new URL(session.baseUrls.oauth2Url + '/authorize' + built.search);
  const res = await fetch(page, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) {
    throw new Error(`authorize: ${res.status} ${await res.text()}`);
  }
  await fetch(location);
  const params = await callback;
  server.close();
  if (params.get('state') !== 'sdk-state-1') {
    throw new Error('state not returned');
  }
  await auth.getTokensAuthorizationCodeGrant(params.get('code'), session);
  return auth;
}

async function expireAccessTokens() {
  const res = await fetch(cfg.origin + '/_emulator/box/expire-access-tokens', { method: 'POST' });
  if (res.status !== 204) {
    throw new Error(`expire-access-tokens: ${res.status}`);
  }
}

async function main() {
  // A developer token.
  out.devMe = (await devClient(cfg.adaToken).users.getUserMe()).login;

  // OAuth 2.0 with two refreshes: each access token is expired by the emulator, the SDK sees
  // the 401, refreshes with the refresh token it holds and retries. Box's refresh tokens are
  // single use, so the second refresh only works if the SDK kept the rotated one.
  const auth = await signIn();
  const client = clientFor(auth);
  const refreshTokens = [(await auth.tokenStorage.get()).refreshToken];
  out.oauthMe = (await client.users.getUserMe()).login;
  for (let i = 0; i < 2; i++) {
    await expireAccessTokens();
    out['oauthMeAfterRefresh' + (i + 1)] = (await client.users.getUserMe()).login;
    refreshTokens.push((await auth.tokenStorage.get()).refreshToken);
  }
  out.refreshTokensDistinct = new Set(refreshTokens).size;
  // The first refresh token is spent: redeeming it again is invalid_grant.
  out.spentRefresh = await apiError(() =>
    client.authorization.requestAccessToken({
      grantType: 'refresh_token',
      clientId: cfg.clientId,
      clientSecret: cfg.clientSecret,
      refreshToken: refreshTokens[0],
    }),
  );

  // Shared links on a file with the shared-link manager: add, read, change, find as another
  // user with the BoxApi header (password needed), remove.
  const files = client.sharedLinksFiles;
  const fred = devClient(cfg.fredToken);
  const expiry = new DateTimeWrapper(new Date(cfg.expiry));
  const added = await files.addShareLinkToFile(
    cfg.fileId,
    { sharedLink: { access: 'open', password: cfg.linkPassword, unsharedAt: expiry } },
    { fields: 'shared_link' },
  );
  out.fileAdded = linkOf(added);
  out.fileGot = linkOf(await files.getSharedLinkForFile(cfg.fileId, { fields: 'shared_link' }));
  const url = added.sharedLink.url;
  out.fileFoundNoPassword = await apiError(() => fred.sharedLinksFiles.findFileForSharedLink({}, { boxapi: `shared_link=${url}` }));
  const found = await fred.sharedLinksFiles.findFileForSharedLink(
    {},
    { boxapi: `shared_link=${url}&shared_link_password=${cfg.linkPassword}` },
  );
  out.fileFound = { id: found.id, name: found.name, sharedLink: linkOf(found) };
  out.fileUpdated = linkOf(
    await files.updateSharedLinkOnFile(
      cfg.fileId,
      { sharedLink: { access: 'open', password: null, unsharedAt: null, permissions: { canDownload: false } } },
      { fields: 'shared_link' },
    ),
  );
  out.fileRemoved = linkOf(await files.removeSharedLinkFromFile(cfg.fileId, { sharedLink: createNull() }, { fields: 'shared_link' }));
  out.fileFoundAfterRemove = await apiError(() => fred.sharedLinksFiles.findFileForSharedLink({}, { boxapi: `shared_link=${url}` }));

  // The same for a folder, with a vanity name; found by its link as another user.
  const folders = client.sharedLinksFolders;
  out.folderAdded = linkOf(
    await folders.addShareLinkToFolder(
      cfg.folderId,
      { sharedLink: { access: 'open', vanityName: cfg.vanityName, permissions: { canDownload: true } } },
      { fields: 'shared_link' },
    ),
  );
  out.folderGot = linkOf(await folders.getSharedLinkForFolder(cfg.folderId, { fields: 'shared_link' }));
  out.folderUpdated = linkOf(
    await folders.updateSharedLinkOnFolder(cfg.folderId, { sharedLink: { access: 'company' } }, { fields: 'shared_link' }),
  );
  out.folderFoundOtherEnterprise = await apiError(() =>
    fred.sharedLinksFolders.findFolderForSharedLink({}, { boxapi: `shared_link=${out.folderUpdated.url}` }),
  );
  const megan = devClient(cfg.meganToken);
  const folder = await megan.sharedLinksFolders.findFolderForSharedLink({}, { boxapi: `shared_link=${out.folderUpdated.url}` });
  out.folderFound = { id: folder.id, name: folder.name };
  out.folderRemoved = linkOf(await folders.removeSharedLinkFromFolder(cfg.folderId, { sharedLink: createNull() }, { fields: 'shared_link' }));

  // A password holding '&' and '=' goes into the raw header as it is.
  const passworded = await fred.sharedLinksFolders.findFolderForSharedLink(
    {},
    { boxapi: `shared_link=${cfg.passwordedURL}&shared_link_password=${cfg.passwordedPassword}` },
  );
  out.passwordedFound = { id: passworded.id, name: passworded.name };

  // Marker paging of a folder below a shared folder, through its link, as another user.
  const boxapi = `shared_link=${cfg.reportsURL}`;
  const pages = [];
  const names = [];
  let marker;
  for (;;) {
    const page = await fred.folders.getFolderItems(cfg.archiveId, {
      queryParams: { usemarker: true, limit: cfg.pageLimit, marker },
      headers: { boxapi },
    });
    pages.push(page.entries.length);
    for (const e of page.entries) {
      names.push(e.name);
    }
    if (page.totalCount !== undefined) {
      out.markerTotalCount = page.totalCount;
    }
    if (!page.nextMarker) {
      break;
    }
    marker = page.nextMarker;
  }
  out.markerPages = pages;
  out.markerFirst = names[0];
  out.markerLast = names[names.length - 1];
  out.markerDistinct = new Set(names).size;
}

main().then(
  () => {
    process.stdout.write(JSON.stringify(out) + '\n');
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`box_sdk_check: ${e && e.stack ? e.stack : e}\n`);
    if (e && e.responseInfo) {
      process.stderr.write(`response: ${JSON.stringify(e.responseInfo.body)}\n`);
    }
    process.exit(1);
  },
);
