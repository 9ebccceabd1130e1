// Microsoft's JavaScript Graph client (@microsoft/microsoft-graph-client, pinned in
// package-lock.json), unmodified, against odshare-emulator's Graph side. graphsdk_test.go in
// internal/emulator serves the emulator over TLS on 127.0.0.1 and runs
//
//   NODE_PATH=<cache>/node_modules NODE_EXTRA_CA_CERTS=<emulator CA> node graph_sdk_check.cjs
//
// with GRAPH_SDK_CHECK holding the base URL and the fixture's ids. The client is only configured
// as its documentation says: baseUrl, and customHosts so that it sends the token to a host other
// than graph.microsoft.com. It prints one JSON object of what it saw.
'use strict';

const { Client, PageIterator } = require('@microsoft/microsoft-graph-client');

const cfg = JSON.parse(process.env.GRAPH_SDK_CHECK);
const out = {};

const client = Client.init({
  authProvider: (done) => done(null, 'graph-sdk-check-token'),
  baseUrl: cfg.origin + '/',
  defaultVersion: 'v1.0',
  customHosts: new Set([new URL(cfg.origin).hostname]),
});

// shareId is the sharing URL encoded as Graph's /shares documentation says.
const shareId = (url) => 'u!' + Buffer.from(url).toString('base64').replace(/=+$/, '').replace(/\//g, '_').replace(/\+/g, '-');

async function main() {
  out.drive = (await client.api('/me/drive').get()).id;

  // createLink twice: the second answers the same link.
  const create = () => client.api(`/me/drive/items/${cfg.fileId}/createLink`).post({ type: 'view', scope: 'anonymous' });
  const first = await create();
  const again = await create();
  out.link = { id: first.id, roles: first.roles, type: first.link.type, scope: first.link.scope, webUrl: first.link.webUrl };
  out.sameLink = again.id === first.id && again.link.webUrl === first.link.webUrl;

  // The shared item by its URL, and the file's permissions.
  const shared = await client.api(`/shares/${shareId(first.link.webUrl)}/driveItem`).get();
  out.shared = { id: shared.id, name: shared.name };
  const perms = await client.api(`/me/drive/items/${cfg.fileId}/permissions`).get();
  out.permissionIds = perms.value.map((p) => p.id).includes(first.id);

  // A shared folder's children, paged by the client's PageIterator through @odata.nextLink.
  const names = [];
  const firstPage = await client.api(`/me/drive/items/${cfg.folderId}/children`).top(cfg.top).select('id,name').get();
  const iter = new PageIterator(client, firstPage, (item) => {
    names.push(item.name);
    return true;
  });
  await iter.iterate();
  out.children = { count: names.length, distinct: new Set(names).size, first: names[0], last: names[names.length - 1] };

  // Graph's error object, as the client parses it.
  try {
    await client.api('/me/drive/items/NOPE').get();
    out.missing = 'no error';
  } catch (e) {
    out.missing = { statusCode: e.statusCode, code: e.code };
  }
}

main().then(
  () => {
    process.stdout.write(JSON.stringify(out) + '\n');
    process.exit(0);
  },
  (e) => {
    process.stderr.write(`graph_sdk_check: ${e && e.stack ? e.stack : e}\n${e && e.body ? e.body : ''}\n`);
    process.exit(1);
  },
);
