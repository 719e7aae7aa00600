// The view's document: a sandboxed frame (no scripts, no forms, no popups, no top navigation)
// whose content is put in place by the browse page through the DOM. Its Content-Security-Policy
// lets it load only what the browse page hands it (blob: and data:), never the network.
import { viewAttributes } from './sanitize-page.ts';

/** The view's Content-Security-Policy: blob: and data: resources only, no forms, no base. */
export const viewContentSecurityPolicy = [
  "default-src 'none'",
  'img-src blob: data:',
  "style-src 'unsafe-inline' blob:",
  'font-src blob: data:',
  'media-src blob:',
  "form-action 'none'",
  "base-uri 'none'",
].join('; ');

/** The frame's sandbox flags: same origin (so the browse page can fill it) and nothing else. */
export const viewSandbox = 'allow-same-origin';

const policyMarker = 'data-porchlight-policy';

/** The frame's initial document (its srcdoc): the policy first, then an empty body. */
export function viewSkeleton(): string {
  return `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${viewContentSecurityPolicy}" ${policyMarker}><meta charset="utf-8"></head><body></body></html>`;
}

/** Empties the view's document, keeping the policy <meta> (its policy stays in force regardless). */
function clear(doc: Document): void {
  for (const name of doc.documentElement.getAttributeNames()) doc.documentElement.removeAttribute(name);
  for (const child of [...doc.head.childNodes]) {
    if (!(child.nodeType === 1 && (child as Element).hasAttribute(policyMarker))) child.remove();
  }
  doc.body.replaceChildren();
  for (const name of doc.body.getAttributeNames()) doc.body.removeAttribute(name);
}

/**
 * Moves a sanitized page (`root`, the <html> of an inert document) into the view. The nodes are
 * adopted, not copied, so references kept to them (resource tasks) stay valid.
 */
export function installPage(doc: Document, root: Element): void {
  clear(doc);
  for (const name of root.getAttributeNames()) doc.documentElement.setAttribute(name, root.getAttribute(name) ?? '');
  const head = root.querySelector(':scope > head');
  if (head) for (const child of [...head.childNodes]) doc.head.append(doc.adoptNode(child));
  const body = root.querySelector(':scope > body');
  if (body) doc.documentElement.replaceChild(doc.adoptNode(body), doc.body);
  doc.defaultView?.scrollTo(0, 0);
}

/** Shows an image (a blob: URL) alone in the view, scaled down to fit. */
export function installImage(doc: Document, blobUrl: string, label: string): void {
  clear(doc);
  const style = doc.createElement('style');
  style.textContent = 'html,body{height:100%;margin:0}body{display:grid;place-items:center;background:#2b2b2f}img{max-inline-size:100%;max-block-size:100%}';
  doc.head.append(style);
  const img = doc.createElement('img');
  img.alt = label;
  img.src = blobUrl;
  doc.body.append(img);
}

/** Shows plain text in the view, as the browser shows a text file. */
export function installText(doc: Document, text: string): void {
  clear(doc);
  const style = doc.createElement('style');
  style.textContent = 'pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:8px;font:13px/1.45 ui-monospace,monospace}';
  doc.head.append(style);
  const pre = doc.createElement('pre');
  pre.textContent = text;
  doc.body.append(pre);
}

/**
 * Scrolls the view to what `fragment` (as written in the URL, percent-encoded) indicates, as
 * HTML's "scroll to the fragment" does: '' is the top; an element with that id or an <a> with that
 * name, tried as written and then percent-decoded; else "top" (any case) is the top. Only the view
 * scrolls, never the browse page around it. Returns false when nothing was indicated.
 */
export function jumpToFragment(doc: Document, fragment: string): boolean {
  const top = (): true => {
    doc.defaultView?.scrollTo(doc.defaultView.scrollX, 0);
    return true;
  };
  if (fragment === '') return top();
  const decoded = percentDecode(fragment);
  const target = indicatedElement(doc, fragment) ?? indicatedElement(doc, decoded);
  if (target) {
    scrollWithinView(doc, target);
    return true;
  }
  return decoded.toLowerCase() === 'top' ? top() : false;
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a malformed escape is matched as written
  }
}

/** The element with id `name`, else the first <a> named `name` (the site's own ids and names, kept by the sanitizer, count). */
function indicatedElement(doc: Document, name: string): Element | null {
  if (name === '') return null;
  const byId = doc.getElementById(name) ?? [...doc.querySelectorAll(`[${viewAttributes.id}]`)].find((element) => element.getAttribute(viewAttributes.id) === name);
  if (byId) return byId;
  return [...doc.getElementsByTagName('a')].find((a) => (a.getAttribute(viewAttributes.name) ?? a.getAttribute('name')) === name) ?? null;
}

/** scrollIntoView scrolls every ancestor too, the browse page around the frame included: those are put back. */
function scrollWithinView(doc: Document, target: Element): void {
  const frame = doc.defaultView?.frameElement ?? null;
  const outerWindow = frame?.ownerDocument.defaultView ?? null;
  const outer: Array<readonly [Element, number, number]> = [];
  for (let element = frame?.parentElement ?? null; element; element = element.parentElement) outer.push([element, element.scrollTop, element.scrollLeft]);
  const [x, y] = [outerWindow?.scrollX ?? 0, outerWindow?.scrollY ?? 0];
  target.scrollIntoView({ block: 'start', inline: 'nearest' });
  for (const [element, top, left] of outer) {
    element.scrollTop = top;
    element.scrollLeft = left;
  }
  outerWindow?.scrollTo(x, y);
}
