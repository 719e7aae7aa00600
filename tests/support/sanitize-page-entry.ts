// Browser bundle for the sanitizer suite: exposes ui/browse/sanitize-page.ts on `window`, reporting
// what a test needs as plain data (the inert document as HTML, the resource tasks as URLs).
import { sanitizePage } from '../../ui/browse/sanitize-page.ts';

/** What sanitizing one document produced. */
export interface SanitizeReport {
  readonly html: string;
  readonly title: string;
  readonly images: Array<{ tag: string; attribute: string; url: string }>;
  readonly stylesheets: Array<{ href?: string; css?: string; text: string }>;
  readonly inlineStyles: Array<{ css: string; now: string | null }>;
}

declare global {
  interface Window {
    sanitizeForTest(html: string, pageUrl: string): SanitizeReport;
  }
}

window.sanitizeForTest = (html, pageUrl) => {
  const page = sanitizePage(html, { pageUrl, slot: { devicePixelRatio: 1, width: 800 }, matchesMedia: (query) => window.matchMedia(query).matches });
  return {
    html: page.root.outerHTML,
    title: page.title,
    images: page.images.map((task) => ({ tag: task.element.localName, attribute: task.attribute, url: task.url })),
    stylesheets: page.stylesheets.map((task) => ({ ...task.source, text: task.element.textContent ?? '' })),
    inlineStyles: page.inlineStyles.map((task) => ({ css: task.css, now: task.element.getAttribute('style') })),
  };
};
