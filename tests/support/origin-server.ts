// A local HTTP origin on 127.0.0.1 for the browser suites and benches: the "website" a donor's
// browser fetches for a client. Deterministic content (so both ends can check bytes by hash),
// request counting, and static files registered at run time (the harness page and its bundle).
import { createCipheriv, createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Bytes produced per write of `/bytes/<n>`; the generator streams, it never holds n bytes. */
export const bytesChunkSize = 64 * 1024;
/** Upper bound for `/bytes/<n>`, so a typo cannot make the origin stream forever. */
export const maxGeneratedBytes = 4 * 1024 * 1024 * 1024;
/** Upper bound for a POST body `/echo` holds before answering. */
export const maxEchoBytes = 16 * 1024 * 1024;

/** The HTML page at `/` and `/page.html`: a link and an image, as a browse view would meet them. */
export const originPageHtml = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Porchlight test origin</title></head>
<body>
<h1>Porchlight test origin</h1>
<p>This page was served by the loopback test origin.</p>
<p><a href="/page2.html">Second page</a></p>
<p><img src="/image.png" alt="a red dot" width="1" height="1"></p>
</body>
</html>
`;

/** `/page2.html`, the link target. */
export const originPage2Html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Second page</title></head>
<body><p>Second page. <a href="/page.html">Back</a></p></body></html>
`;

// A 1×1 red PNG: small, valid, and recognisable in a hex dump.
const imagePng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64',
);

/** A header every origin response carries, so tests can see response headers pass the tunnel. */
export const originMarkerHeader = 'x-porchlight-origin';

export interface StaticFile {
  readonly contentType: string;
  readonly body: string | Uint8Array;
}

/** Serves requests under a path prefix (test sites built on this origin, e.g. tests/support/test-site.ts). */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => void | Promise<void>;

export interface OriginServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly origin: string;
  readonly port: number;
  /** Absolute URL of `path` on this origin. */
  url(path: string): string;
  /** Requests served so far, by path without query (`/bytes/1024`), plus `total`. */
  readonly requests: { total: number; byPath: Map<string, number> };
  /** Serves `body` at `path` from now on (the harness page and bundle). */
  serveStatic(path: string, file: StaticFile): void;
  /** Hands every request whose path starts with `prefix` to `handler` from now on. */
  route(prefix: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

/**
 * The deterministic bytes `/bytes/<n>?seed=<s>` serves: AES-128-CTR keystream under a key derived
 * from the seed. Fast (hardware AES), continuous across chunk boundaries, and cheap to regenerate.
 */
export function* generateBytes(length: number, seed: string, chunkSize = bytesChunkSize): Generator<Buffer> {
  const key = createHash('sha256').update(`porchlight-origin/${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(chunkSize);
  let left = length;
  while (left > 0) {
    const n = Math.min(left, chunkSize);
    yield cipher.update(n === chunkSize ? zeros : zeros.subarray(0, n));
    left -= n;
  }
}

const digestCache = new Map<string, string>();

/** Hex SHA-256 of what `/bytes/<length>?seed=<seed>` serves, computed by streaming (memoised). */
export function bytesSha256(length: number, seed: string): string {
  const key = `${length}/${seed}`;
  const cached = digestCache.get(key);
  if (cached !== undefined) return cached;
  const hash = createHash('sha256');
  for (const chunk of generateBytes(length, seed)) hash.update(chunk);
  const hex = hash.digest('hex');
  digestCache.set(key, hex);
  return hex;
}

/** The path of `length` deterministic bytes under `seed`. */
export function bytesPath(length: number, seed: string | number = 0): string {
  return `/bytes/${length}?seed=${encodeURIComponent(String(seed))}`;
}

export interface OriginServerOptions {
  /** A fixed port (the test build's origins); default an ephemeral one. */
  readonly port?: number;
  /**
   * Whether responses carry CORS headers (default true, so a plain page may fetch from it). A CDN
   * stand-in turns them off: a browser then refuses a cross-origin page's fetches and fonts from it.
   */
  readonly cors?: boolean;
}

/** Starts the origin on 127.0.0.1 and an ephemeral port (or `options.port`). */
export async function startOriginServer(options: OriginServerOptions = {}): Promise<OriginServer> {
  const cors = options.cors ?? true;
  const statics = new Map<string, StaticFile>();
  const routes = new Map<string, RouteHandler>();
  const requests = { total: 0, byPath: new Map<string, number>() };

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, 'text/plain', `origin error: ${String(error)}`);
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.total++;
    requests.byPath.set(url.pathname, (requests.byPath.get(url.pathname) ?? 0) + 1);
    // A plain page's fetch is subject to CORS (the extension, with host permissions, is not).
    if (cors) {
      response.setHeader('access-control-allow-origin', '*');
      response.setHeader('access-control-expose-headers', '*');
    }
    response.setHeader('cache-control', 'no-store');
    response.setHeader(originMarkerHeader, '1');
    if (cors && request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'GET, HEAD, POST, PUT, PATCH, DELETE');
      response.setHeader('access-control-allow-headers', '*');
      response.writeHead(204).end();
      return;
    }
    const path = url.pathname;
    const file = statics.get(path);
    if (file !== undefined) return send(response, 200, file.contentType, file.body);
    for (const [prefix, handler] of routes) if (path.startsWith(prefix)) return handler(request, response, url);
    if (path === '/' || path === '/page.html') return send(response, 200, 'text/html; charset=utf-8', originPageHtml);
    if (path === '/page2.html') return send(response, 200, 'text/html; charset=utf-8', originPage2Html);
    if (path === '/image.png') return send(response, 200, 'image/png', imagePng);
    // Browsers ask for it on every page load; an error here would only be console noise.
    if (path === '/favicon.ico') return send(response, 200, 'image/png', imagePng);
    if (path === '/echo') return echo(request, response);
    if (path === '/redirect') {
      const to = url.searchParams.get('to') ?? '/';
      response.writeHead(302, { location: to, 'content-length': '0' }).end();
      return;
    }
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) {
      const code = Number(status[1]);
      if (code < 200 || code > 599) return send(response, 400, 'text/plain', 'status must be 200-599\n');
      const bodiless = code === 204 || code === 205 || code === 304;
      return send(response, code, 'text/plain', bodiless ? '' : `status ${code}\n`);
    }
    const bytes = /^\/bytes\/(\d{1,12})$/.exec(path);
    if (bytes) {
      const length = Number(bytes[1]);
      if (length > maxGeneratedBytes) return send(response, 400, 'text/plain', `at most ${maxGeneratedBytes} bytes\n`);
      return streamBytes(request, response, length, url.searchParams.get('seed') ?? '0');
    }
    send(response, 404, 'text/plain', 'not found\n');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    port,
    url: (path) => new URL(path, origin).href,
    requests,
    serveStatic(path, file) {
      statics.set(path, file);
    },
    route(prefix, handler) {
      routes.set(prefix, handler);
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(response: ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length) });
  response.end(bytes);
}

async function echo(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST' && request.method !== 'PUT') {
    return send(response, 405, 'text/plain', 'POST or PUT only\n');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > maxEchoBytes) return send(response, 413, 'text/plain', 'too large\n');
    chunks.push(chunk as Buffer);
  }
  send(response, 200, request.headers['content-type'] ?? 'application/octet-stream', Buffer.concat(chunks));
}

/** Answers with `length` deterministic bytes under `seed` (what `/bytes/<length>?seed=` serves), streamed with backpressure. */
export async function streamBytes(request: IncomingMessage, response: ServerResponse, length: number, seed: string, headers: Record<string, string> = {}): Promise<void> {
  response.writeHead(200, { 'content-type': 'application/octet-stream', ...headers, 'content-length': String(length) });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  for (const chunk of generateBytes(length, seed)) {
    if (response.destroyed) return;
    // Honour the socket's backpressure: the reader (the donor's fetch) sets the pace.
    if (!response.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          response.off('drain', done);
          response.off('close', done);
          resolve();
        };
        response.on('drain', done);
        response.on('close', done);
      });
    }
  }
  response.end();
}
