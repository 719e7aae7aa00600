// Pages of the test site for what the browse page must explain instead of showing: redirects the
// donor's safety rules refuse (cloud metadata, the LAN, file:, a closed port, a non-public name),
// redirect loops and chains, a name DNS cannot find, a host with no route, a site that never answers,
// a page built entirely by scripts, and a download whose size the site does not say. Installed
// under /site/refuse/ and /site/extra/ by installTestSite (test-site.ts). Every target is refused by
// policy before any connection, or is a name or address that cannot leave the loopback-only namespace.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { generateBytes, type OriginServer } from './origin-server.ts';

/** Where each refusal page redirects (or what it does), by path. */
export const refusalPages = {
  metadata: '/site/refuse/metadata',
  lan: '/site/refuse/lan',
  lanTen: '/site/refuse/lan-ten',
  loopback: '/site/refuse/loopback',
  file: '/site/refuse/file',
  port: '/site/refuse/port',
  notPublic: '/site/refuse/not-public',
  loop: '/site/refuse/loop',
  chain: '/site/refuse/chain',
  dns: '/site/refuse/dns',
  down: '/site/refuse/down',
  silent: '/site/refuse/silent',
} as const;

/** A page whose content its scripts build: an empty React-style root, a noscript line, a bundle. */
export const scriptAppPage = '/site/extra/app.html';
/** A download sent without Content-Length, slowly, so its progress can be watched. */
export const unsizedFilePage = '/site/extra/unsized.bin';
/** Size of {@link unsizedFilePage}. */
export const unsizedFileBytes = 6 * 1024 * 1024;
/** A public name nothing resolves inside the namespace (no DNS server is reachable). */
export const unresolvableHost = 'nowhere.porchlight.network';
/** A public address with no route inside the namespace (only loopback is up). */
export const unroutableIp = '44.0.0.99';

const chainLength = 12;

const appHtml = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Script app</title></head>
<body>
<noscript>You need to enable JavaScript to run this app.</noscript>
<div id="root"></div>
<script src="/site/extra/runtime.js"></script>
<script src="/site/extra/main.js"></script>
</body>
</html>`;

const redirect = (response: ServerResponse, location: string): void =>
  void response.writeHead(302, { location, 'content-length': '0' }).end();

/** Installs the pages on `origin`; call before any broader /site/ route. */
export function installRefusalPages(origin: OriginServer): void {
  const targets: Record<string, string> = {
    [refusalPages.metadata]: 'http://169.254.169.254/latest/meta-data/',
    [refusalPages.lan]: 'http://192.168.1.1/admin',
    [refusalPages.lanTen]: 'http://10.0.0.1/',
    [refusalPages.loopback]: 'http://127.0.0.1/',
    [refusalPages.file]: 'file:///etc/passwd',
    // Loopback but not the test origin's port: the port rule speaks before the address.
    [refusalPages.port]: 'http://127.0.0.1:9/',
    [refusalPages.notPublic]: 'http://nowhere.invalid/',
    [refusalPages.loop]: refusalPages.loop,
    [refusalPages.dns]: `http://${unresolvableHost}/`,
    [refusalPages.down]: `http://${unroutableIp}/`,
  };
  origin.route('/site/refuse/', (_: IncomingMessage, response: ServerResponse, url: URL) => {
    const target = targets[url.pathname];
    if (target !== undefined) return redirect(response, target);
    if (url.pathname === refusalPages.chain) {
      const left = Number(url.searchParams.get('left') ?? chainLength);
      if (left <= 0) return void response.writeHead(200, { 'content-type': 'text/plain' }).end('end of chain');
      return redirect(response, `${refusalPages.chain}?left=${left - 1}`);
    }
    // The silent site: accepts the request and never answers (the donor's deadline ends it).
    if (url.pathname === refusalPages.silent) return;
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  origin.route('/site/extra/', (request: IncomingMessage, response: ServerResponse, url: URL) => {
    if (url.pathname === scriptAppPage) return void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(appHtml);
    if (url.pathname.endsWith('.js')) return void response.writeHead(200, { 'content-type': 'text/javascript' }).end('document.getElementById("root").textContent = "Built by script";');
    if (url.pathname === unsizedFilePage) return void streamUnsized(request, response);
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
}

/** Sends {@link unsizedFileBytes} chunked (no Content-Length), 256 KiB every 100 ms: about 2.5 MiB/s. */
async function streamUnsized(request: IncomingMessage, response: ServerResponse): Promise<void> {
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': 'attachment; filename="unsized.bin"' });
  for (const chunk of generateBytes(unsizedFileBytes, 'unsized', 256 * 1024)) {
    if (response.destroyed || request.destroyed) return;
    response.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  response.end();
}
