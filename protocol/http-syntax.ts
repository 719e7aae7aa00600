// HTTP syntax rules shared by the codec, the exit policy and the header filters.

// RFC 9110 §5.6.2 token: what a method or a header name is made of.
const tokenPattern = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What a tunnel frame carries as a header value: visible ASCII and Latin-1, spaces and tabs;
// never CR, LF or NUL (they would split or end a header block).
const wireHeaderValuePattern = /^[\t\x20-\x7e\x80-\xff]*$/;

/** True when `text` is an RFC 9110 token (a method or a header name). */
export function isHttpToken(text: string): boolean {
  return tokenPattern.test(text);
}

/** True when a tunnel frame may carry `value` as a header value. */
export function isWireHeaderValue(value: string): boolean {
  return wireHeaderValuePattern.test(value);
}
