// fetch() through a donor: one tunnel stream per request, the standard Request/Response types on
// either side, bodies streamed both ways with the tunnel's backpressure. Browser and Node alike.
import { ErrorCode } from '../../protocol/frame-types.ts';
import { policyCodes, type RefusalRule } from '../../protocol/policy-codes.ts';
import type { OutgoingStream, RequestHead, ResponseHead, Tunnel } from './tunnel.ts';
import { TunnelError } from './tunnel-error.ts';
import { formatBytes } from '../util/format-bytes.ts';
import { requestHeadProblem } from './tunnel-head.ts';

/** RESET reasons the client side sends. */
export const tunnelFetchResetReasons = {
  aborted: 'aborted',
  uploadFailed: 'upload-failed',
  badResponse: 'bad-response',
} as const;

// Statuses whose responses have no body (Fetch standard, "null body status"); the constructor
// refuses a body for them.
const nullBodyStatuses: readonly number[] = [101, 103, 204, 205, 304];
// `new Response()` only takes these; fetch never hands a page anything else either.
const minResponseStatus = 200;
const maxResponseStatus = 599;
// RFC 9112 reason-phrase, as the Response constructor checks it.
const reasonPhrasePattern = /^[\t\x20-\x7e\x80-\xff]*$/;
// Policy codes that are about where the request goes, as opposed to what it is.
const addressPolicyCodes: readonly string[] = [
  policyCodes.malformedUrl,
  policyCodes.credentialsInUrl,
  policyCodes.schemeNotAllowed,
  policyCodes.portNotAllowed,
  policyCodes.addressNotPublic,
  policyCodes.hostnameNotPublic,
  policyCodes.redirectNotAllowed,
];

/** A request through a donor failed; a TypeError like fetch's own network errors. */
export class TunnelFetchError extends TypeError {
  override readonly name = 'TunnelFetchError';
  /** The rule a policy refusal met, when the donor named one this version knows (protocol/policy-codes.ts). */
  readonly rule: RefusalRule | undefined;
  constructor(
    /** Wire error code (protocol/frame-types.ts). */
    readonly code: ErrorCode,
    /** Machine-readable detail: an exit-policy code, an exit reset reason, a link failure reason, or ''. */
    readonly reason: string,
    /** True when the link to the donor failed (another donor may succeed), not the request itself. */
    readonly linkFailed: boolean,
    message: string,
    options?: { cause?: unknown; rule?: RefusalRule },
  ) {
    super(message, options);
    this.rule = options?.rule;
  }
}

/**
 * Performs `fetch(input, init)` through `tunnel`: the donor at the other end fetches it and streams
 * the answer back. The returned Response streams its body; `url` and `redirected` are the donor's.
 * @throws {DOMException} the signal's reason (an AbortError) when `init.signal` or `request.signal` aborts.
 * @throws {TunnelFetchError} when the donor refuses or fails the request, or the link fails.
 * @throws {TypeError} when the request is malformed or too large to send through a tunnel.
 */
export async function tunnelFetch(tunnel: Tunnel, input: Request | string | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const { signal } = request;
  signal.throwIfAborted();
  const head: RequestHead = { method: request.method, url: request.url, headers: [...request.headers] };
  const problem = requestHeadProblem(head);
  if (problem !== null) throw new TypeError(problem);
  let stream: OutgoingStream;
  try {
    stream = tunnel.open(head);
  } catch (error) {
    throw toFetchError(error, 'head', 0, tunnel.isClosed);
  }
  const opened = stream;
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      action();
    };
    const onAbort = (): void => {
      settle(() => reject(signal.reason));
      opened.reset(ErrorCode.CANCEL, tunnelFetchResetReasons.aborted, 'The client cancelled the request.');
    };
    signal.addEventListener('abort', onAbort, { once: true });

    upload(request.body, opened).catch((error: unknown) => {
      // The upload only fails on its own when the caller's body stream errors; a reset from the
      // donor shows up on `response` below with the donor's words.
      settle(() => reject(new TypeError('The request body could not be read.', { cause: error })));
    });

    opened.response.then(
      (responseHead) => {
        let response: Response;
        try {
          response = buildResponse(tunnel, opened, responseHead, request.method === 'HEAD', signal);
        } catch (error) {
          settle(() => reject(error));
          return;
        }
        settle(() => resolve(response));
      },
      (error: unknown) => settle(() => reject(toFetchError(error, 'head', 0, tunnel.isClosed))),
    );
  });
}

/** Streams the request body into the tunnel, waiting on the stream's backpressure, then ENDs it. */
async function upload(body: ReadableStream<Uint8Array> | null, stream: OutgoingStream): Promise<void> {
  if (body === null) {
    stream.end();
    return;
  }
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await stream.write(value);
    }
    stream.end();
  } catch (error) {
    await reader.cancel(error).catch(() => {});
    if (stream.signal.aborted) return; // reset by the donor or by us: `response` says why
    stream.reset(ErrorCode.CANCEL, tunnelFetchResetReasons.uploadFailed, 'The client could not read the request body.');
    throw error;
  }
}

/** @throws {TunnelFetchError} when the head is one a Response cannot represent (the stream is reset). */
function buildResponse(tunnel: Tunnel, stream: OutgoingStream, head: ResponseHead, isHead: boolean, signal: AbortSignal): Response {
  if (!Number.isInteger(head.status) || head.status < minResponseStatus || head.status > maxResponseStatus) {
    const message = `The donor sent a response with status ${head.status}, which a page cannot receive.`;
    stream.reset(ErrorCode.PROTOCOL_ERROR, tunnelFetchResetReasons.badResponse, message);
    throw new TunnelFetchError(ErrorCode.PROTOCOL_ERROR, tunnelFetchResetReasons.badResponse, false, message);
  }
  const headers = new Headers();
  for (const [name, value] of head.headers) {
    try {
      headers.append(name, value);
    } catch {
      // A header this platform's Headers rejects is dropped: the rest of the response is still good.
    }
  }
  const statusText = reasonPhrasePattern.test(head.statusText) ? head.statusText : '';
  let body: ReadableStream<Uint8Array> | null = null;
  if (isHead || nullBodyStatuses.includes(head.status)) {
    // Nothing to show, but the stream must still see its END to be released.
    void stream.readable.pipeTo(new WritableStream()).catch(() => {});
  } else {
    body = responseBody(tunnel, stream, signal);
  }
  const response = new Response(body, { status: head.status, statusText, headers });
  // The constructor cannot set these; a page expects them as fetch reports them.
  Object.defineProperty(response, 'url', { value: head.url, enumerable: true });
  Object.defineProperty(response, 'redirected', { value: head.redirected, enumerable: true });
  return response;
}

/** The stream's body as a pull stream: errors become TunnelFetchErrors, aborts the signal's reason. */
function responseBody(tunnel: Tunnel, stream: OutgoingStream, signal: AbortSignal): ReadableStream<Uint8Array> {
  const reader = stream.readable.getReader();
  let received = 0;
  let controller!: ReadableStreamDefaultController<Uint8Array>; // assigned synchronously in start()
  let finished = false;
  const onAbort = (): void => {
    if (finished) return;
    finished = true;
    controller.error(signal.reason);
    stream.reset(ErrorCode.CANCEL, tunnelFetchResetReasons.aborted, 'The client cancelled the request.');
  };
  const finish = (): void => {
    finished = true;
    signal.removeEventListener('abort', onAbort);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  return new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      async pull(c) {
        try {
          const { done, value } = await reader.read();
          if (finished) return;
          if (done) {
            finish();
            c.close();
            return;
          }
          received += value.length;
          c.enqueue(value);
        } catch (error) {
          if (finished) return;
          finish();
          c.error(toFetchError(error, 'body', received, tunnel.isClosed));
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    // No read-ahead: the tunnel's credit window is the only buffer, so a slow reader slows the donor.
    { highWaterMark: 0 },
  );
}

/**
 * Turns a tunnel failure into the error a page sees, in words for the person using it. `linkClosed`:
 * the tunnel was closed when the stream failed, so whatever the peer said (a GOAWAY carries a code
 * and no link-failure reason), this request died with the link.
 */
function toFetchError(error: unknown, phase: 'head' | 'body', received: number, linkClosed: boolean): TunnelFetchError {
  if (error instanceof TunnelFetchError) return error;
  if (!(error instanceof TunnelError)) {
    return new TunnelFetchError(ErrorCode.INTERNAL_ERROR, '', false, `The request through the donor failed: ${String(error)}`, { cause: error });
  }
  const linkFailed = error.linkFailed || linkClosed;
  const make = (message: string): TunnelFetchError => new TunnelFetchError(error.code, error.reason, linkFailed, message, { cause: error, rule: error.rule });
  if (linkFailed) {
    return make(
      phase === 'head'
        ? 'The donor went offline before answering. Retry to use another donor.'
        : `The donor went offline during the transfer (${formatBytes(received)} received). Retry to use another donor.`,
    );
  }
  switch (error.code) {
    case ErrorCode.POLICY_DENIED:
      return make(`The donor refused this ${addressPolicyCodes.includes(error.reason) ? 'address' : 'request'}: ${error.message}`);
    case ErrorCode.UPSTREAM_FAILED:
    case ErrorCode.BODY_TOO_LARGE:
    case ErrorCode.RATE_LIMITED:
    case ErrorCode.PAYMENT_REQUIRED:
      // The exit writes these for the person already.
      return make(phase === 'body' ? `${error.message} (${formatBytes(received)} received)` : error.message);
    case ErrorCode.REFUSED_STREAM:
      return make(`The donor could not take this request right now: ${error.message}`);
    default:
      return make(`The donor stopped the request (${error.label}): ${error.message}`);
  }
}
