// Choosing one image from srcset: the view fetches a single candidate through the donor rather
// than every size the page offers, so one picture costs one request.

/** One candidate of a srcset attribute. */
export interface SrcsetCandidate {
  readonly url: string;
  /** The `w` descriptor, if given. */
  readonly width?: number;
  /** The `x` descriptor; 1 when no descriptor is given. */
  readonly density?: number;
}

/** The candidates of a srcset value (HTML's parsing rules, minus `h`), skipping malformed ones. */
export function parseSrcset(value: string): SrcsetCandidate[] {
  const candidates: SrcsetCandidate[] = [];
  let i = 0;
  const at = (): string => value[i] ?? '';
  while (i < value.length) {
    while (i < value.length && /[\s,]/.test(at())) i++;
    if (i >= value.length) break;
    let url = '';
    while (i < value.length && !/\s/.test(at())) url += value[i++];
    let descriptors = '';
    if (url.endsWith(',')) {
      url = url.replace(/,+$/, '');
    } else {
      // Descriptors run to the next comma outside parentheses.
      let depth = 0;
      while (i < value.length) {
        const ch = at();
        if (ch === '(') depth++;
        if (ch === ')') depth = Math.max(0, depth - 1);
        if (ch === ',' && depth === 0) break;
        descriptors += ch;
        i++;
      }
    }
    const candidate = withDescriptors(url, descriptors.trim().split(/\s+/).filter(Boolean));
    if (candidate) candidates.push(candidate);
  }
  return candidates;
}

function withDescriptors(url: string, descriptors: string[]): SrcsetCandidate | undefined {
  if (url === '') return undefined;
  let width: number | undefined;
  let density: number | undefined;
  for (const descriptor of descriptors) {
    const match = /^(\d+(?:\.\d+)?)([wxh])$/.exec(descriptor);
    if (!match) return undefined;
    const n = Number(match[1]);
    if (match[2] === 'w' && Number.isInteger(n) && n > 0 && width === undefined && density === undefined) width = n;
    else if (match[2] === 'x' && n > 0 && width === undefined && density === undefined) density = n;
    else if (match[2] !== 'h') return undefined;
  }
  return width !== undefined ? { url, width } : { url, density: density ?? 1 };
}

/** What the view offers an image: its device pixel ratio and the width the image may take. */
export interface ImageSlot {
  readonly devicePixelRatio: number;
  /** CSS pixels; the view's width when the page gives no `sizes` we evaluate. */
  readonly width: number;
}

/**
 * The candidate a browser would most likely pick: the smallest at least as large as the slot
 * needs, else the largest. Undefined when there is none.
 */
export function pickSrcsetCandidate(candidates: readonly SrcsetCandidate[], slot: ImageSlot): SrcsetCandidate | undefined {
  if (candidates.length === 0) return undefined;
  const widths = candidates.filter((c) => c.width !== undefined);
  const pool = widths.length > 0 ? widths : candidates;
  const size = (c: SrcsetCandidate): number => c.width ?? c.density ?? 1;
  const need = widths.length > 0 ? slot.width * slot.devicePixelRatio : slot.devicePixelRatio;
  const sorted = [...pool].sort((a, b) => size(a) - size(b));
  return sorted.find((c) => size(c) >= need) ?? sorted.at(-1);
}
