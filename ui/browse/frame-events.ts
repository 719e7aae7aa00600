// The view's clicks, key presses and submissions, handled by the browse page: the sandboxed frame
// can neither run script nor submit a form, and its links carry no real address, so links and GET
// forms only move the view when the browse page navigates it through the donor.
import { formGetUrl, formMethod, type FormEntryValue } from './form-submission.ts';
import { jumpToFragment } from './frame-document.ts';
import { fragmentOf, isSameDocument } from './resolve-url.ts';
import { viewAttributes } from './sanitize-page.ts';

/** What the view's events may ask the browse page to do. */
export interface ViewActions {
  /** Show `url` in the view, fetched through the donor. */
  navigate(url: string): void;
  /** Save `url` through the donor; `name` is the link's suggested file name, '' for none. */
  download(url: string, name: string): void;
  /** A form wanted to POST (or use another method the view cannot send yet). */
  unsupportedForm(method: string): void;
  /** The view jumped within the page shown to `url` (a fragment of it): nothing was fetched. */
  jumped(url: string): void;
}

/** Elements of the frame's realm fail `instanceof` against this page's classes; check the node instead. */
function asElement(target: EventTarget | null): Element | null {
  const node = target as Node | null;
  if (!node || typeof node !== 'object' || !('nodeType' in node)) return null;
  if (node.nodeType === 1) return node as Element;
  return node.parentElement;
}

type Submitter = HTMLButtonElement | HTMLInputElement;

function isSubmitButton(element: Element): element is Submitter {
  const tag = element.localName;
  const type = (element.getAttribute('type') ?? '').toLowerCase();
  if (tag === 'button') return type === '' || type === 'submit';
  return tag === 'input' && (type === 'submit' || type === 'image');
}

/**
 * Handles the view document's events until `signal` aborts. `pageUrl` gives the address of the
 * page shown (for jumps within it and forms without an action).
 */
export function handleViewEvents(doc: Document, pageUrl: () => string, actions: ViewActions, signal: AbortSignal): void {
  const options = { capture: true, signal };

  function submit(form: HTMLFormElement, button: Submitter | null): void {
    const method = formMethod(form.getAttribute(viewAttributes.method), button?.getAttribute(viewAttributes.formMethod) ?? null);
    if (method === 'dialog') return;
    if (method !== 'get') {
      actions.unsupportedForm(method);
      return;
    }
    const action = button?.getAttribute(viewAttributes.formAction) ?? form.getAttribute(viewAttributes.action) ?? pageUrl();
    // '' marks a target the sanitizer refused (javascript:, data:): such a form goes nowhere.
    if (action === '') return;
    actions.navigate(formGetUrl(action, formEntries(form, button)));
  }

  doc.addEventListener(
    'click',
    (event) => {
      const target = asElement(event.target);
      if (!target) return;
      const button = target.closest('button, input');
      if (button && isSubmitButton(button) && button.form) {
        event.preventDefault();
        if (!button.disabled) submit(button.form, button);
        return;
      }
      const link = target.closest('a, area');
      if (!link) return;
      // Whatever the link is, the frame itself never follows it.
      event.preventDefault();
      if ((event as MouseEvent).button !== 0) return;
      const url = link.getAttribute(viewAttributes.href);
      if (url === null) return;
      const download = link.getAttribute(viewAttributes.download);
      const fragment = fragmentOf(url);
      if (download !== null) actions.download(url, download);
      // "#", "#top", "#part-2" on this page: HTML's fragment navigation, a scroll and no request.
      else if (fragment !== null && isSameDocument(url, pageUrl())) {
        jumpToFragment(doc, fragment);
        actions.jumped(url);
      } else actions.navigate(url);
    },
    options,
  );

  // Middle clicks would open a new tab from the frame; the sandbox refuses that, and so do we.
  doc.addEventListener('auxclick', (event) => event.preventDefault(), options);

  doc.addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Enter' || event.isComposing) return;
      const target = asElement(event.target);
      if (!target || target.localName !== 'input') return;
      const input = target as HTMLInputElement;
      const type = (input.getAttribute('type') ?? 'text').toLowerCase();
      if (['button', 'checkbox', 'radio', 'reset', 'submit', 'image', 'file', 'color', 'range'].includes(type) || !input.form) return;
      // Implicit submission (HTML §4.10.21.2): the form's first submit button, if any, submits it.
      event.preventDefault();
      const first = [...input.form.elements].find((element) => isSubmitButton(element)) as Submitter | undefined;
      if (first?.disabled) return;
      submit(input.form, first ?? null);
    },
    options,
  );

  // The sandbox stops submissions before this event; should one ever get here, it goes the same way.
  doc.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      const form = asElement(event.target) as HTMLFormElement | null;
      const submitterElement = (event as SubmitEvent).submitter;
      if (form) submit(form, submitterElement && isSubmitButton(submitterElement) ? submitterElement : null);
    },
    options,
  );
}

/**
 * The form's fields as the site's form would send them, the clicked button's own name/value
 * included: the browser's own entry list (FormData), built while each control carries the name
 * the site gave it. The sanitizer keeps names (and ids) that collide with DOM properties (`lang`,
 * `title`, `submit`) out of the document; they are put on for this one synchronous call, in which
 * no script can run, and taken off again.
 */
export function formEntries(form: HTMLFormElement, button: Submitter | null): Array<[string, FormEntryValue]> {
  const restored: Array<readonly [Element, string, string | null]> = [];
  const restore = (element: Element, attribute: 'name' | 'id', written: string): void => {
    restored.push([element, attribute, element.getAttribute(attribute)]);
    element.setAttribute(attribute, written);
  };
  // Controls outside the form (form="id") belong to it too; the document holds them all.
  const named = ['input', 'button', 'select', 'textarea'].map((tag) => `${tag}[${viewAttributes.name}]`).join(', ');
  for (const control of form.ownerDocument.querySelectorAll(named)) restore(control, 'name', control.getAttribute(viewAttributes.name) ?? '');
  // The form's own id, if it was kept aside, is what those form="id" controls name.
  const formId = form.getAttribute(viewAttributes.id);
  if (formId !== null) restore(form, 'id', formId);
  let data: FormData;
  try {
    data = siteFormData(form, button);
  } finally {
    for (const [element, attribute, value] of restored.reverse()) {
      if (value === null) element.removeAttribute(attribute);
      else element.setAttribute(attribute, value);
    }
  }
  return [...data.entries()].map(([name, value]) => [name, typeof value === 'string' ? value : { name: value.name }]);
}

function siteFormData(form: HTMLFormElement, button: Submitter | null): FormData {
  try {
    return new FormData(form, button);
  } catch {
    // An older engine without the submitter argument: add the button's entry by hand.
    const data = new FormData(form);
    const name = button?.getAttribute('name');
    if (button && name) data.append(name, button.value);
    return data;
  }
}
