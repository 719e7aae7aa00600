// The one error type a tunnel user meets: a wire error code plus words for a person.
import { ErrorCode, errorCodeName } from '../../protocol/frame-types.ts';
import { splitResetReason, type RefusalRule } from '../../protocol/policy-codes.ts';

/** Local reasons that never travel on the wire (the link itself failed). */
export const linkFailureReasons = {
  linkLost: 'link-lost',
  peerTimeout: 'peer-timeout',
  closedLocally: 'closed-locally',
} as const;

export class TunnelError extends Error {
  override readonly name = 'TunnelError';
  /** Machine-readable detail: an exit-policy code, a link failure reason, or ''. */
  readonly reason: string;
  /** The rule a policy refusal met, when the peer named one this version knows (protocol/policy-codes.ts). */
  readonly rule: RefusalRule | undefined;
  constructor(
    /** Wire error code (protocol/frame-types.ts). */
    readonly code: ErrorCode,
    /** RESET's reason as sent: the reason, optionally `:<rule>` after it. */
    wireReason: string,
    message: string,
  ) {
    super(message);
    ({ reason: this.reason, rule: this.rule } = splitResetReason(wireReason));
  }

  /** True when the link failed (as opposed to the peer refusing this one request). */
  get linkFailed(): boolean {
    return (Object.values(linkFailureReasons) as string[]).includes(this.reason) || this.code === ErrorCode.TIMEOUT;
  }

  /** `CODE/reason` for logs. */
  get label(): string {
    return this.reason ? `${errorCodeName(this.code)}/${this.reason}` : errorCodeName(this.code);
  }
}
