// Every place a stylesheet can make the browser load something: url(), @import "…", and the bare
// strings of image-set(). A small scanner in the spirit of CSS Syntax Level 3 (comments, strings,
// escapes, functions), enough to find those references and replace them without reparsing the rest.

/** How a stylesheet refers to a resource. */
export type CssUrlKind = 'url' | 'import' | 'image-set';

/** One resource reference found in CSS. */
export interface CssUrlRef {
  /** The reference as written, escapes decoded (relative URLs stay relative). */
  readonly url: string;
  readonly kind: CssUrlKind;
}

interface Found extends CssUrlRef {
  readonly start: number;
  readonly end: number;
  /** Written as a string token ("…") rather than url(…). */
  readonly quoted: boolean;
  /** For imports: where the whole @import rule starts and ends (after its ';'). */
  rule?: { start: number; end: number };
}

const whitespace = /[ \t\n\r\f]/;
const hexDigit = /[0-9a-fA-F]/;
const maxCodePoint = 0x10ffff;

function isNameChar(ch: string): boolean {
  return /[A-Za-z0-9_-]/.test(ch) || ch.charCodeAt(0) >= 0x80;
}

function isNameStart(ch: string): boolean {
  return /[A-Za-z_-]/.test(ch) || ch.charCodeAt(0) >= 0x80;
}

/** Reads an escape starting at `css[i] === '\\'`; returns the character meant and the index after it. */
function readEscape(css: string, i: number): { value: string; next: number } {
  let j = i + 1;
  if (j >= css.length) return { value: '\ufffd', next: j };
  if (hexDigit.test(css[j]!)) {
    let hex = '';
    while (j < css.length && hex.length < 6 && hexDigit.test(css[j]!)) hex += css[j++];
    if (j < css.length && whitespace.test(css[j]!)) j += css[j] === '\r' && css[j + 1] === '\n' ? 2 : 1;
    const code = parseInt(hex, 16);
    const valid = code !== 0 && code <= maxCodePoint && !(code >= 0xd800 && code <= 0xdfff);
    return { value: valid ? String.fromCodePoint(code) : '\ufffd', next: j };
  }
  return { value: css[j]!, next: j + 1 };
}

/** Reads a string token starting at the quote `css[i]`; returns its value and the index after it. */
function readString(css: string, i: number): { value: string; next: number } {
  const quote = css[i];
  let value = '';
  let j = i + 1;
  while (j < css.length) {
    const ch = css[j]!;
    if (ch === quote) return { value, next: j + 1 };
    if (ch === '\n') return { value, next: j }; // a bad string ends at the newline
    if (ch === '\\') {
      if (css[j + 1] === '\n') {
        j += 2; // an escaped newline continues the string
        continue;
      }
      const escape = readEscape(css, j);
      value += escape.value;
      j = escape.next;
      continue;
    }
    value += ch;
    j++;
  }
  return { value, next: j };
}

/** Reads a name (identifier body) at `i`; returns it (escapes decoded) and the index after it. */
function readName(css: string, i: number): { value: string; next: number } {
  let value = '';
  let j = i;
  while (j < css.length) {
    const ch = css[j]!;
    if (ch === '\\' && css[j + 1] !== '\n' && j + 1 < css.length) {
      const escape = readEscape(css, j);
      value += escape.value;
      j = escape.next;
    } else if (isNameChar(ch)) {
      value += ch;
      j++;
    } else break;
  }
  return { value, next: j };
}

function skipWhitespace(css: string, i: number): number {
  while (i < css.length && whitespace.test(css[i]!)) i++;
  return i;
}

/** Reads the inside of `url(` starting after the parenthesis; returns the URL, how it was written, and the index after ')'. */
function readUrlFunction(css: string, i: number): { value: string; quoted: boolean; next: number } {
  let j = skipWhitespace(css, i);
  if (css[j] === '"' || css[j] === "'") {
    const string = readString(css, j);
    j = skipWhitespace(css, string.next);
    // Anything else before ')' makes it invalid for the browser; skip to the closing parenthesis either way.
    while (j < css.length && css[j] !== ')') j++;
    return { value: string.value, quoted: true, next: Math.min(j + 1, css.length) };
  }
  let value = '';
  while (j < css.length && css[j] !== ')') {
    const ch = css[j]!;
    if (ch === '\\') {
      const escape = readEscape(css, j);
      value += escape.value;
      j = escape.next;
      continue;
    }
    value += ch;
    j++;
  }
  return { value: value.trim(), quoted: false, next: Math.min(j + 1, css.length) };
}

/** Scans `css` for resource references with their positions. */
function scan(css: string): Found[] {
  const found: Found[] = [];
  // Open parentheses, innermost last: 'image-set' for image-set()/-webkit-image-set(), else 'other'.
  const functions: Array<'image-set' | 'other'> = [];
  // Set by @import / @namespace until the rule's prelude ends.
  let atRule: 'import' | 'namespace' | undefined;
  let atRuleStart = 0;
  // The import whose rule has not ended yet.
  let openImport: Found | undefined;
  let i = 0;
  while (i < css.length) {
    const ch = css[i]!;
    if (ch === '/' && css[i + 1] === '*') {
      const close = css.indexOf('*/', i + 2);
      i = close === -1 ? css.length : close + 2;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const string = readString(css, i);
      const inImageSet = functions.at(-1) === 'image-set';
      if (atRule === 'import' && functions.length === 0) {
        openImport = { url: string.value, kind: 'import', start: i, end: string.next, quoted: true, rule: { start: atRuleStart, end: css.length } };
        found.push(openImport);
        atRule = undefined;
      } else if (inImageSet) {
        found.push({ url: string.value, kind: 'image-set', start: i, end: string.next, quoted: true });
      }
      i = string.next;
      continue;
    }
    if (ch === '@') {
      const name = readName(css, i + 1);
      const lower = name.value.toLowerCase();
      atRule = lower === 'import' ? 'import' : lower === 'namespace' ? 'namespace' : undefined;
      atRuleStart = i;
      i = Math.max(name.next, i + 1);
      continue;
    }
    if (ch === ';' || ch === '{' || ch === '}') {
      if (openImport?.rule) openImport.rule.end = ch === ';' ? i + 1 : i;
      openImport = undefined;
      atRule = undefined;
      functions.length = 0;
      i++;
      continue;
    }
    if (ch === '(') {
      functions.push('other');
      i++;
      continue;
    }
    if (ch === ')') {
      functions.pop();
      i++;
      continue;
    }
    if (ch === '\\' || isNameStart(ch)) {
      const name = readName(css, i);
      if (name.next === i) {
        i++;
        continue;
      }
      if (css[name.next] !== '(') {
        i = name.next;
        continue;
      }
      const lower = name.value.toLowerCase();
      if (lower === 'url') {
        const url = readUrlFunction(css, name.next + 1);
        if (atRule !== 'namespace') {
          const isImport = atRule === 'import' && functions.length === 0;
          const ref: Found = { url: url.value, kind: isImport ? 'import' : 'url', start: i, end: url.next, quoted: false };
          if (isImport) {
            ref.rule = { start: atRuleStart, end: css.length };
            openImport = ref;
          }
          found.push(ref);
        }
        if (atRule === 'import') atRule = undefined;
        i = url.next;
        continue;
      }
      functions.push(lower === 'image-set' || lower === '-webkit-image-set' ? 'image-set' : 'other');
      i = name.next + 1;
      continue;
    }
    i++;
  }
  return found;
}

/** Every resource the CSS refers to (url(), @import, image-set strings), in source order. */
export function findCssUrls(css: string): CssUrlRef[] {
  return scan(css).map(({ url, kind }) => ({ url, kind }));
}

/** `value` as a CSS string token in double quotes. */
export function cssString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\n\r\f]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

/** A URL that loads nothing: written where `rewriteCssUrls` is told to drop a reference that is not an import. */
const emptyDataUrl = 'data:,';

/**
 * `css` with each resource reference replaced by the URL `replace` returns for it, written as
 * url("…") (or as a string where the original was one). `null` drops an @import rule whole (any
 * other reference then becomes an empty data: URL). Everything else is kept byte for byte.
 */
export function rewriteCssUrls(css: string, replace: (ref: CssUrlRef) => string | null): string {
  let out = '';
  let last = 0;
  for (const ref of scan(css)) {
    const next = replace({ url: ref.url, kind: ref.kind });
    if (next === null && ref.rule) {
      out += css.slice(last, ref.rule.start);
      last = ref.rule.end;
      continue;
    }
    const url = next ?? emptyDataUrl;
    out += css.slice(last, ref.start) + (ref.quoted ? cssString(url) : `url(${cssString(url)})`);
    last = ref.end;
  }
  return out + css.slice(last);
}
