// The codes an exit gives when its policy refuses a request (offscreen/exit/policy/exit-policy.ts).
// They travel to the client in RESET and error frames, so they are part of the wire protocol.

/** Why a request was refused. These travel to the client, so they are part of the protocol. */
export const policyCodes = {
  malformedRequest: 'malformed-request',
  malformedUrl: 'malformed-url',
  credentialsInUrl: 'credentials-in-url',
  schemeNotAllowed: 'scheme-not-allowed',
  portNotAllowed: 'port-not-allowed',
  addressNotPublic: 'address-not-public',
  hostnameNotPublic: 'hostname-not-public',
  methodNotAllowed: 'method-not-allowed',
  plainHttpMethod: 'plain-http-method',
  plainHttpAuthorization: 'plain-http-authorization',
  redirectNotAllowed: 'redirect-not-allowed',
} as const;
export type PolicyCode = (typeof policyCodes)[keyof typeof policyCodes];

/**
 * Which rule an `address-not-public` or `hostname-not-public` refusal met, in words a person knows:
 * the donor's home network, the donor's own computer, or the link-local block where cloud metadata
 * services answer. The exit sends it after the policy code in RESET's reason (`<code>:<rule>`,
 * docs/protocol.md); anything else after the colon is ignored.
 */
export const refusalRules = {
  privateNetwork: 'lan',
  loopback: 'loopback',
  linkLocal: 'link-local',
} as const;
/** One of {@link refusalRules}. */
export type RefusalRule = (typeof refusalRules)[keyof typeof refusalRules];

const ruleValues: readonly string[] = Object.values(refusalRules);

/** RESET's reason with `rule` after it, or the reason alone. */
export function joinResetReason(reason: string, rule: RefusalRule | undefined): string {
  return rule === undefined ? reason : `${reason}:${rule}`;
}

/** Splits RESET's reason into the reason and a rule this version knows (undefined for none or an unknown one). */
export function splitResetReason(wire: string): { reason: string; rule: RefusalRule | undefined } {
  const colon = wire.indexOf(':');
  if (colon === -1) return { reason: wire, rule: undefined };
  const rule = wire.slice(colon + 1);
  return { reason: wire.slice(0, colon), rule: ruleValues.includes(rule) ? (rule as RefusalRule) : undefined };
}
