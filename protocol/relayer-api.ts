// The relayer's HTTP API, shared by the relayer (services/relayer/) and the donor engine that calls
// it: gasless settlement and reward claims. Amounts travel as decimal strings (JSON has no bigint).
// The relayer can never redirect a payout: a settlement pays the exit named in every signed
// receipt, and a claim pays the donor in the Merkle leaf; the relayer only pays the gas.
//
//   POST /settle  { batch }                       → 200 SettleConfirmation | RelayerRefusal
//   POST /claim   { epoch, donor, amount, proof } → 200 ClaimConfirmation  | RelayerRefusal
//   GET  /metrics  Prometheus text: balance, queue, outcomes
//   GET  /healthz  { status, relayer, chainId, queued }
import { z } from 'zod';
import { describeSchemaError } from './schema-error.ts';
import { settlementRejectReasons } from './settlement-batch.ts';

/** Largest request body the relayer reads: a full batch (500 receipts × 156 bytes) as hex, with room to spare. */
export const maxRelayerRequestBytes = 256 * 1024;
/** Longest reward proof accepted: a tree of 2^64 leaves. */
export const maxClaimProofLength = 64;

/** Why the relayer refused or failed a request; each has a status and says what to do. */
export const relayerErrors = {
  'malformed-request': { status: 400, message: 'The request is not what the relayer accepts; fix the client and do not retry as is.' },
  'too-large': { status: 413, message: 'The request is larger than the relayer reads; split the batch.' },
  'not-found': { status: 404, message: 'No such endpoint.' },
  'rate-limited': { status: 429, message: 'Too many requests; retry after the time given.' },
  'nothing-to-settle': { status: 409, message: 'Nothing in this batch would be paid now: every receipt is already settled, or none is valid. Nothing was sent.' },
  'would-revert': { status: 422, message: 'The chain would refuse this transaction (the reason is given); nothing was sent.' },
  'queue-full': { status: 503, message: 'The relayer is busy; retry shortly.' },
  'chain-unavailable': { status: 503, message: 'The relayer cannot reach the chain; retry later. Nothing was sent.' },
  'submission-failed': { status: 502, message: 'The transaction was sent but did not confirm as simulated; check it by hash, then retry (a retry never pays twice).' },
} as const;
export type RelayerErrorCode = keyof typeof relayerErrors;

/** A refusal or failure, with the status it is sent with. */
export interface RelayerRefusal {
  readonly error: RelayerErrorCode;
  readonly message: string;
  /** The contract's custom error, for would-revert; the chain's message, for submission-failed. */
  readonly reason?: string;
  /** For submission-failed: the transaction that did not confirm. */
  readonly txHash?: string;
  /** For rate-limited: seconds until a retry may succeed. */
  readonly retryAfterSeconds?: number;
}

export interface SettleConfirmation {
  readonly status: 'confirmed';
  readonly txHash: string;
  readonly blockNumber: number;
  readonly exit: string;
  /** Micro-credits paid to the exit by this transaction. */
  readonly paid: string;
  readonly settled: readonly { channel: string; client: string; paid: string }[];
  readonly rejected: readonly { channel: string; client: string; reason: (typeof settlementRejectReasons)[number] }[];
  readonly gasUsed: string;
}

export interface ClaimConfirmation {
  readonly status: 'confirmed';
  readonly txHash: string;
  readonly blockNumber: number;
  readonly epoch: string;
  readonly donor: string;
  /** Token wei minted to the donor. */
  readonly amount: string;
  readonly gasUsed: string;
}

const hex = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`), `expected 0x and ${bytes * 2} hex digits`);
const uint = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'expected a whole number as a decimal string');

const settleRequestSchema = z.strictObject({ batch: z.string().regex(/^0x([0-9a-fA-F]{2})+$/, 'expected 0x-hex bytes') });
const claimRequestSchema = z.strictObject({
  epoch: uint,
  donor: hex(20),
  amount: uint,
  proof: z.array(hex(32)).max(maxClaimProofLength),
});

export type SettleRequest = z.infer<typeof settleRequestSchema>;
export type ClaimRequest = z.infer<typeof claimRequestSchema>;

/** A request body that does not parse. */
export class RelayerRequestError extends Error {
  override readonly name = 'RelayerRequestError';
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RelayerRequestError(`${what}: ${describeSchemaError(parsed.error)}`);
  return parsed.data;
}

/** @throws {RelayerRequestError} naming the first problem. */
export function parseSettleRequest(value: unknown): SettleRequest {
  return parse(settleRequestSchema, value, 'settle request');
}

/** @throws {RelayerRequestError} naming the first problem. */
export function parseClaimRequest(value: unknown): ClaimRequest {
  return parse(claimRequestSchema, value, 'claim request');
}

/** The refusal body for `code`. */
export function relayerRefusal(code: RelayerErrorCode, extra: Omit<RelayerRefusal, 'error' | 'message'> = {}): RelayerRefusal {
  return { error: code, message: relayerErrors[code].message, ...extra };
}
