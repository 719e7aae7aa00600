// The view frame as the page loader sees it: its document once the frame is ready, the room images
// get, media queries, and "after the next paint".
import type { ViewSurface } from './page-loader.ts';

/** Width assumed for images before the frame has a size, in CSS pixels. */
export const defaultViewWidth = 1024;

/** A view surface and the call that connects it to the frame element. */
export interface ViewSurfaceHandle {
  readonly surface: ViewSurface;
  /** Connects the frame (call on its load event); returns its document. @throws {TypeError} if the frame has no same-origin document. */
  attach(frame: HTMLIFrameElement): Document;
}

/** Creates the surface for the view frame of the page `win`. */
export function makeViewSurface(win: Window): ViewSurfaceHandle {
  let frame: HTMLIFrameElement | undefined;
  let ready!: (doc: Document) => void; // assigned synchronously by the Promise constructor
  let documentReady = new Promise<Document>((resolve) => (ready = resolve));
  return {
    surface: {
      document: () => documentReady,
      slot: () => ({ devicePixelRatio: win.devicePixelRatio || 1, width: frame?.clientWidth || defaultViewWidth }),
      matchesMedia(query) {
        // The frame's own viewport answers width queries as the page's CSS would see them.
        const view = frame?.contentWindow ?? win;
        return view.matchMedia(query).matches;
      },
      nextPaint: () => new Promise<void>((resolve) => win.requestAnimationFrame(() => win.setTimeout(resolve, 0))),
    },
    attach(element) {
      const doc = element.contentDocument;
      if (doc === null) throw new TypeError('The view frame has no document the browse page may reach.');
      frame = element;
      ready(doc);
      // A frame that loads again (it should not) hands out its new document from then on.
      documentReady = Promise.resolve(doc);
      return doc;
    },
  };
}
