// Whether a page is built by its scripts: the view runs none, so such a page shows an empty shell
// (a bare app root, a "please enable JavaScript" line). Judged from the markup as the site sent it
// (its scripts, an empty app root) and the text left after sanitising, so the notice says why the
// view is empty instead of leaving the person to guess.

/** What the judgement reads. */
export interface ScriptSigns {
  /** <script> elements in the markup that would run (JSON and templates do not count). */
  readonly scripts: number;
  /** The markup has an app root (`<div id="root">`, `#app`, `#__next`, `<app-root>`, …) with nothing in it. */
  readonly emptyAppRoot: boolean;
  /** Characters of text the sanitized page shows (whitespace collapsed; an image or video counts as {@link mediaChars}), up to {@link textCountCap}. */
  readonly textChars: number;
}

/** A page with an empty app root and a script still counts as script-built below this much text (a footer, a noscript line). */
export const appRootTextLimit = 500;
/** Without an app root marker: this many scripts… */
export const manyScripts = 5;
/** …and less text than this. */
export const bareTextLimit = 100;
/** Counting stops here: past it the page has content whatever its scripts do. */
export const textCountCap = 1000;

// Types that run as script; everything else (JSON-LD, import maps, templates) is data.
const runnableType = /^\s*(?:(?:text|application)\/(?:x-)?(?:java|ecma)script|module|text\/babel|text\/jsx)?\s*$/i;
const scriptOpenTag = /<script\b([^>]*)>/gi;
const typeAttribute = /\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i;
// An element with one of the ids frameworks mount into, or Angular's <app-root>, holding nothing but whitespace.
const emptyRootPatterns: readonly RegExp[] = [
  /<(div|main|section)\b[^>]*\bid\s*=\s*["']?(?:root|app|__next|__nuxt|___gatsby|svelte|main-app)(?=["'\s/>])[^>]*>\s*<\/\1\s*>/i,
  /<app-root\b[^>]*>\s*<\/app-root\s*>/i,
];
const skippedElements: readonly string[] = ['style', 'script', 'template', 'head', 'title'];
// A picture is content too: a comic or a photo page has no text and needs no script.
const mediaElements: readonly string[] = ['img', 'picture', 'video', 'svg', 'canvas'];
/** What one image or video counts for, in characters of text. */
export const mediaChars = 200;

/** The script count and app-root marker of `html`, the markup as the site sent it. */
export function markupSigns(html: string): Pick<ScriptSigns, 'scripts' | 'emptyAppRoot'> {
  let scripts = 0;
  for (const match of html.matchAll(scriptOpenTag)) {
    const type = typeAttribute.exec(match[1] ?? '');
    const value = type === null ? '' : (type[1] ?? type[2] ?? type[3] ?? '');
    if (runnableType.test(value)) scripts++;
  }
  return { scripts, emptyAppRoot: emptyRootPatterns.some((pattern) => pattern.test(html)) };
}

/** Characters of text `root` shows (images and videos counting {@link mediaChars} each), whitespace collapsed, stopping once past {@link textCountCap}. */
export function visibleTextChars(root: Element): number {
  let count = 0;
  const visit = (node: Node): void => {
    for (let child = node.firstChild; child !== null && count <= textCountCap; child = child.nextSibling) {
      if (child.nodeType === 3) {
        count += (child.textContent ?? '').replace(/\s+/g, ' ').trim().length;
      } else if (child.nodeType === 1) {
        const name = (child as Element).localName;
        if (mediaElements.includes(name)) count += mediaChars;
        else if (!skippedElements.includes(name)) visit(child);
      }
    }
  };
  visit(root);
  return Math.min(count, textCountCap + 1);
}

/** True when `signs` describe a page whose content its scripts would build. */
export function needsScripts(signs: ScriptSigns): boolean {
  if (signs.scripts === 0) return false;
  if (signs.textChars === 0) return true;
  if (signs.emptyAppRoot) return signs.textChars < appRootTextLimit;
  return signs.scripts >= manyScripts && signs.textChars < bareTextLimit;
}

/** Whether the page sent as `html` and sanitized into `root` needs scripts to show its content. */
export function pageNeedsScripts(html: string, root: Element): boolean {
  const markup = markupSigns(html);
  if (markup.scripts === 0) return false;
  return needsScripts({ ...markup, textChars: visibleTextChars(root) });
}
