// The plain-HTTP side of the signaling port: /healthz, /metrics, and the refusals sent
// instead of a WebSocket upgrade (cheaper than accepting a socket only to close it).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { signalingErrorMessages, type SignalingErrorCode } from '../protocol/signaling-messages.ts';
import type { SignalingMetrics } from './metrics.ts';

/** Serves `GET /healthz` (JSON status and counts) and `GET /metrics` (Prometheus text); 404 otherwise. */
export function createHttpHandler(deps: { readonly metrics: SignalingMetrics; readonly stats: () => object }): RequestListener {
  return (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      return reply(response, 200, 'application/json', JSON.stringify({ status: 'ok', ...deps.stats() }));
    }
    if (request.method === 'GET' && path === '/metrics') {
      deps.metrics.registry.metrics().then(
        (text) => reply(response, 200, deps.metrics.registry.contentType, text),
        () => reply(response, 500, 'application/json', JSON.stringify({ error: 'metrics unavailable' })),
      );
      return;
    }
    reply(response, 404, 'application/json', JSON.stringify({ error: 'not found' }));
  };
}

/** Answers an upgrade request with an HTTP error carrying `{ code, message }`, and closes the socket. */
export function rejectUpgrade(socket: Duplex, status: 429 | 503, code: SignalingErrorCode): void {
  const body = JSON.stringify({ code, message: signalingErrorMessages[code] });
  const reason = status === 429 ? 'Too Many Requests' : 'Service Unavailable';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function reply(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}
