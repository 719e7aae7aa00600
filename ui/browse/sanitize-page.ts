// A fetched page made inert before it reaches the view: DOMPurify removes scripts, event handlers
// and dangerous elements; then every attribute that would make the browser load or navigate
// anywhere is taken off. Relative addresses resolve as the site meant them: against the page's
// first <base href> (http(s) only), else the page's own URL. <noscript> content is shown, since no
// script ever runs in the view. Resources the page needs become tasks (fetched later through the donor
// and filled in as blob: URLs); links and form targets move into data- attributes the view's
// event handling reads. All of it happens in an inert document (DOMParser's, which loads nothing),
// so nothing is fetched directly, not even while sanitizing.
import DOMPurify from 'dompurify';
import { findCssUrls } from './css-rewrite.ts';
import { resolveHttpUrl } from './resolve-url.ts';
import { parseSrcset, pickSrcsetCandidate, type ImageSlot, type SrcsetCandidate } from './srcset.ts';
import { provisionalCss } from './stylesheets.ts';

/** Attributes the sanitizer writes; a page's own attributes with these names are removed first. */
export const viewAttributes = {
  /** On links: the absolute http(s) address they lead to. */
  href: 'data-porchlight-href',
  /** On links with `download`: the suggested file name ('' for none). */
  download: 'data-porchlight-download',
  /** On forms: the absolute address they submit to; '' when it is not an http(s) address (nothing is sent). */
  action: 'data-porchlight-action',
  /** On forms: the method as written. */
  method: 'data-porchlight-method',
  /** On submit buttons: their own target and method, overriding the form's. */
  formAction: 'data-porchlight-formaction',
  formMethod: 'data-porchlight-formmethod',
  /**
   * The site's own `name` of a form control or link, where DOMPurify took it off because it
   * collides with a DOM property (`lang`, `title`, `submit`: DOM clobbering). Form submission and
   * fragment jumps read it; the live document never carries the colliding name.
   */
  name: 'data-porchlight-name',
  /** The site's own `id`, where DOMPurify took it off for the same reason (fragment jumps read it). */
  id: 'data-porchlight-id',
} as const;

const viewAttributePrefix = 'data-porchlight-';
const xlinkNamespace = 'http://www.w3.org/1999/xlink';
const svgNamespace = 'http://www.w3.org/2000/svg';
const htmlNamespace = 'http://www.w3.org/1999/xhtml';
// Elements whose `name` means something to the site: form controls submit under it, links are fragment targets.
const namedElements: readonly string[] = ['input', 'button', 'select', 'textarea', 'a'];

// Elements that embed other documents, run code or change how the document loads. DOMPurify's
// defaults already drop most; naming them keeps the intent visible and survives default changes.
// (<base> is read before it goes: its address becomes the page's base URL; <noscript> is
// unwrapped before sanitizing, so none is left to meet this list.)
const forbiddenTags = ['script', 'noscript', 'base', 'meta', 'title', 'object', 'embed', 'applet', 'param', 'iframe', 'frame', 'frameset', 'portal', 'fencedframe', 'template', 'slot'];
// Attributes that load, navigate or point a navigation elsewhere and are not handled below.
const forbiddenAttributes = ['srcdoc', 'ping', 'target', 'formtarget', 'background', 'lowsrc', 'dynsrc', 'longdesc', 'codebase', 'archive', 'classid', 'manifest', 'icon', 'profile', 'integrity', 'crossorigin', 'attributionsrc'];
// Anything that may still hold an address after the element-specific handling: removed.
const addressAttributes = ['href', 'xlink:href', 'src', 'srcset', 'imagesrcset', 'action', 'formaction', 'poster', 'data', 'cite', ...forbiddenAttributes];

const supportedImageTypes: readonly string[] = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/svg+xml', 'image/apng', 'image/bmp', 'image/x-icon'];

/** An image (or poster) to fetch through the donor and set on `element` as a blob: URL. */
export interface ImageTask {
  readonly element: Element;
  readonly attribute: 'src' | 'href' | 'poster';
  readonly url: string;
}

/** A stylesheet to build: `element` is a <style> whose text gets the built CSS. */
export interface StylesheetTask {
  readonly element: Element;
  /** An external sheet's address (a <link rel=stylesheet> that became this <style>), or the inline CSS. */
  readonly source: { readonly href: string } | { readonly css: string };
}

/** A `style` attribute whose url()s must be fetched before it is set in full. */
export interface InlineStyleTask {
  readonly element: Element;
  readonly css: string;
}

/** A page made inert, with the work left to make it whole. */
export interface SanitizedPage {
  /** The <html> element, in an inert document. */
  readonly root: Element;
  readonly title: string;
  /** What the page's relative addresses resolve against: its first <base href> if http(s), else its own URL. */
  readonly baseUrl: string;
  readonly images: readonly ImageTask[];
  readonly stylesheets: readonly StylesheetTask[];
  readonly inlineStyles: readonly InlineStyleTask[];
}

/** Where the view will show the page: for choosing among srcset candidates and <picture> sources. */
export interface PageContext {
  /** The final response URL: relative references resolve against it unless the page names a <base href>. */
  readonly pageUrl: string;
  readonly slot: ImageSlot;
  /** Evaluates a media query for the view (a <source media> condition). */
  readonly matchesMedia: (query: string) => boolean;
}

/** Where the page is and what its relative addresses resolve against. */
interface Scope extends PageContext {
  readonly baseUrl: string;
}

/** Sanitizes `html` (a whole document) for the view. */
export function sanitizePage(html: string, pageContext: PageContext): SanitizedPage {
  // An inert document (DOMParser's: scripting disabled, loads nothing), so <noscript> holds
  // elements, never raw text. They are what a reader without script sees, and the view runs no
  // script: unwrapped here, DOMPurify sanitizes them as the ordinary content they now are (it
  // would drop a <noscript> holding elements whole, wary of documents reparsed with scripting on;
  // this DOM is never serialized and reparsed).
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  for (const noscript of parsed.querySelectorAll('noscript')) noscript.replaceWith(...noscript.childNodes);
  // HTML's "first base element with an href attribute, in tree order".
  const baseHref = [...parsed.getElementsByTagName('base')].find((base) => base.namespaceURI === htmlNamespace && base.hasAttribute('href'))?.getAttribute('href');
  // A private DOMPurify instance: its configuration and hooks stay this module's.
  const purify = DOMPurify(window);
  // The site's own ids and names, as written, before DOM-clobbering protection may take them off.
  const written = new Map<Element, { id?: string; name?: string }>();
  purify.addHook('uponSanitizeAttribute', (node, data) => {
    if (data.attrName !== 'id' && data.attrName !== 'name') return;
    // Through the prototype: a form's own getAttribute may be clobbered by a control named so.
    const value = Element.prototype.getAttribute.call(node, data.attrName);
    if (value !== null) written.set(node, { ...written.get(node), [data.attrName]: value });
  });
  const root = purify.sanitize(parsed.documentElement, {
    WHOLE_DOCUMENT: true,
    RETURN_DOM: true,
    ADD_TAGS: ['link'],
    // A button's own target and method (moved into data- attributes below like the form's); a
    // control's form owner and the direction entry it adds: both change what a form submits.
    ADD_ATTR: ['formaction', 'formmethod', 'form', 'dirname'],
    FORBID_TAGS: forbiddenTags.filter((tag) => tag !== 'title'),
    FORBID_ATTR: forbiddenAttributes,
    ALLOW_UNKNOWN_PROTOCOLS: false,
  });
  const title = root.querySelector('head > title')?.textContent?.trim().replace(/\s+/g, ' ') ?? '';
  // A base that is not http(s) (javascript:, data:, file:) or does not parse is ignored, as if absent.
  const baseUrl = baseHref == null ? pageContext.pageUrl : (resolveHttpUrl(baseHref, pageContext.pageUrl) ?? pageContext.pageUrl);
  const context: Scope = { ...pageContext, baseUrl };
  for (const picture of root.querySelectorAll('picture')) foldPicture(picture, context);
  const tasks: Tasks = { images: [], stylesheets: [], inlineStyles: [] };
  // Elements removed on the way leave their descendants in this list, detached: handling them is harmless.
  for (const element of [root, ...root.querySelectorAll('*')]) neutralize(element, context, tasks);
  keepWrittenNames(root, written);
  return { root, title, baseUrl, ...tasks };
}

/** Records the ids and names DOMPurify took off (DOM clobbering) in data- attributes the view reads. */
function keepWrittenNames(root: Element, written: ReadonlyMap<Element, { id?: string; name?: string }>): void {
  for (const [element, { id, name }] of written) {
    if (!root.contains(element)) continue;
    // Taken off, or trimmed: either way the attribute no longer says what the site wrote.
    if (id !== undefined && id !== '' && element.getAttribute('id') !== id) element.setAttribute(viewAttributes.id, id);
    if (name !== undefined && element.getAttribute('name') !== name && namedElements.includes(element.localName) && element.namespaceURI === htmlNamespace) element.setAttribute(viewAttributes.name, name);
  }
}

type Tasks = { images: ImageTask[]; stylesheets: StylesheetTask[]; inlineStyles: InlineStyleTask[] };

function neutralize(element: Element, context: Scope, tasks: Tasks): void {
  const tag = element.localName.toLowerCase();
  for (const name of element.getAttributeNames()) {
    if (name.toLowerCase().startsWith(viewAttributePrefix)) element.removeAttribute(name);
  }
  // DOMPurify keeps <title> so the page's title can be read; SVG titles (tooltips) stay.
  const svgTitle = tag === 'title' && element.namespaceURI === svgNamespace;
  if (forbiddenTags.includes(tag) && !svgTitle) {
    element.remove();
    return;
  }
  switch (tag) {
    case 'a':
    case 'area':
      link(element, context);
      break;
    case 'form':
      form(element, context);
      break;
    case 'button':
    case 'input':
      submitter(element, context);
      if (tag === 'input' && element.getAttribute('type')?.toLowerCase() === 'image') image(element, context, tasks, 'src');
      break;
    case 'img':
      image(element, context, tasks, 'srcset');
      break;
    case 'video':
    case 'audio':
      // Media is not fetched (too large to buffer whole); the poster is.
      poster(element, context, tasks);
      break;
    case 'source':
      // <picture> sources were folded into their <img> already; media sources are not fetched.
      element.remove();
      return;
    case 'track':
      element.remove();
      return;
    case 'image':
    case 'feimage':
      svgImage(element, context, tasks);
      break;
    case 'link':
      stylesheetLink(element, context, tasks);
      return;
    case 'style':
      tasks.stylesheets.push({ element, source: { css: element.textContent ?? '' } });
      element.textContent = provisionalCss(element.textContent ?? '');
      break;
    default:
      svgReference(element);
  }
  const style = element.getAttribute('style');
  if (style !== null && findCssUrls(style).length > 0) {
    tasks.inlineStyles.push({ element, css: style });
    element.setAttribute('style', provisionalCss(style));
  }
  for (const name of element.getAttributeNames()) {
    const lower = name.toLowerCase();
    // SVG presentation attributes (fill, filter, mask, …) may reference another document.
    if (lower !== 'style' && /url\s*\(/i.test(element.getAttribute(name) ?? '') && findCssUrls(element.getAttribute(name) ?? '').some((ref) => !ref.url.startsWith('#'))) {
      element.removeAttribute(name);
      continue;
    }
    if (addressAttributes.includes(lower) && !keepsAddress(element, lower)) element.removeAttribute(name);
  }
}

/** The address attributes the handling above deliberately leaves: inert placeholders and local references. */
function keepsAddress(element: Element, name: string): boolean {
  const value = element.getAttribute(name) ?? '';
  if (name === 'href' || name === 'xlink:href') return value === '#' || (value.startsWith('#') && element.localName.toLowerCase() !== 'a');
  if (name === 'src' || name === 'poster') return /^data:/i.test(value);
  return false;
}

function hrefOf(element: Element): string | null {
  return element.getAttribute('href') ?? element.getAttributeNS(xlinkNamespace, 'href');
}

function removeHref(element: Element): void {
  element.removeAttribute('href');
  element.removeAttributeNS(xlinkNamespace, 'href');
}

function link(element: Element, context: Scope): void {
  const href = hrefOf(element);
  const download = element.getAttribute('download');
  removeHref(element);
  element.removeAttribute('download');
  if (href === null) return;
  const url = resolveHttpUrl(href, context.baseUrl);
  if (url === null) return; // javascript:, mailto: and the like: the link stays, inert
  element.setAttribute(viewAttributes.href, url);
  if (download !== null) element.setAttribute(viewAttributes.download, download);
  // A harmless href keeps the link focusable and styled as a link; the view's click handling
  // navigates through the donor, and if it ever failed this would only jump to the frame's top.
  element.setAttribute('href', '#');
}

/** A form's or button's target (HTML: an empty or missing action is the page itself, not the base). */
function actionUrl(action: string | null, context: Scope): string | null {
  return action === null || action === '' ? context.pageUrl : resolveHttpUrl(action, context.baseUrl);
}

function form(element: Element, context: Scope): void {
  // An action that is not http(s) (javascript:, data:) means nowhere: ''.
  const url = actionUrl(element.getAttribute('action'), context);
  element.setAttribute(viewAttributes.action, url ?? '');
  element.setAttribute(viewAttributes.method, element.getAttribute('method') ?? '');
  element.removeAttribute('action');
  element.removeAttribute('method');
}

function submitter(element: Element, context: Scope): void {
  const action = element.getAttribute('formaction');
  if (action !== null) element.setAttribute(viewAttributes.formAction, actionUrl(action, context) ?? '');
  const method = element.getAttribute('formmethod');
  if (method !== null) element.setAttribute(viewAttributes.formMethod, method);
  element.removeAttribute('formaction');
  element.removeAttribute('formmethod');
}

/** Gives a <picture>'s <img> the srcset of the source the view would pick, so one image is fetched. */
function foldPicture(picture: Element, context: Scope): void {
  const img = picture.querySelector(':scope > img');
  const srcset = chosenSource(picture, context);
  if (img && srcset !== undefined) img.setAttribute('srcset', srcset);
  for (const source of picture.querySelectorAll(':scope > source')) source.remove();
}

/** Sets `element`'s image source from srcset/src, as a task. */
function image(element: Element, context: Scope, tasks: Tasks, mode: 'srcset' | 'src'): void {
  const src = element.getAttribute('src');
  let candidates: SrcsetCandidate[] = [];
  if (mode === 'srcset') {
    candidates = parseSrcset(element.getAttribute('srcset') ?? '');
    // src is the 1x candidate unless srcset already has one (HTML's "update the source set").
    if (src && !candidates.some((c) => c.width !== undefined || c.density === 1)) candidates.push({ url: src, density: 1 });
  } else if (src) {
    candidates = [{ url: src, density: 1 }];
  }
  element.removeAttribute('src');
  element.removeAttribute('srcset');
  element.removeAttribute('sizes');
  const chosen = pickSrcsetCandidate(candidates, context.slot)?.url;
  if (chosen === undefined) return;
  if (/^\s*data:image\//i.test(chosen)) {
    element.setAttribute('src', chosen.trim());
    return;
  }
  const url = resolveHttpUrl(chosen, context.baseUrl);
  if (url !== null) tasks.images.push({ element, attribute: 'src', url });
}

/** The srcset of the first <source> in `picture` whose type and media the view supports. */
function chosenSource(picture: Element, context: Scope): string | undefined {
  for (const source of picture.querySelectorAll(':scope > source')) {
    const type = source.getAttribute('type')?.trim().toLowerCase();
    if (type && !supportedImageTypes.includes(type)) continue;
    const media = source.getAttribute('media');
    if (media && !safeMatch(context, media)) continue;
    const srcset = source.getAttribute('srcset');
    if (srcset) return srcset;
  }
  return undefined;
}

function safeMatch(context: PageContext, query: string): boolean {
  try {
    return context.matchesMedia(query);
  } catch {
    return false;
  }
}

function poster(element: Element, context: Scope, tasks: Tasks): void {
  const value = element.getAttribute('poster');
  element.removeAttribute('poster');
  element.removeAttribute('src');
  if (value === null) return;
  const url = resolveHttpUrl(value, context.baseUrl);
  if (url !== null) tasks.images.push({ element, attribute: 'poster', url });
}

function svgImage(element: Element, context: Scope, tasks: Tasks): void {
  const href = hrefOf(element);
  removeHref(element);
  if (href === null) return;
  if (href.startsWith('#')) {
    element.setAttribute('href', href);
    return;
  }
  const url = resolveHttpUrl(href, context.baseUrl);
  if (url !== null) tasks.images.push({ element, attribute: 'href', url });
}

/** SVG references (gradients, paths, patterns) may point inside the document, never outside it. */
function svgReference(element: Element): void {
  const href = hrefOf(element);
  if (href === null) return;
  removeHref(element);
  if (href.trim().startsWith('#')) element.setAttribute('href', href.trim());
}

function stylesheetLink(element: Element, context: Scope, tasks: Tasks): void {
  const rel = (element.getAttribute('rel') ?? '').toLowerCase().split(/\s+/);
  const href = resolveHttpUrl(element.getAttribute('href') ?? '', context.baseUrl);
  if (!rel.includes('stylesheet') || rel.includes('alternate') || element.hasAttribute('disabled') || href === null || element.getAttribute('href') === null) {
    element.remove();
    return;
  }
  const style = element.ownerDocument.createElement('style');
  const media = element.getAttribute('media');
  if (media) style.setAttribute('media', media);
  element.replaceWith(style);
  tasks.stylesheets.push({ element: style, source: { href } });
}
