// Only 127.0.0.1 servers started here are ever connected to. Names are resolved by an injected
// lookup, so nothing real is resolved, and every non-loopback target must be refused before
// a socket exists (inside the test namespace there is no route to it anyway).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExitPolicy, ExitPolicyError, type ExitPolicy } from '../policy/exit-policy.ts';
import { type PolicyCode } from '../../../protocol/policy-codes.ts';
import { createGuardedFetch, type GuardedFetch, type ResolveAll } from './node-guarded-fetch.ts';

interface Loopback {
  readonly server: Server;
  readonly origin: string;
  readonly port: number;
  connections: number;
  redirectTo: string | null;
}

async function startLoopback(): Promise<Loopback> {
  const server = createServer();
  const state: Loopback = { server, origin: '', port: 0, connections: 0, redirectTo: null };
  server.on('connection', () => {
    state.connections += 1;
  });
  server.on('request', (req, res) => {
    if (state.redirectTo !== null) {
      res.writeHead(302, { location: state.redirectTo }).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks).toString('utf8')}`.trim());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo; // listening on TCP, so an AddressInfo
  return Object.assign(state, { origin: `http://127.0.0.1:${port}`, port });
}

async function refusal(promise: Promise<unknown>): Promise<PolicyCode> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExitPolicyError);
  return (error as ExitPolicyError).code; // asserted just above
}

// A policy that waves every request through, so the socket-layer guard is the only one left.
function socketGuardOnly(policy: ExitPolicy): ExitPolicy {
  return { ...policy, checkRequest: (r) => ({ ok: true, url: new URL(String(r.url)) }) };
}

const fixedLookup =
  (...addresses: string[]): ResolveAll & { calls: string[] } => {
    const calls: string[] = [];
    const lookup = async (hostname: string): Promise<LookupAddress[]> => {
      calls.push(hostname);
      return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    return Object.assign(lookup, { calls });
  };

let a: Loopback;
let b: Loopback;
const opened: GuardedFetch[] = [];
const open = (policy: ExitPolicy, lookup?: ResolveAll): GuardedFetch => {
  const guarded = createGuardedFetch(policy, lookup ? { lookup } : {});
  opened.push(guarded);
  return guarded;
};

beforeAll(async () => {
  a = await startLoopback();
  b = await startLoopback();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((f) => f.close()));
  a.redirectTo = null;
  b.redirectTo = null;
  a.connections = 0;
  b.connections = 0;
});
afterAll(async () => {
  await Promise.all([a, b].map((s) => new Promise((resolve) => s.server.close(resolve))));
});

describe('createGuardedFetch', () => {
  it('fetches the test origin when the policy names it', async () => {
    const guarded = open(createExitPolicy({ testOrigin: a.origin }));
    const response = await guarded(`${a.origin}/hello?x=1`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('GET /hello?x=1');
    const posted = await guarded(`${a.origin}/upload`, { method: 'post', body: 'payload' });
    expect(await posted.text()).toBe('POST /upload payload');
  });

  it('refuses the same server without a test origin, before connecting', async () => {
    const guarded = open(createExitPolicy());
    expect(await refusal(guarded(`${a.origin}/hello`))).toBe('port-not-allowed');
    expect(await refusal(guarded('http://127.0.0.1/'))).toBe('address-not-public');
    expect(a.connections).toBe(0);
  });

  it('refuses a loopback IP literal at the socket layer even if the request check were skipped', async () => {
    const guarded = open(socketGuardOnly(createExitPolicy()));
    expect(await refusal(guarded(`${a.origin}/hello`))).toBe('address-not-public');
    expect(a.connections).toBe(0);
  });

  it('refuses a name the resolver points at 10.0.0.1, without connecting', async () => {
    const lookup = fixedLookup('10.0.0.1');
    // With the full policy the name itself is refused and never resolved.
    expect(await refusal(open(createExitPolicy(), lookup)('http://localtest.invalid/'))).toBe('hostname-not-public');
    expect(lookup.calls).toEqual([]);
    // With only the socket guard left, the resolved address is what refuses it.
    expect(await refusal(open(socketGuardOnly(createExitPolicy()), lookup)('http://localtest.invalid/'))).toBe(
      'address-not-public',
    );
    expect(lookup.calls).toEqual(['localtest.invalid']);
  });

  it('refuses a public name that resolves to a live loopback server (DNS rebinding)', async () => {
    const lookup = fixedLookup('127.0.0.1');
    const guarded = open(socketGuardOnly(createExitPolicy()), lookup);
    expect(await refusal(guarded(`http://rebind.example.com:${a.port}/`))).toBe('address-not-public');
    expect(lookup.calls).toEqual(['rebind.example.com']);
    expect(a.connections).toBe(0);
  });

  it('refuses when any one resolved address is not public', async () => {
    const lookup = fixedLookup('93.184.216.34', '2606:4700::1111', '192.168.1.1');
    const guarded = open(socketGuardOnly(createExitPolicy()), lookup);
    expect(await refusal(guarded('https://mixed.example.com/'))).toBe('address-not-public');
  });

  it('connects to exactly the address it checked (the harness would notice a connection)', async () => {
    // Control for the tests above: an address check that says yes lets the same setup through.
    const base = socketGuardOnly(createExitPolicy());
    const permissive: ExitPolicy = { ...base, checkAddress: (_ip, url) => ({ ok: true, url }) };
    const lookup = fixedLookup('127.0.0.1');
    const response = await open(permissive, lookup)(`http://rebind.example.com:${a.port}/ok`);
    expect(await response.text()).toBe('GET /ok');
    expect(a.connections).toBe(1);
  });

  it('checks every redirect hop', async () => {
    const guarded = open(createExitPolicy({ testOrigin: a.origin }));
    for (const [location, code] of [
      [`${b.origin}/`, 'port-not-allowed'],
      ['http://169.254.169.254/latest/meta-data/', 'address-not-public'],
      ['http://localhost/', 'hostname-not-public'],
      ['http://[::ffff:7f00:1]/', 'address-not-public'],
      // A path that looks like a host must not move the checked host away from the real one.
      [`http://127.0.0.1:${b.port}//127.0.0.1:${a.port}/`, 'port-not-allowed'],
      ['file:///etc/passwd', null], // fetch refuses non-http redirects on its own
    ] as const) {
      a.redirectTo = location;
      const outcome: unknown = await guarded(`${a.origin}/start`).then(
        () => 'followed',
        (e: unknown) => e,
      );
      if (code === null) expect(outcome).toBeInstanceOf(TypeError);
      else expect(outcome).toMatchObject({ name: 'ExitPolicyError', code });
    }
    expect(b.connections).toBe(0);
  });

  it('follows a redirect that stays within the policy', async () => {
    const guarded = open(createExitPolicy({ testOrigin: a.origin }));
    a.redirectTo = '/elsewhere';
    const response = await guarded(`${a.origin}/start`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/elsewhere');
  });

  it('refuses plain-http writes and forbidden methods before anything is sent', async () => {
    const lookup = fixedLookup('93.184.216.34');
    const guarded = open(createExitPolicy(), lookup);
    expect(await refusal(guarded('http://example.com/', { method: 'POST', body: 'x' }))).toBe('plain-http-method');
    expect(await refusal(guarded('https://example.com/', { method: 'PROPFIND' }))).toBe('method-not-allowed');
    expect(
      await refusal(guarded('http://example.com/', { headers: { Authorization: 'Basic dTpw' } })),
    ).toBe('plain-http-authorization');
    expect(lookup.calls).toEqual([]);
  });
});
