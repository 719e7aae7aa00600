// A donor's home network and a public site, inside the suite's own loopback-only namespace: the
// addresses are put on `lo` (so nothing can leave the namespace: it has no other interface), a
// "router" listens at a private address and records every request that reaches it, and a "news
// site" with its own certificate listens at a public-looking address. Browsers are told names for
// them (Chromium: --host-resolver-rules; Firefox: a hosts file mounted over /etc/hosts for the
// Firefox process only). Refuses to run outside the namespace scripts/netns.mjs makes.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertLoopbackOnly } from '../../scripts/loopback-only.mjs';

/** The stand-in for the donor's router: a private address, as most home networks use. */
export const lanIp = '192.168.1.1';
/** The stand-in for a public web server (an address a real site could have; here it lives on `lo`). */
export const publicIp = '44.0.0.1';
/** A public-looking name the attacker points at the donor's router. */
export const rebindingHost = 'router.attacker.porchlight.network';
/** The public site the client browses; its certificate is the one the browsers trust. */
export const newsHost = 'news.porchlight.network';
/** A router's own name, as AVM's routers answer for it. */
export const routerName = 'fritz.box';

const tlsDir = new URL('./tls/', import.meta.url);
const tls = (name: string) => ({ cert: readFileSync(new URL(`${name}-cert.pem`, tlsDir)), key: readFileSync(new URL(`${name}-key.pem`, tlsDir)) });

/** What the router saw: every HTTP request that reached it. */
export interface LanRequest {
  scheme: 'http' | 'https';
  method: string;
  url: string;
  host: string;
  bodyBytes: number;
}

export interface LanStandIns {
  /** Requests that reached the router, in order. */
  readonly lanRequests: LanRequest[];
  /** Chromium flags: the names, and trust for the news site's certificate only. */
  readonly chromiumArgs: readonly string[];
  /** A Firefox executable that sees the names (a wrapper that mounts its own /etc/hosts). */
  readonly firefoxExecutable: string;
  /** Sets what the news site answers at `path` (`/comment` → 307 to the router, say). */
  route(path: string, handler: (request: IncomingMessage, response: ServerResponse) => void): void;
  close(): Promise<void>;
}

/**
 * Adds `ip` to the loopback interface of this namespace (idempotent).
 * @throws {Error} outside the loopback-only namespace, or when `ip` cannot add it.
 */
function addLoopbackAddress(ip: string): void {
  if (process.env.PORCHLIGHT_NETNS !== '1') throw new Error('lan-stand-ins: run inside scripts/netns.mjs (its own network namespace)');
  assertLoopbackOnly('the LAN stand-ins');
  const present = execFileSync('ip', ['-o', 'addr', 'show', 'dev', 'lo']).toString();
  if (!present.includes(` ${ip}/`)) execFileSync('ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve()));
}

/** Starts the router (http and https at {@link lanIp}) and the news site (https at {@link publicIp}). */
export async function startLanStandIns(firefoxPath: string): Promise<LanStandIns> {
  addLoopbackAddress(lanIp);
  addLoopbackAddress(publicIp);
  const lanRequests: LanRequest[] = [];
  const router = (scheme: 'http' | 'https') => (request: IncomingMessage, response: ServerResponse) => {
    let bodyBytes = 0;
    request.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    request.on('end', () => {
      lanRequests.push({ scheme, method: request.method ?? '', url: request.url ?? '', host: request.headers.host ?? '', bodyBytes });
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Router admin</h1>');
    });
  };
  const routes = new Map<string, (request: IncomingMessage, response: ServerResponse) => void>();
  const news = createHttpsServer(tls('news'), (request, response) => {
    const handler = routes.get(new URL(request.url ?? '/', `https://${newsHost}`).pathname);
    request.resume();
    if (handler) return handler(request, response);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('news');
  });
  const servers = [createHttpServer(router('http')), createHttpsServer(tls('lan'), router('https')), news];
  await Promise.all([listen(servers[0]!, 80, lanIp), listen(servers[1]!, 443, lanIp), listen(news, 443, publicIp)]); // three servers, made above

  const spki = new X509Certificate(tls('news').cert).publicKey.export({ type: 'spki', format: 'der' });
  const chromiumArgs = [
    `--host-resolver-rules=MAP ${newsHost} ${publicIp}, MAP ${rebindingHost} ${lanIp}, MAP ${routerName} ${lanIp}`,
    // Trusts the news site's key and no other: the router's certificate still fails, as a real one would.
    `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`,
  ];
  const dir = await mkdtemp(join(tmpdir(), 'porchlight-hosts-'));
  const hosts = join(dir, 'hosts');
  await writeFile(hosts, `127.0.0.1 localhost\n${publicIp} ${newsHost}\n${lanIp} ${rebindingHost} ${routerName}\n`);
  const firefoxExecutable = join(dir, 'firefox');
  // A private mount namespace for Firefox alone: its resolver reads this hosts file, nobody else's changes.
  await writeFile(firefoxExecutable, `#!/bin/sh\nexec unshare -m sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' '${hosts}' '${firefoxPath}' "$@"\n`);
  await chmod(firefoxExecutable, 0o755);
  return {
    lanRequests,
    chromiumArgs,
    firefoxExecutable,
    route: (path, handler) => void routes.set(path, handler),
    close: async () => {
      await Promise.all(servers.map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
    },
  };
}
