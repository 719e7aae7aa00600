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
