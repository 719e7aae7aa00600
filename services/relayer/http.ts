// The relayer's HTTP side (routes in protocol/relayer-api.ts): JSON in, JSON out, a bounded body,
// CORS open to any origin (no cookies or credentials are involved, and every answer is public).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { maxRelayerRequestBytes, relayerErrors, relayerRefusal, type RelayerErrorCode } from '../../protocol/relayer-api.ts';
import type { RelayerMetrics } from './metrics.ts';
import type { Relayer, RelayerResponse } from './relayer.ts';

export interface RelayerHttpDeps {
  readonly relayer: Relayer;
  readonly metrics: RelayerMetrics;
  readonly chainId: string;
}

/** Serves POST /settle, POST /claim, GET /metrics and GET /healthz. */
export function createRelayerHttpHandler(deps: RelayerHttpDeps): RequestListener {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const requester = request.socket.remoteAddress ?? 'unknown';
    if (request.method === 'OPTIONS') return reply(response, 204, '');
    if (request.method === 'GET' && path === '/healthz') {
      return replyJson(response, 200, { status: 'ok', relayer: deps.relayer.address, chainId: deps.chainId, queued: deps.relayer.queued() });
    }
    if (request.method === 'GET' && path === '/metrics') {
      deps.metrics.registry.metrics().then(
        (text) => reply(response, 200, text, deps.metrics.registry.contentType),
        () => replyJson(response, 503, relayerRefusal('chain-unavailable')),
      );
      return;
    }
    const route = request.method === 'POST' && path === '/settle' ? deps.relayer.settle : request.method === 'POST' && path === '/claim' ? deps.relayer.claim : undefined;
    if (!route) return refuse(response, 'not-found');
    readJson(request).then(
      async (body) => {
        const result: RelayerResponse<unknown> = await route(body, requester);
        replyJson(response, result.status, result.body);
      },
      (code: RelayerErrorCode) => refuse(response, code),
    ).catch((error: unknown) => {
      console.error('relayer: request failed', error);
      if (!response.headersSent) replyJson(response, 500, { error: 'internal', message: 'The relayer failed; nothing was sent for this request.' });
    });
  };
}

/** The request's JSON body; rejects with too-large past maxRelayerRequestBytes, malformed-request when it is not JSON. */
function readJson(request: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > maxRelayerRequestBytes) {
      request.resume();
      return reject('too-large' satisfies RelayerErrorCode);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRelayerRequestBytes) {
        reject('too-large' satisfies RelayerErrorCode);
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject('malformed-request' satisfies RelayerErrorCode);
      }
    });
    request.on('error', () => reject('malformed-request' satisfies RelayerErrorCode));
  });
}

function refuse(response: ServerResponse, code: RelayerErrorCode): void {
  replyJson(response, relayerErrors[code].status, relayerRefusal(code));
}

function replyJson(response: ServerResponse, status: number, body: unknown): void {
  reply(response, status, JSON.stringify(body), 'application/json');
}

function reply(response: ServerResponse, status: number, body: string, contentType?: string): void {
  response.writeHead(status, {
    ...(contentType ? { 'content-type': contentType } : {}),
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'content-type',
  });
  response.end(body);
}
