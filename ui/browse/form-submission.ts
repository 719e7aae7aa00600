// What submitting a form in the view means, decided from its attributes and fields: the method,
// and for GET the address to navigate to (HTML's "mutate action URL" with urlencoded fields).

/** How a form submits. */
export type FormMethod = 'get' | 'post' | 'dialog';

/**
 * The method of a submission: the submitter's `formmethod` when it has a valid one, else the
 * form's `method`, else GET (HTML's enumerated attribute with GET as the invalid value default).
 */
export function formMethod(formAttribute: string | null, submitterAttribute: string | null): FormMethod {
  const parse = (value: string | null): FormMethod | undefined => {
    const lower = value?.trim().toLowerCase();
    return lower === 'get' || lower === 'post' || lower === 'dialog' ? lower : undefined;
  };
  return parse(submitterAttribute) ?? parse(formAttribute) ?? 'get';
}

/** A form field's value as FormData gives it: text, or a file (of which GET sends only the name). */
export type FormEntryValue = string | { readonly name: string };

/** Line breaks as a submitted form sends them: every CR, LF and CRLF becomes CRLF (FormData keeps them as typed). */
function normalizeNewlines(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/**
 * The URL a GET form navigates to: `action` with its query replaced by the fields,
 * application/x-www-form-urlencoded in UTF-8 (spaces as '+', line breaks as CRLF); the fragment is kept.
 */
export function formGetUrl(action: string, entries: Iterable<readonly [string, FormEntryValue]>): string {
  const url = new URL(action);
  const query = new URLSearchParams();
  for (const [name, value] of entries) query.append(normalizeNewlines(name), normalizeNewlines(typeof value === 'string' ? value : value.name));
  url.search = query.toString();
  // `search = ''` leaves a lone '?' out, but a form with no fields still navigates to "action?".
  return url.search === '' ? `${url.origin}${url.pathname}?${url.hash}` : url.href;
}
