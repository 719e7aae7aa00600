// Messages between the extension's own contexts: service worker, offscreen document, popup,
// options, browse page and content scripts. Every listener parses with `parseRuntimeMessage`
// and ignores what is not for it, so a malformed or foreign message is never acted on.
import { z } from 'zod';
import { donorSettingsSchema } from './donor-settings-schema.ts';
import { describeSchemaError } from './schema-error.ts';
import { countrySchema } from './signaling-messages.ts';

/** Where the donor engine stands, in the terms the popup shows. */
export const shareStates = ['off', 'starting', 'connected', 'paused', 'offline'] as const;
export type ShareState = (typeof shareStates)[number];

/** Why the engine is paused or offline; each has a sentence in the locale files. */
export const statusReasons = [
  'daily-cap',
  'monthly-cap',
  'outside-hours',
  'not-idle',
  'on-battery',
  'signaling-unreachable',
  'signaling-refused',
  'no-identity',
] as const;
export type StatusReason = (typeof statusReasons)[number];

export const donorStatusSchema = z.strictObject({
  state: z.enum(shareStates),
  reason: z.enum(statusReasons).optional(),
  /** The server's or the network's own words for an 'offline' state. */
  detail: z.string().max(500).optional(),
  /** When the engine will try to reconnect by itself, epoch ms. */
  retryAt: z.number().optional(),
  peerId: z.string().optional(),
  /** Country the signaling server sees this donor in. */
  country: countrySchema.optional(),
  /** People with an open tunnel to this donor now. */
  helpingNow: z.number().int().min(0),
  /** Bytes served today and this month (local time). */
  bytesToday: z.number().min(0),
  bytesThisMonth: z.number().min(0),
  /** Countries of the people helped today. */
  countriesToday: z.array(countrySchema).max(300),
  /** People helped today: client identities served at least one byte. */
  peopleToday: z.number().int().min(0).optional(),
  /** Seconds connected and ready to help today (whole minutes). */
  sharedSecondsToday: z.number().min(0).optional(),
  /** The same counts since the first day counted (bytes: all served). */
  lifetime: z.strictObject({ people: z.number().int().min(0), bytes: z.number().min(0), sharedSeconds: z.number().min(0) }).optional(),
  /** Epoch ms of the snapshot. */
  at: z.number(),
});
/** A snapshot of the donor engine for the popup and the badge. */
export type DonorStatus = z.infer<typeof donorStatusSchema>;

/** The engine's status before it has said anything. */
export function initialDonorStatus(now: number): DonorStatus {
  return { state: 'off', helpingNow: 0, bytesToday: 0, bytesThisMonth: 0, countriesToday: [], at: now };
}

/** What the engine is told to do (service worker → offscreen document). */
export const engineConfigSchema = z.strictObject({
  settings: donorSettingsSchema,
  idleState: z.enum(['active', 'idle', 'locked']),
});
export type EngineConfig = z.infer<typeof engineConfigSchema>;

/** A partner page's request to turn sharing on, waiting for the donor's answer (storage.session). */
export const partnerRequestSchema = z.strictObject({
  requestId: z.string().max(64),
  /** The partner page's origin, as the browser reports it (never the page's own claim). */
  origin: z.string().max(300),
  sponsorCode: donorSettingsSchema.shape.sponsorCode,
  /** Epoch ms of the request. */
  at: z.number(),
});
export type PartnerRequest = z.infer<typeof partnerRequestSchema>;

/**
 * How one of the exit's fetches failed before any answer, as the browser's webRequest
 * onErrorOccurred named it (background/exit-guards.ts sorts the browser's own error names into these).
 */
export const exitFetchFailures = ['name-not-found', 'connection-failed', 'timed-out', 'other'] as const;
/** One of {@link exitFetchFailures}. */
export type ExitFetchFailure = (typeof exitFetchFailures)[number];

const messageSchema = z.discriminatedUnion('type', [
  // service worker -> offscreen document
  z.strictObject({ type: z.literal('engine-configure'), config: engineConfigSchema }),
  z.strictObject({ type: z.literal('engine-retry') }),
  // service worker (webRequest) -> offscreen document: the addresses one exit request (one hop) reached
  // (and, for a redirect, where it pointed: the exit follows hops itself and the browser hides them)
  z.strictObject({
    type: z.literal('exit-address'),
    url: z.string().max(8192),
    ips: z.array(z.string().max(64)).max(32),
    redirect: z.strictObject({ status: z.number().int().min(300).max(399), location: z.string().max(8192) }).optional(),
    // Set instead of addresses when the request failed before any answer.
    failure: z.enum(exitFetchFailures).optional(),
  }),
  // offscreen document -> service worker
  z.strictObject({ type: z.literal('engine-status'), status: donorStatusSchema }),
  z.strictObject({ type: z.literal('engine-ready') }),
  // offscreen document -> service worker, before each exit fetch: wakes the worker so its webRequest
  // listener is there to report the fetch's addresses (Chrome does not wake a worker for webRequest)
  z.strictObject({ type: z.literal('exit-fetch-starting') }),
  // popup -> service worker
  z.strictObject({ type: z.literal('retry-now') }),
  // options page -> service worker, after importing a backup: the engine restarts under the new key
  z.strictObject({ type: z.literal('identity-changed') }),
  // partner content script -> service worker
  z.strictObject({ type: z.literal('partner-donate'), sponsorCode: donorSettingsSchema.shape.sponsorCode }),
  // confirm page -> service worker
  z.strictObject({ type: z.literal('partner-answer'), requestId: z.string().max(64), accept: z.boolean() }),
]);

/** Any message one extension context sends another. */
export type RuntimeMessage = z.infer<typeof messageSchema>;
export type RuntimeMessageType = RuntimeMessage['type'];

/** Parses a runtime message; undefined for anything that is not one of ours (other listeners may own it). */
export function parseRuntimeMessage(value: unknown): RuntimeMessage | undefined {
  const result = messageSchema.safeParse(value);
  return result.success ? result.data : undefined;
}

/**
 * Parses a status read back from storage.
 * @throws {TypeError} naming the bad field.
 */
export function parseDonorStatus(value: unknown): DonorStatus {
  const result = donorStatusSchema.safeParse(value);
  if (!result.success) throw new TypeError(`invalid donor status: ${describeSchemaError(result.error)}`);
  return result.data;
}
