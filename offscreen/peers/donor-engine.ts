// The donor side of the extension, as one long-lived object: given the donor's settings it logs
// in to signaling, lists the donor, serves clients through the exit, pauses for caps, hours, idle
// and battery, reconnects with backoff when the network drops, and reports a status for the popup.
// It runs in the offscreen document (Chrome) and the background page (Firefox); it never touches
// `browser.*`, so the entrypoints wire it and Node tests drive it.
import { randomUnit } from '../../protocol/bytes.ts';
import type { Identity } from '../../protocol/identity.ts';
import type { DonorStatus, EngineConfig, StatusReason } from '../../protocol/runtime-messages.ts';
import type { DonorSettings } from '../../settings/donor-settings.ts';
import { pauseReason } from '../../settings/share-gate.ts';
import { startDonor, type Donor, type DonorOptions } from './donor.ts';
import { createDonorMeter, type DonorMeter } from '../metering/donor-meter.ts';
import { createExit, type Exit, type ExitOptions } from '../exit/exit.ts';
import { type ExitFetch } from '../exit/exit-fetch.ts';
import { createExitPolicy, type ExitPolicy } from '../exit/policy/exit-policy.ts';
import { SignalingError, type WebSocketConstructor } from './signaling-client.ts';
import type { UsageLedger } from '../metering/usage-ledger.ts';
import type { ReceiptDomainConfig } from '../../protocol/receipt.ts';
import type { PaymentWallet } from '../payments/channel-payments.ts';
import type { DonorPaymentEvents } from '../payments/donor-payments.ts';
import type { PaymentLedger } from '../payments/payment-ledger.ts';
import { createPaymentBinding, paymentBindingToJson, type PaymentBindingJson } from '../../protocol/payment-key.ts';
import { createUptimeResponder, type UptimeResponder } from './uptime-responder.ts';

/** First reconnect delay after the network drops; doubles per failure. */
export const reconnectInitialDelayMs = 1_000;
/** Longest wait between reconnect attempts. */
export const reconnectMaxDelayMs = 60_000;
/** How often hours and the day's cap are re-checked while sharing is on (a schedule edge, a new day). */
export const scheduleCheckIntervalMs = 30_000;
/** How often the status refreshes while people are being helped (bytes shared today). */
export const activeStatusIntervalMs = 1_000;
/** The bandwidth tier a browser donor declares (Mbit/s); proof-of-bandwidth probes check it later. */
export const browserDonorTierMbps = 50;
/** Time a stopping donor gives its refusals (a reached cap, "stopped sharing") to reach clients before closing the tunnels. */
export const stopGraceMs = 1_000;
/** Shared time in the status moves in whole minutes, so a connected donor's status does not change every tick. */
const sharedTimeStepSeconds = 60;
/** Price a donor lists until pricing is configurable (credits per MiB). */
export const defaultPricePerMiB = '0.001';

/** Whether the computer runs on battery, where the browser tells (navigator.getBattery). */
export interface BatteryMonitor {
  onBattery(): boolean | undefined;
  onChange(listener: () => void): void;
}

/** How the donor is paid: its payment key, where receipts settle, and where they are kept. */
export interface DonorEnginePayment {
  /** The payment key bound to the identity (created on first run). */
  loadPaymentKey(): Promise<PaymentWallet>;
  domain: ReceiptDomainConfig;
  ledger: PaymentLedger;
  /** Every refused receipt or channel, for diagnostics. */
  onRefusal?: DonorPaymentEvents['onRefusal'];
}

export interface DonorEngineOptions {
  /** The donor's identity (created on first run). */
  loadIdentity(): Promise<Identity>;
  payment: DonorEnginePayment;
  /** The exit's fetch for an exit policy (the browser's, with its address checks). */
  createFetch(policy: ExitPolicy): ExitFetch;
  /** Extra exit settings for this context (limits). */
  exit?: Partial<Pick<ExitOptions, 'limits'>>;
  /** Test builds only: the few loopback origins the exit may fetch (empty or absent in production). */
  testOrigins?: readonly string[];
  ledger: UsageLedger;
  battery?: BatteryMonitor;
  WebSocketImpl?: WebSocketConstructor;
  rtcConfig?: DonorOptions['rtcConfig'];
  /** Oracle peer ids whose uptime challenges this donor answers while sharing (none: it answers nobody). */
  uptimeOracles?: readonly string[];
  /** Called with every changed status. */
  onStatus(status: DonorStatus): void;
  /** Injected for tests. */
  startDonor?: typeof startDonor;
  now?: () => number;
  random?: () => number;
}

export interface DonorEngine {
  /** Applies new settings or idle state (from the service worker). */
  configure(config: EngineConfig): void;
  /** Reconnects now instead of waiting for the next attempt (a connected donor is left as it is). */
  retry(): void;
  /** Drops the current connection and starts again with a reloaded identity (after an import). */
  reloadIdentity(): void;
  status(): DonorStatus;
  /** Writes the day's counts to storage now (before the document is closed). */
  persist(): Promise<void>;
  close(): Promise<void>;
}

/** Settings whose change needs a new listing, exit policy or server: the donor restarts. */
function restartKey(settings: DonorSettings): string {
  return JSON.stringify([settings.signalingUrl, settings.allowPlainHttp, settings.maxPeopleAtOnce, settings.sponsorCode]);
}

/** Creates the engine; it does nothing until the first `configure`. */
export function createDonorEngine(options: DonorEngineOptions): DonorEngine {
  const now = options.now ?? Date.now;
  const random = options.random ?? randomUnit;
  const start = options.startDonor ?? startDonor;
  let config: EngineConfig | undefined;
  let meter: DonorMeter | undefined;
  let running: { donor: Donor; exit: Exit; key: string; uptime?: UptimeResponder } | undefined;
  let connecting: Promise<void> | undefined;
  /** The restart key of the attempt in flight or waiting for its retry. */
  let attemptKey: string | undefined;
  let generation = 0;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryAt: number | undefined;
  let offline: { reason: StatusReason; detail: string } | undefined;
  let scheduleTimer: ReturnType<typeof setInterval> | undefined;
  let activeTimer: ReturnType<typeof setInterval> | undefined;
  let lastStatus: DonorStatus | undefined;
  let lastStatusKey = '';
  let closed = false;
  /** Since when the donor has been connected and not yet counted into the ledger's shared time. */
  let sharedSince: number | undefined;

  options.battery?.onChange(() => evaluate());

  function snapshot(): DonorStatus {
    const usage = options.ledger.snapshot();
    const totals = options.ledger.totals();
    const wholeMinutes = (seconds: number): number => Math.floor(seconds / sharedTimeStepSeconds) * sharedTimeStepSeconds;
    const base = {
      helpingNow: running?.donor.activeSessions ?? 0,
      bytesToday: usage.todayBytes,
      bytesThisMonth: usage.monthBytes,
      countriesToday: usage.countriesToday,
      peopleToday: totals.today.people,
      sharedSecondsToday: wholeMinutes(totals.today.seconds),
      lifetime: { people: totals.lifetime.people, bytes: totals.lifetime.bytes, sharedSeconds: wholeMinutes(totals.lifetime.seconds) },
      at: now(),
      ...(running ? { peerId: running.donor.peerId, country: running.donor.country } : {}),
    };
    if (!config?.settings.sharing) return { state: 'off', ...base };
    const paused = pauseReason({ settings: config.settings, now: new Date(now()), idleState: config.idleState, onBattery: options.battery?.onBattery(), usage });
    if (paused) return { state: 'paused', reason: paused, ...base };
    if (running) return { state: 'connected', ...base };
    if (offline) return { state: 'offline', reason: offline.reason, detail: offline.detail, ...(retryAt !== undefined ? { retryAt } : {}), ...base };
    return { state: 'starting', ...base };
  }

  function publish(): void {
    const status = snapshot();
    const { at: _at, ...comparable } = status;
    const key = JSON.stringify(comparable);
    lastStatus = status;
    if (key === lastStatusKey) return;
    lastStatusKey = key;
    options.onStatus(status);
  }

  /**
   * Unlists the donor at once and closes its tunnels once the refusals are out. A reached cap leaves
   * the exit to refuse the requests itself (the meter refuses every further byte), so clients read
   * "cap reached" rather than "stopped sharing"; any other stop refuses them all now.
   */
  function stopDonor(why: 'cap' | 'other' = 'other'): void {
    generation++;
    connecting = undefined;
    if (running) {
      const { donor, exit, uptime } = running;
      running = undefined;
      uptime?.close();
      donor.signaling.withdraw();
      if (why === 'other') exit.close();
      setTimeout(() => {
        exit.close();
        donor.close();
      }, stopGraceMs);
    }
  }

  function clearRetry(): void {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    retryAt = undefined;
  }

  function scheduleRetry(): void {
    clearRetry();
    const base = Math.min(reconnectMaxDelayMs, reconnectInitialDelayMs * 2 ** failures);
    // ±20% so donors dropped together do not come back together.
    const delay = Math.min(reconnectMaxDelayMs, Math.round(base * (0.8 + 0.4 * random())));
    failures++;
    retryAt = now() + delay;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      retryAt = undefined;
      evaluate();
    }, delay);
  }

  function describeFailure(error: unknown): { reason: StatusReason; detail: string } {
    if (error instanceof SignalingError) {
      const unreachable = error.code === 'connect-failed' || error.code === 'timeout' || error.code === 'closed';
      return { reason: unreachable ? 'signaling-unreachable' : 'signaling-refused', detail: error.message };
    }
    return { reason: 'signaling-unreachable', detail: error instanceof Error ? error.message : String(error) };
  }

  async function connect(settings: DonorSettings): Promise<void> {
    const myGeneration = ++generation;
    attemptKey = restartKey(settings);
    const identity = await options.loadIdentity();
    const wallet = await options.payment.loadPaymentKey();
    const policy = createExitPolicy({ allowPlainHttp: settings.allowPlainHttp, ...(options.testOrigins?.length ? { testOrigins: options.testOrigins } : {}) });
    const exit = createExit({ fetch: options.createFetch(policy), policy, meter, ...options.exit });
    /** Open links per client identity, for this donor's sessions. */
    const links = new Map<string, number>();
    let donor: Donor;
    try {
      donor = await start({
        signalingUrl: settings.signalingUrl,
        identity,
        exit,
        listing: { tierMbps: browserDonorTierMbps, maxSessions: settings.maxPeopleAtOnce, pricePerMiB: defaultPricePerMiB, ...(settings.sponsorCode ? { sponsor: settings.sponsorCode } : {}) },
        policyDigest: policy.digest(),
        WebSocketImpl: options.WebSocketImpl,
        rtcConfig: options.rtcConfig,
        payment: { wallet, domain: options.payment.domain, ledger: options.payment.ledger, onRefusal: options.payment.onRefusal },
        onSession: (session) => {
          // One identity may hold several links (peer-session.ts maxSessionsPerClient): its country and
          // rate limit are forgotten with its last link, so closing one link neither loses the country
          // of what the others serve nor hands the client a fresh rate-limit burst.
          links.set(session.peerId, (links.get(session.peerId) ?? 0) + 1);
          meter?.noteClient(session.peerId, session.country);
          evaluate();
          void session.tunnel.closed.then(() => {
            const left = (links.get(session.peerId) ?? 1) - 1;
            if (left > 0) links.set(session.peerId, left);
            else {
              links.delete(session.peerId);
              meter?.forgetClient(session.peerId);
            }
            evaluate();
          });
        },
      });
    } catch (error) {
      exit.close();
      throw error;
    }
    if (myGeneration !== generation || closed) {
      donor.close();
      exit.close();
      return;
    }
    const oracles = options.uptimeOracles ?? [];
    let binding: Promise<PaymentBindingJson> | undefined;
    const uptime =
      oracles.length > 0
        ? createUptimeResponder({
            identity,
            signaling: donor.signaling,
            oracles,
            binding: () => (binding ??= createPaymentBinding(identity, wallet).then(paymentBindingToJson)),
            // It answers only while connected and serving, which is sharing 'on'; paused donors are offline.
            report: () => ({ sharing: 'on', activeSessions: donor.activeSessions }),
            now,
          })
        : undefined;
    running = { donor, exit, key: restartKey(settings), ...(uptime ? { uptime } : {}) };
    failures = 0;
    offline = undefined;
    clearRetry();
    donor.signaling.onClose((info) => {
      if (running?.donor !== donor) return;
      running.exit.close();
      running.uptime?.close();
      running = undefined;
      // Its peer sessions cannot be served without the exit: tell their clients and free them.
      donor.close();
      offline = info.error ? describeFailure(info.error) : { reason: 'signaling-unreachable', detail: `The connection to the network closed (${info.code}${info.reason ? `: ${info.reason}` : ''}).` };
      scheduleRetry();
      evaluate();
    });
  }

  function updateTimers(state: DonorStatus['state'], helping: number): void {
    const sharing = config?.settings.sharing === true;
    if (sharing && scheduleTimer === undefined) scheduleTimer = setInterval(() => evaluate(), scheduleCheckIntervalMs);
    if (!sharing && scheduleTimer !== undefined) {
      clearInterval(scheduleTimer);
      scheduleTimer = undefined;
    }
    const active = state === 'connected' && helping > 0;
    if (active && activeTimer === undefined) activeTimer = setInterval(() => evaluate(), activeStatusIntervalMs);
    if (!active && activeTimer !== undefined) {
      clearInterval(activeTimer);
      activeTimer = undefined;
    }
  }

  /** Counts the time connected since the last count into the ledger (every evaluate, so at least every schedule check). */
  function countSharedTime(stillConnected: boolean): void {
    const at = now();
    if (sharedSince !== undefined) options.ledger.addSharedTime(at - sharedSince);
    sharedSince = stillConnected ? at : undefined;
  }

  /** Brings the donor in line with the settings and conditions, then publishes the status. */
  function evaluate(): void {
    if (closed || !config) return;
    // Up to now the donor was as connected as the last status said.
    countSharedTime(sharedSince !== undefined);
    const { settings } = config;
    meter?.update(settings);
    const wanted = snapshot();
    const shouldServe = wanted.state === 'connected' || wanted.state === 'starting' || wanted.state === 'offline';
    if (!shouldServe) {
      stopDonor(wanted.reason === 'daily-cap' || wanted.reason === 'monthly-cap' ? 'cap' : 'other');
      clearRetry();
      offline = undefined;
      failures = 0;
    } else if (running && running.key !== restartKey(settings)) {
      stopDonor();
    } else if (!running && (connecting || retryTimer !== undefined) && attemptKey !== restartKey(settings)) {
      // A new server or listing is tried now, not after the old attempt's timeout or backoff.
      stopDonor();
      clearRetry();
      offline = undefined;
      failures = 0;
    }
    if (shouldServe && !running && !connecting && retryTimer === undefined) {
      const attempt = connect(settings)
        .catch((error: unknown) => {
          // An attempt given up on (a retry, new settings, sharing off) must not mark the newer one offline.
          if (closed || connecting !== attempt) return;
          offline = describeFailure(error);
          scheduleRetry();
        })
        .finally(() => {
          if (connecting === attempt) connecting = undefined;
          evaluate();
        });
      connecting = attempt;
    }
    const status = snapshot();
    countSharedTime(status.state === 'connected');
    updateTimers(status.state, status.helpingNow);
    publish();
  }

  return {
    configure(next) {
      config = next;
      if (!meter) {
        meter = createDonorMeter(options.ledger, next.settings);
        // A task later, so the exit has sent the capped request its own refusal first.
        meter.onCapReached(() => void setTimeout(evaluate, 0));
      }
      evaluate();
    },
    retry() {
      clearRetry();
      failures = 0;
      if (!running) {
        offline = undefined;
        stopDonor();
      }
      evaluate();
    },
    reloadIdentity() {
      stopDonor();
      clearRetry();
      evaluate();
    },
    status: () => lastStatus ?? snapshot(),
    persist: () => {
      countSharedTime(sharedSince !== undefined);
      return options.ledger.flush();
    },
    async close() {
      countSharedTime(false);
      closed = true;
      stopDonor();
      clearRetry();
      clearInterval(scheduleTimer);
      clearInterval(activeTimer);
      await options.ledger.flush();
    },
  };
}
