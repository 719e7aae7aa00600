// The browse page's state and the actions its components call: the session with its donor, the
// address and history, the page shown with its response and timings, problems, the file offer
// and the download. Components read `state` and call actions; all networking happens here and in
// the plain modules it drives.
import { onCleanup } from 'solid-js';
import { createStore } from 'solid-js/store';
import type { CountryDonors } from '../../protocol/signaling-messages.ts';
import type { DonorChoice } from '../../offscreen/peers/client.ts';
import { describeProblem, isAbort, type BrowseProblem } from './browse-problems.ts';
import type { BrowseSession, BrowseSessionOptions, DonorInfo } from './browse-session.ts';
import { downloadThrough } from './download.ts';
import { textPrefix } from './text-prefix.ts';
import { handleViewEvents } from './frame-events.ts';
import { loadPage, type PageResponse } from './page-loader.ts';
import { jumpToFragment } from './frame-document.ts';
import { addressFromInput, fragmentOf, isSameDocument } from './resolve-url.ts';
import type { SubresourceStats } from './subresources.ts';
import { noUsage, type SessionUsage } from './session-usage.ts';
import { makeViewSurface } from './view-surface.ts';

/** Where the person wants to browse from. */
export type Route = { readonly mode: 'any' } | { readonly mode: 'country'; readonly country: string } | { readonly mode: 'donor'; readonly donor: string };

/** The donor connection as the page shows it. */
export type DonorState = 'none' | 'connecting' | 'connected' | 'lost';

/** Timings of the page shown, in milliseconds from the moment it was asked for. */
export interface PageTimings {
  readonly headersMs?: number;
  readonly firstContentMs?: number;
  readonly totalMs?: number;
}

/** A file the view does not show, offered for download. */
export interface FileOffer {
  readonly url: string;
  readonly name: string;
  readonly contentType: string;
}

/** The download in progress or just finished. */
export interface DownloadState {
  name: string;
  received: number;
  total: number | undefined;
  /** Recent speed (download.ts), once measured. */
  bytesPerSecond: number | undefined;
  status: 'running' | 'saved' | 'cancelled' | 'failed';
  problem?: BrowseProblem;
}

/** The markup of the page shown, as the site sent it (its first {@link maxSourceBytes} at most). */
export interface PageSource {
  readonly text: string;
  /** The markup was longer and `text` is its beginning. */
  readonly cut: boolean;
}

/** Most page source kept for the raw-response view, in UTF-8 bytes. */
export const maxSourceBytes = 256 * 1024;

/** A problem shown above the view, with the address it concerned (for retrying). */
export interface ShownProblem extends BrowseProblem {
  readonly url?: string;
}

/** Everything the browse page shows (read-only outside the store: Solid stores are). */
export interface BrowseState {
  engine: 'starting' | 'ready' | 'failed';
  route: Route;
  countries: CountryDonors[] | undefined;
  countriesLoading: boolean;
  donor: DonorInfo | undefined;
  donorState: DonorState;
  /** What this tab's signed receipts add up to, across every donor it used. */
  usage: SessionUsage;
  /** A donor switch the person asked for is under way. */
  switching: boolean;
  /** The text in the address bar. */
  address: string;
  history: string[];
  historyIndex: number;
  loading: boolean;
  response: PageResponse | undefined;
  title: string;
  timings: PageTimings;
  subresources: SubresourceStats;
  problem: ShownProblem | undefined;
  /** The page shown is built by scripts, which the view does not run (needs-scripts.ts). */
  needsScripts: boolean;
  /** The page's markup for the raw-response view; undefined for other content. */
  source: PageSource | undefined;
  /** The raw-response view (status, headers, source) is open. */
  rawResponseOpen: boolean;
  /** A form wanted a method the view cannot send yet. */
  unsupportedForm: boolean;
  fileOffer: FileOffer | undefined;
  download: DownloadState | undefined;
}

/** What the store is built from. */
export interface BrowseStoreDeps {
  /** Logs in to signaling (browse-session.ts `openBrowseSession` with the signaling URL bound). */
  readonly openSession: (handlers: Required<Pick<BrowseSessionOptions, 'onDonor' | 'onDonorLost' | 'onUsage'>>) => Promise<BrowseSession>;
  /** The browse page's window (the view's paint timing and media queries). */
  readonly window: Window;
  /** Saves a downloaded file (ui/common/save-file.ts `saveBlob` with the document bound). */
  readonly saveFile: (blob: Blob, name: string) => void;
  /** Millisecond clock for timings. */
  readonly now: () => number;
  /** File name when a download's address gives none. */
  readonly fallbackName: string;
  /** The page's title changed ('' when it has none). */
  readonly onTitle?: (title: string) => void;
}

/** The store's actions. */
export interface BrowseActions {
  /** Logs in to signaling and lists countries; opens `initialUrl` (or the address asked for before a failed start) once ready. */
  start(initialUrl?: string): Promise<void>;
  setAddress(text: string): void;
  /** Opens what the address bar holds. */
  submitAddress(): void;
  /** Opens `url` in the view (links, forms). */
  navigate(url: string): void;
  back(): void;
  forward(): void;
  reload(): void;
  stop(): void;
  /** Browses from `route` from now on, connecting a matching donor right away. */
  chooseRoute(route: Route): Promise<void>;
  /** Leaves the current (or lost) donor for another with the same route; reloads the page shown. */
  anotherDonor(): Promise<void>;
  refreshCountries(): Promise<void>;
  /** Connects the view frame (on its load event). */
  attachView(frame: HTMLIFrameElement): void;
  /** Downloads `url` through the donor and saves it; `suggestedName` from a link's `download` attribute. */
  download(url: string, suggestedName?: string): void;
  cancelDownload(): void;
  dismissDownload(): void;
  dismissProblem(): void;
  dismissUnsupportedForm(): void;
  /** Opens or closes the raw-response view. */
  setRawResponseOpen(open: boolean): void;
}

// A new object each time: a store adopts the objects it is given, and later updates would change a shared one.
const noStats = (): SubresourceStats => ({ loaded: 0, failed: 0, bytes: 0 });

function choiceOf(route: Route): DonorChoice {
  if (route.mode === 'country') return { country: route.country };
  if (route.mode === 'donor') return { donor: route.donor };
  return {};
}

/** Creates the browse page's store; its session and loads end with the owning reactive scope. */
export function createBrowseStore(deps: BrowseStoreDeps): { state: BrowseState; actions: BrowseActions } {
  const [state, setState] = createStore<BrowseState>({
    engine: 'starting',
    route: { mode: 'any' },
    countries: undefined,
    countriesLoading: false,
    donor: undefined,
    donorState: 'none',
    usage: noUsage,
    switching: false,
    address: '',
    history: [],
    historyIndex: -1,
    loading: false,
    response: undefined,
    title: '',
    timings: {},
    subresources: noStats(),
    problem: undefined,
    needsScripts: false,
    source: undefined,
    rawResponseOpen: false,
    unsupportedForm: false,
    fileOffer: undefined,
    download: undefined,
  });
  const lifetime = new AbortController();
  const view = makeViewSurface(deps.window);
  let session: BrowseSession | undefined;
  let pageLoad: AbortController | undefined;
  let downloadControl: AbortController | undefined;
  // The address to open once the session is ready (a ?url= the page was opened with).
  let pendingUrl: string | undefined;

  onCleanup(() => {
    lifetime.abort();
    pageLoad?.abort();
    downloadControl?.abort();
    session?.close();
  });

  function showProblem(error: unknown, url?: string): void {
    setState('problem', { ...describeProblem(error), url });
  }

  async function open(url: string, history: 'push' | 'keep'): Promise<void> {
    if (history === 'push') {
      const kept = state.history.slice(0, state.historyIndex + 1);
      setState({ history: [...kept, url], historyIndex: kept.length });
    }
    setState({ address: url, problem: undefined, unsupportedForm: false, fileOffer: undefined });
    if (!session) {
      pendingUrl = url;
      return;
    }
    pageLoad?.abort();
    const control = new AbortController();
    pageLoad = control;
    const startedAt = deps.now();
    // What was shown about the previous page no longer describes what the address bar says.
    setState({ loading: true, response: undefined, timings: {}, subresources: noStats(), needsScripts: false, source: undefined });
    if (state.donorState === 'none') setState('donorState', 'connecting');
    try {
      const outcome = await loadPage({
        url,
        fetch: session.fetch,
        signal: control.signal,
        view: view.surface,
        startedAt,
        now: deps.now,
        fallbackName: deps.fallbackName,
        events: {
          onResponse(response, headersMs) {
            if (control !== pageLoad) return;
            setState({ response, timings: { headersMs }, address: response.url });
            // A redirect's final address is what Back should return to.
            setState('history', state.historyIndex, response.url);
          },
          onRendered(title, firstContentMs) {
            if (control !== pageLoad) return;
            setState({ title, timings: { ...state.timings, firstContentMs } });
            deps.onTitle?.(title);
          },
          onSubresources(stats) {
            if (control === pageLoad) setState('subresources', { ...stats });
          },
          onPageSource(html, needsScripts) {
            if (control !== pageLoad) return;
            const text = textPrefix(html, maxSourceBytes);
            setState({ needsScripts, source: { text, cut: text.length < html.length } });
          },
        },
      });
      if (control !== pageLoad) return;
      if (outcome.kind === 'file') setState({ fileOffer: { url: outcome.url, name: outcome.name, contentType: outcome.contentType }, timings: { ...state.timings, totalMs: deps.now() - startedAt } });
      else setState('timings', { ...state.timings, totalMs: outcome.totalMs });
    } catch (error) {
      if (control !== pageLoad || isAbort(error)) return;
      showProblem(error, url);
      if (state.donorState === 'connecting') setState('donorState', 'none');
    } finally {
      if (control === pageLoad) setState('loading', false);
    }
  }

  /** Moves to history entry `index`: within the page shown when only the fragment differs (no request), else loads it. */
  function goTo(index: number): void {
    const from = state.history[state.historyIndex];
    const to = state.history[index];
    setState('historyIndex', index);
    const shown = !state.loading && state.problem === undefined && state.fileOffer === undefined && state.response?.kind === 'html';
    if (shown && from !== undefined && to !== undefined && isSameDocument(to, from)) {
      setState('address', to);
      void view.surface.document().then((doc) => jumpToFragment(doc, fragmentOf(to) ?? ''));
      return;
    }
    reloadShown();
  }

  function reloadShown(): void {
    const url = state.history[state.historyIndex];
    if (url !== undefined) void open(url, 'keep');
  }

  async function switchDonor(action: (s: BrowseSession) => Promise<DonorInfo>): Promise<boolean> {
    if (!session) return false;
    pageLoad?.abort();
    setState({ switching: true, donorState: 'connecting', problem: undefined, loading: false });
    try {
      await action(session);
      return true;
    } catch (error) {
      // The donor being left was let go before connecting anew: there is none now.
      setState('donorState', 'none');
      showProblem(error);
      return false;
    } finally {
      setState('switching', false);
    }
  }

  const actions: BrowseActions = {
    async start(initialUrl) {
      if (initialUrl !== undefined) {
        const url = addressFromInput(initialUrl);
        if (url !== null) void open(url, 'push');
        else setState('address', initialUrl);
      }
      setState('engine', 'starting');
      try {
        session = await deps.openSession({
          onDonor: (donor) => setState({ donor, donorState: 'connected' }),
          onDonorLost: (donor) => {
            if (state.donor?.peerId === donor.peerId) setState('donorState', 'lost');
          },
          onUsage: (usage) => setState('usage', { ...usage }),
        });
      } catch (error) {
        setState('engine', 'failed');
        showProblem(error, pendingUrl);
        return;
      }
      if (lifetime.signal.aborted) {
        session.close();
        return;
      }
      setState('engine', 'ready');
      const waiting = pendingUrl;
      pendingUrl = undefined;
      if (waiting !== undefined) void open(waiting, 'keep');
      await actions.refreshCountries();
    },
    setAddress(text) {
      setState('address', text);
    },
    submitAddress() {
      const url = addressFromInput(state.address);
      if (url === null) {
        setState('problem', { kind: 'bad-address', detail: state.address });
        return;
      }
      void open(url, 'push');
    },
    navigate(url) {
      void open(url, 'push');
    },
    back() {
      if (state.historyIndex <= 0) return;
      goTo(state.historyIndex - 1);
    },
    forward() {
      if (state.historyIndex >= state.history.length - 1) return;
      goTo(state.historyIndex + 1);
    },
    reload() {
      reloadShown();
    },
    stop() {
      pageLoad?.abort();
      setState('loading', false);
    },
    async chooseRoute(route) {
      setState('route', route);
      if (await switchDonor((s) => s.useDonor(choiceOf(route)))) reloadShown();
    },
    async anotherDonor() {
      if (await switchDonor((s) => s.anotherDonor())) reloadShown();
    },
    async refreshCountries() {
      if (!session) return;
      setState('countriesLoading', true);
      try {
        setState('countries', await session.listCountries());
      } catch {
        // The list is a convenience: the picker still offers "any country" and a donor ID.
        setState('countries', undefined);
      } finally {
        setState('countriesLoading', false);
      }
    },
    attachView(frame) {
      const doc = view.attach(frame);
      handleViewEvents(
        doc,
        () => state.response?.url ?? state.history[state.historyIndex] ?? '',
        {
          navigate: (url) => void open(url, 'push'),
          download: (url, name) => actions.download(url, name),
          unsupportedForm: () => setState('unsupportedForm', true),
          jumped: (url) => {
            // The same address again replaces its entry, as HTML's navigation to the current URL does.
            if (url === state.history[state.historyIndex]) return setState('address', url);
            const kept = state.history.slice(0, state.historyIndex + 1);
            setState({ history: [...kept, url], historyIndex: kept.length, address: url });
          },
        },
        lifetime.signal,
      );
    },
    download(url, suggestedName) {
      if (!session) return;
      downloadControl?.abort();
      const control = new AbortController();
      downloadControl = control;
      setState({ download: { name: suggestedName || deps.fallbackName, received: 0, total: undefined, bytesPerSecond: undefined, status: 'running' }, fileOffer: undefined });
      const fetch = session.fetch;
      void (async () => {
        try {
          const file = await downloadThrough(fetch, url, {
            signal: control.signal,
            fallbackName: deps.fallbackName,
            suggestedName,
            onStart: (name, total) => {
              if (control === downloadControl) setState('download', { name, total });
            },
            onProgress: ({ received, bytesPerSecond }) => {
              if (control === downloadControl) setState('download', { received, bytesPerSecond });
            },
            now: deps.now,
          });
          if (control !== downloadControl) return;
          deps.saveFile(file.blob, file.name);
          setState('download', { status: 'saved', received: file.blob.size });
        } catch (error) {
          if (control !== downloadControl) return;
          setState('download', isAbort(error) ? { status: 'cancelled' } : { status: 'failed', problem: describeProblem(error) });
        }
      })();
    },
    cancelDownload() {
      downloadControl?.abort();
    },
    dismissDownload() {
      if (state.download?.status === 'running') return;
      downloadControl = undefined;
      setState('download', undefined);
    },
    dismissProblem() {
      setState('problem', undefined);
    },
    setRawResponseOpen(open) {
      setState('rawResponseOpen', open);
    },
    dismissUnsupportedForm() {
      setState('unsupportedForm', false);
    },
  };

  return { state, actions };
}
