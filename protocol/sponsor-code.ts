// A partner's sponsor (compartment) code, as donors set it, listings carry it and partner pages
// send it. Kept free of dependencies: the partner bridge's content script runs on every https page.

/** Longest sponsor code. */
export const maxSponsorCodeChars = 64;
/** Letters, digits, "-" and "_", 1 to 64 of them. */
export const sponsorCodePattern = /^[A-Za-z0-9_-]{1,64}$/;
/** What a bad code is told. */
export const sponsorCodeRule = 'use 1 to 64 letters, digits, "-" and "_"';

/** True for a well-formed sponsor code. */
export function isSponsorCode(value: unknown): value is string {
  return typeof value === 'string' && sponsorCodePattern.test(value);
}
