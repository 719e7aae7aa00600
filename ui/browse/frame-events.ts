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
      if (download !== null) actions.download(url, download);
      else if (isSameDocument(url, pageUrl()) && fragmentOf(url) !== '') jumpToFragment(doc, fragmentOf(url));
      else actions.navigate(url);
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

/** The form's fields as the submission would send them, the clicked button's own name/value included. */
function formEntries(form: HTMLFormElement, button: Submitter | null): Array<[string, FormEntryValue]> {
  let data: FormData;
  try {
    data = new FormData(form, button);
  } catch {
    // An older engine without the submitter argument: add the button's entry by hand.
    data = new FormData(form);
    if (button?.name) data.append(button.name, button.value);
  }
  return [...data.entries()].map(([name, value]) => [name, typeof value === 'string' ? value : { name: value.name }]);
}
