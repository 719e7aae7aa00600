// Chrome's guard against DNS rebinding: a browser fetch cannot tell which address it connected
// to, but the service worker's webRequest listener can (`details.ip`). It reports the address of
// each of the exit's requests (the exit follows redirects itself, so one request is one hop); the
// exit waits for the report of its response and runs every address through the exit policy before
// forwarding a single byte. No report, no bytes. A redirect's report also carries where it points,
// which the browser hides from a `redirect: 'manual'` fetch (an opaque redirect).
import type { ExitFetchFailure } from '../../../protocol/runtime-messages.ts';
import { ExitPolicyError, type ExitPolicy } from '../policy/exit-policy.ts';

/** How long the exit waits for the address report of a response before refusing it. */
export const addressReportTimeoutMs = 5_000;
/** Reports nobody asked for are dropped after this long. */
export const addressReportTtlMs = 60_000;
/** Most unclaimed reports kept (a flood of them cannot grow memory). */
export const maxPendingAddressReports = 1024;
/** How long a failed fetch waits for the report that says how it failed (it may arrive after the rejection). */
export const failureReportWaitMs = 1_000;

/** Where a redirect response pointed, as the browser's webRequest events saw it. */
export interface ReportedRedirect {
  /** The 3xx status. */
  readonly status: number;
  /** The Location, absolute (Chrome's redirectUrl) or as the site sent it (Firefox's header). */
  readonly location: string;
}

/** What the gate learned of one response once its addresses passed. */
export interface VerifiedHop {
  /** Set when the response was a redirect. */
  readonly redirect?: ReportedRedirect;
}

interface Report {
  url: string;
  ips: readonly string[];
  redirect?: ReportedRedirect;
  at: number;
}

export interface AddressGate {
  /** Notes the addresses a request for `url` connected to, and where it redirected if it did; or, with `failure`, how it failed. */
  report(url: string, ips: readonly string[], redirect?: ReportedRedirect, failure?: ExitFetchFailure): void;
  /** How the request for `url` failed, if the browser said within `waitMs`; undefined otherwise. Never throws. */
  failureOf(url: string, waitMs?: number, signal?: AbortSignal): Promise<ExitFetchFailure | undefined>;
  /**
   * Resolves when the response for `url` came from public addresses only, with its redirect if any.
   * @throws {ExitPolicyError} 'address-not-public' for a private address; 'malformed-request' when no report came in time.
   */
  verify(url: string, policy: ExitPolicy, signal?: AbortSignal): Promise<VerifiedHop>;
}

/** An empty gate; `now` for tests. */
export function createAddressGate(options: { timeoutMs?: number; now?: () => number } = {}): AddressGate {
  const timeoutMs = options.timeoutMs ?? addressReportTimeoutMs;
  const now = options.now ?? Date.now;
  const reports: Report[] = [];
  const waiters = new Map<string, Array<(report: Report) => void>>();
  // How requests failed, by URL: one each, bounded and short-lived like the reports.
  const failures = new Map<string, { failure: ExitFetchFailure; at: number }>();
  const failureWaiters = new Map<string, Array<(failure: ExitFetchFailure) => void>>();
  // Every address seen for a URL lately, claimed or not: reports carry no request id, so two
  // requests for one URL at once could swap reports; each is checked against all of them.
  const recent = new Map<string, { ips: Set<string>; at: number }>();

  function remember(report: Report): void {
    const cutoff = report.at - addressReportTtlMs;
    // Entries are re-inserted on every report, so the map runs oldest first: stop at the first fresh one.
    for (const [url, entry] of recent) {
      if (entry.at >= cutoff) break;
      recent.delete(url);
    }
    const entry = recent.get(report.url) ?? { ips: new Set<string>(), at: report.at };
    for (const ip of report.ips) entry.ips.add(ip);
    entry.at = report.at;
    recent.delete(report.url);
    recent.set(report.url, entry);
    // Bounded like the pending reports; the oldest URL goes first (Map keeps insertion order).
    if (recent.size > maxPendingAddressReports) recent.delete(recent.keys().next().value!); // size > 0
  }

  function take(url: string): Report | undefined {
    const cutoff = now() - addressReportTtlMs;
    while (reports.length > 0 && reports[0]!.at < cutoff) reports.shift(); // non-empty: checked in the loop condition
    const index = reports.findIndex((r) => r.url === url);
    return index === -1 ? undefined : reports.splice(index, 1)[0];
  }

  function check(report: Report, policy: ExitPolicy): VerifiedHop {
    const url = new URL(report.url);
    // A redirect with no address never reached the network: the browser made it itself (an HSTS
    // upgrade). Its target is checked like any other hop.
    if (report.ips.length === 0 && report.redirect === undefined) {
      throw new ExitPolicyError({ ok: false, code: 'malformed-request', message: 'The donor could not tell which address this site is at, so it did not forward the answer.' });
    }
    for (const ip of new Set([...report.ips, ...(recent.get(report.url)?.ips ?? [])])) {
      const verdict = policy.checkAddress(ip, url);
      if (!verdict.ok) throw new ExitPolicyError(verdict);
    }
    return report.redirect === undefined ? {} : { redirect: report.redirect };
  }

  return {
    report(url, ips, redirect, failure) {
      if (failure !== undefined) {
        const waiting = failureWaiters.get(url)?.shift();
        if (failureWaiters.get(url)?.length === 0) failureWaiters.delete(url);
        if (waiting) return waiting(failure);
        failures.delete(url);
        failures.set(url, { failure, at: now() });
        if (failures.size > maxPendingAddressReports) failures.delete(failures.keys().next().value!); // size > 0
        return;
      }
      const report: Report = { url, ips: [...ips], at: now() };
      if (redirect !== undefined) report.redirect = { status: redirect.status, location: redirect.location };
      remember(report);
      const queue = waiters.get(url);
      const waiter = queue?.shift();
      if (queue && queue.length === 0) waiters.delete(url);
      if (waiter) return waiter(report);
      reports.push(report);
      if (reports.length > maxPendingAddressReports) reports.shift();
    },
    async failureOf(url, waitMs = failureReportWaitMs, signal) {
      const known = failures.get(url);
      failures.delete(url);
      if (known !== undefined && known.at >= now() - addressReportTtlMs) return known.failure;
      if (signal?.aborted) return undefined;
      return new Promise<ExitFetchFailure | undefined>((resolve) => {
        const queue = failureWaiters.get(url) ?? [];
        failureWaiters.set(url, queue);
        const finish = (failure: ExitFetchFailure | undefined): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          const i = queue.indexOf(done);
          if (i !== -1) queue.splice(i, 1);
          if (queue.length === 0 && failureWaiters.get(url) === queue) failureWaiters.delete(url);
          resolve(failure);
        };
        const done = (failure: ExitFetchFailure): void => finish(failure);
        const onAbort = (): void => finish(undefined);
        const timer = setTimeout(() => finish(undefined), waitMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(done);
      });
    },
    async verify(url, policy, signal) {
      const ready = take(url);
      if (ready) return check(ready, policy);
      // An already-aborted signal never fires 'abort': without this the caller would wait out the timeout.
      signal?.throwIfAborted();
      const report = await new Promise<Report>((resolve, reject) => {
        const queue = waiters.get(url) ?? [];
        waiters.set(url, queue);
        const done = (r: Report): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        };
        const remove = (): void => {
          const i = queue.indexOf(done);
          if (i !== -1) queue.splice(i, 1);
          if (queue.length === 0) waiters.delete(url);
        };
        const onAbort = (): void => {
          clearTimeout(timer);
          remove();
          reject(signal?.reason);
        };
        const timer = setTimeout(() => {
          remove();
          signal?.removeEventListener('abort', onAbort);
          reject(new ExitPolicyError({ ok: false, code: 'malformed-request', message: 'The donor could not confirm which address this site is at, so it did not forward the answer.' }));
        }, timeoutMs);
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(done);
      });
      return check(report, policy);
    },
  };
}
