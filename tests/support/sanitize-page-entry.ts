// Browser bundle for the sanitizer suite: exposes ui/browse/sanitize-page.ts on `window`, reporting
// what a test needs as plain data (the inert document as HTML, the resource tasks as URLs), and
// what a form submits once sanitized, beside what the browser submits for the same markup.
import { formEntries } from '../../ui/browse/frame-events.ts';
import { formGetUrl } from '../../ui/browse/form-submission.ts';
import { installPage } from '../../ui/browse/frame-document.ts';
import { sanitizePage, viewAttributes } from '../../ui/browse/sanitize-page.ts';

/** What sanitizing one document produced. */
export interface SanitizeReport {
  readonly html: string;
  readonly title: string;
  readonly baseUrl: string;
  readonly images: Array<{ tag: string; attribute: string; url: string }>;
  readonly stylesheets: Array<{ href?: string; css?: string; text: string }>;
  readonly inlineStyles: Array<{ css: string; now: string | null }>;
}

declare global {
  interface Window {
    sanitizeForTest(html: string, pageUrl: string): SanitizeReport;
    submitForTest(html: string, pageUrl: string, formId: string, submitterId: string | null, fill: readonly FillStep[]): Promise<{ view: string; browser: string }>;
  }
}

window.sanitizeForTest = (html, pageUrl) => {
  const page = sanitizePage(html, { pageUrl, slot: { devicePixelRatio: 1, width: 800 }, matchesMedia: (query) => window.matchMedia(query).matches });
  return {
    html: page.root.outerHTML,
    title: page.title,
    baseUrl: page.baseUrl,
    images: page.images.map((task) => ({ tag: task.element.localName, attribute: task.attribute, url: task.url })),
    stylesheets: page.stylesheets.map((task) => ({ ...task.source, text: task.element.textContent ?? '' })),
    inlineStyles: page.inlineStyles.map((task) => ({ css: task.css, now: task.element.getAttribute('style') })),
  };
};

/** What a person does to one control before submitting: type a value, tick or untick, pick options (by index). */
export interface FillStep {
  readonly id: string;
  readonly value?: string;
  readonly checked?: boolean;
  readonly selected?: readonly number[];
}

/** The element the site gave `id`, also where the sanitizer kept that id aside. */
function byId(doc: Document, id: string): Element {
  const element = doc.getElementById(id) ?? [...doc.querySelectorAll(`[${viewAttributes.id}]`)].find((e) => e.getAttribute(viewAttributes.id) === id);
  if (!element) throw new Error(`no #${id}`);
  return element;
}

function applyFill(doc: Document, steps: readonly FillStep[]): void {
  for (const step of steps) {
    const element = byId(doc, step.id) as HTMLInputElement & HTMLSelectElement;
    if (step.value !== undefined) element.value = step.value;
    if (step.checked !== undefined) element.checked = step.checked;
    if (step.selected !== undefined) [...element.options].forEach((option, i) => (option.selected = step.selected!.includes(i)));
  }
}

/** A same-origin frame of this page with an empty document, as the view is. */
async function blankFrame(): Promise<Document> {
  const frame = document.createElement('iframe');
  document.body.append(frame);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return frame.contentDocument!; // about:blank of this page's origin
}

// The form `formId` in `html`, filled as `fill` says, submitted by `submitterId`: the URL the view
// navigates to, and the one the browser itself would (its FormData over the site's markup as is).
window.submitForTest = async (html, pageUrl, formId, submitterId, fill) => {
  const plain = await blankFrame();
  plain.open();
  // The plain frame's own URL is about:blank: a <base> of the page's URL stands in for it (unless the markup has one).
  plain.write(/<base\b/i.test(html) ? html : html.replace(/<head>/i, `<head><base href="${pageUrl}">`));
  plain.close();
  const view = await blankFrame();
  installPage(view, sanitizePage(html, { pageUrl, slot: { devicePixelRatio: 1, width: 800 }, matchesMedia: () => false }).root);
  const urls = [view, plain].map((doc) => {
    applyFill(doc, fill);
    const form = byId(doc, formId) as HTMLFormElement;
    const button = submitterId === null ? null : (byId(doc, submitterId) as HTMLButtonElement);
    if (doc === view) return formGetUrl(form.getAttribute(viewAttributes.action)!, formEntries(form, button));
    // The prototype's getter: a control named "action" shadows form.action (the markup means to).
    const action = Object.getOwnPropertyDescriptor(HTMLFormElement.prototype, 'action')!.get!.call(form) as string;
    return formGetUrl(action, [...new FormData(form, button).entries()].map(([name, value]) => [name, typeof value === 'string' ? value : { name: value.name }] as const));
  });
  return { view: urls[0]!, browser: urls[1]! };
};
