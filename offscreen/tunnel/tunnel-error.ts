// The one error type a tunnel user meets: a wire error code plus words for a person.
import { ErrorCode, errorCodeName } from '../../protocol/frame-types.ts';

/** Local reasons that never travel on the wire (the link itself failed). */
export const linkFailureReasons = {
  linkLost: 'link-lost',
  peerTimeout: 'peer-timeout',
  closedLocally: 'closed-locally',
} as const;

export class TunnelError extends Error {
  override readonly name = 'TunnelError';
  constructor(
    /** Wire error code (protocol/frame-types.ts). */
    readonly code: ErrorCode,
    /** Machine-readable detail: an exit-policy code, a link failure reason, or ''. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
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
