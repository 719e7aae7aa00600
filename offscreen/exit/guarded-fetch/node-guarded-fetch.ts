// The exit's fetch on Node (the headless donor and the test harness). The browser checks the
// connected IP through webRequest; here the check sits inside the socket layer instead: every
// connection undici opens resolves its host through a lookup that refuses the whole connection
// if ANY resolved address is not public, and connects only to the addresses it checked. There is
// no second resolution between check and connect, so DNS rebinding has nothing to race.
// Node-only: undici, node:dns, node:net.
import { promises as dnsPromises, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import {
  Agent,
  Pool,
  Request,
  buildConnector,
  fetch,
  type Dispatcher,
  type RequestInfo,
  type RequestInit,
  type Response,
} from 'undici';
import { ExitPolicyError, findExitPolicyError, type ExitPolicy } from '../policy/exit-policy.ts';
import { ipVersion } from '../policy/ip-ranges.ts';

/** Resolves every address of a host name, like `dns.lookup(host, { all: true })`. */
export type ResolveAll = (hostname: string) => Promise<readonly LookupAddress[]>;

export interface GuardedFetchOptions {
  /** Host name resolver; tests inject one so nothing real is resolved. Default: node:dns lookup. */
  readonly lookup?: ResolveAll;
  /** Give up connecting after this long. */
  readonly connectTimeoutMs?: number;
}

/** A fetch that only ever reaches what the exit policy allows, plus `close()` for its connections. */
export type GuardedFetch = ((input: RequestInfo, init?: RequestInit) => Promise<Response>) & {
  close(): Promise<void>;
};

export const defaultConnectTimeoutMs = 10_000;

// fetch upper-cases these six whatever the caller wrote (Fetch standard, "normalize a method").
const normalizedMethods: readonly string[] = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];

const malformedHop = {
  ok: false,
  code: 'malformed-url',
  message: 'The donor could not read the address of a redirect hop.',
} as const;

const systemLookup: ResolveAll = (hostname) => dnsPromises.lookup(hostname, { all: true, verbatim: true });

/**
 * Builds a fetch (undici) that checks each request and redirect hop against `policy` and each
 * connection's resolved or literal address with `policy.checkAddress`. Refusals reject with an
 * ExitPolicyError (a TypeError carrying the PolicyCode) and nothing is sent.
 */
export function createGuardedFetch(policy: ExitPolicy, options: GuardedFetchOptions = {}): GuardedFetch {
  const resolveAll = options.lookup ?? systemLookup;
  const timeout = options.connectTimeoutMs ?? defaultConnectTimeoutMs;

  // One pool per origin, so each connector knows the exact URL origin it serves (checkAddress
  // needs it for the test origin) and TLS sessions are cached per origin as before.
  const agent = new Agent({
    factory: (origin, poolOptions) =>
      new Pool(origin, {
        ...(poolOptions as Pool.Options),
        connect: guardedConnector(policy, new URL(String(origin)), resolveAll, timeout),
      }),
  });
  // fetch follows redirects itself; every hop is dispatched again, so it is checked here again.
  const dispatcher = agent.compose((dispatch) => (opts, handler) => {
    // Concatenate rather than resolve: a path like "//other.example/" must not move the host the
    // check sees away from the origin the request is actually sent to.
    const origin = new URL(String(opts.origin)).origin;
    const url = opts.path.startsWith('/') ? `${origin}${opts.path}` : 'invalid:';
    const verdict = policy.checkRequest({ method: opts.method, url, headers: headerPairs(opts.headers) });
    if (verdict.ok && verdict.url.origin !== origin) throw new ExitPolicyError(malformedHop);
    if (!verdict.ok) throw new ExitPolicyError(verdict);
    return dispatch(opts, handler);
  });

  async function guardedFetch(input: RequestInfo, init?: RequestInit): Promise<Response> {
    const isRequest = input instanceof Request;
    const rawMethod = init?.method ?? (isRequest ? input.method : 'GET');
    const upper = rawMethod.toUpperCase();
    const method = normalizedMethods.includes(upper) ? upper : rawMethod;
    const url = isRequest ? input.url : input;
    const headers = headerPairs(init?.headers ?? (isRequest ? input.headers : undefined));
    const verdict = policy.checkRequest({ method, url, headers });
    if (!verdict.ok) throw new ExitPolicyError(verdict);
    try {
      // Our dispatcher last: a caller cannot swap in an unguarded one.
      return await fetch(input, { ...init, credentials: 'omit', dispatcher });
    } catch (error) {
      throw findExitPolicyError(error) ?? error;
    }
  }

  return Object.assign(guardedFetch, { close: () => agent.close() });
}

function guardedConnector(
  policy: ExitPolicy,
  origin: URL,
  resolveAll: ResolveAll,
  timeout: number,
): buildConnector.connector {
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolveAll(hostname).then(
      (addresses) => {
        // Every address is checked, not just the one we would dial: a resolver that answers
        // "203.0.113.7 and 10.0.0.1" is rebinding in slow motion.
        for (const { address } of addresses) {
          const verdict = policy.checkAddress(address, origin);
          if (!verdict.ok) return callback(new ExitPolicyError(verdict), '');
        }
        const family = lookupOptions.family;
        const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : [...addresses];
        const first = usable[0];
        if (first === undefined) {
          const notFound: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          notFound.code = 'ENOTFOUND';
          return callback(notFound, '');
        }
        if (lookupOptions.all === true) return callback(null, usable);
        return callback(null, first.address, first.family);
      },
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), ''),
    );
  };
  const connect = buildConnector({ lookup, timeout });
  return (connectOptions, callback) => {
    // net.connect never calls lookup for an IP literal, so literals are checked here.
    const host = connectOptions.hostname;
    if (isIP(host) !== 0 || ipVersion(host) !== 0) {
      const verdict = policy.checkAddress(host, origin);
      if (!verdict.ok) return callback(new ExitPolicyError(verdict), null);
    }
    return connect(connectOptions, callback);
  };
}

// Dispatch options carry headers as an object, a flat [name, value, …] array or pairs; the
// Authorization rule needs only the names, so every shape is reduced to pairs of strings.
function headerPairs(headers: Dispatcher.DispatchOptions['headers'] | RequestInit['headers']): [string, string][] {
  if (headers === null || headers === undefined) return [];
  const pairs: [string, string][] = [];
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 1) {
      const item: unknown = headers[i];
      if (typeof item === 'string') {
        pairs.push([item, String(headers[i + 1] ?? '')]);
        i += 1;
      } else if (Array.isArray(item)) {
        pairs.push([String(item[0]), String(item[1] ?? '')]);
      }
    }
    return pairs;
  }
  if (typeof headers === 'object' && Symbol.iterator in headers) {
    for (const entry of headers as Iterable<unknown>) {
      if (Array.isArray(entry)) pairs.push([String(entry[0]), String(entry[1] ?? '')]);
    }
    return pairs;
  }
  for (const [name, value] of Object.entries(headers)) pairs.push([name, String(value ?? '')]);
  return pairs;
}
