import { describe, expect, it } from 'vitest';
import { createSubresourceLoader, type FetchThrough } from './subresources.ts';

/** A fetch over a table of bodies by URL, recording each request and the peak concurrency. */
function fakeSite(bodies: Record<string, { body: string; type: string; status?: number }>, delayMs = 5) {
  const requests: Array<{ url: string; accept: string | null }> = [];
  let inFlight = 0;
  let peak = 0;
  const fetch: FetchThrough = async (url, init) => {
    requests.push({ url, accept: new Headers(init?.headers).get('accept') });
    inFlight++;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    inFlight--;
    const entry = bodies[url];
    if (!entry) return new Response('missing', { status: 404 });
    return new Response(entry.body, { status: entry.status ?? 200, headers: { 'content-type': entry.type } });
  };
  return { fetch, requests, peak: () => peak };
}

describe('subresource loader', () => {
  it('fetches each address once per page and hands out blob: URLs with the right bytes', async () => {
    const site = fakeSite({ 'https://s.example/a.png': { body: 'PNGDATA', type: 'image/png' } });
    const loader = createSubresourceLoader({ fetch: site.fetch, signal: new AbortController().signal });
    const [first, second] = await Promise.all([loader.blobUrl('https://s.example/a.png', 'image'), loader.blobUrl('https://s.example/a.png', 'image')]);
    expect(first).toMatch(/^blob:/);
    expect(second).toBe(first);
    expect(site.requests).toHaveLength(1);
    expect(site.requests[0]?.accept).toContain('image/');
    const blob = await (await fetch(first!)).text();
    expect(blob).toBe('PNGDATA');
    expect(loader.stats()).toEqual({ loaded: 1, failed: 0, bytes: 7 });
    loader.dispose();
  });

  it('counts failures and leaves them out', async () => {
    const site = fakeSite({ 'https://s.example/e.png': { body: 'oops', type: 'text/plain', status: 500 } });
    const loader = createSubresourceLoader({ fetch: site.fetch, signal: new AbortController().signal });
    expect(await loader.blobUrl('https://s.example/missing.png', 'image')).toBeNull();
    expect(await loader.blobUrl('https://s.example/e.png', 'image')).toBeNull();
    expect(loader.stats()).toEqual({ loaded: 0, failed: 2, bytes: 0 });
  });

  it('keeps to its concurrency, size and count limits', async () => {
    const bodies: Record<string, { body: string; type: string }> = {};
    for (let i = 0; i < 20; i++) bodies[`https://s.example/${i}.png`] = { body: i === 3 ? 'x'.repeat(200) : 'ok', type: 'image/png' };
    const site = fakeSite(bodies);
    const loader = createSubresourceLoader({ fetch: site.fetch, signal: new AbortController().signal, limits: { concurrency: 3, maxBytesEach: 100, maxCount: 10 } });
    const results = await Promise.all(Object.keys(bodies).map((url) => loader.blobUrl(url, 'image')));
    expect(site.peak()).toBe(3);
    expect(site.requests).toHaveLength(10);
    expect(results.filter((r) => r !== null)).toHaveLength(9); // ten fetched, one too large
    expect(results[3]).toBeNull();
  });

  it('reads stylesheets as text against their final URL, and refuses HTML error pages', async () => {
    const site = fakeSite({
      'https://s.example/a.css': { body: 'body{color:red}', type: 'text/css; charset=utf-8' },
      'https://s.example/login.css': { body: '<html>Sign in</html>', type: 'text/html' },
    });
    const loader = createSubresourceLoader({ fetch: site.fetch, signal: new AbortController().signal });
    expect(await loader.stylesheet('https://s.example/a.css')).toEqual({ css: 'body{color:red}', url: 'https://s.example/a.css' });
    expect(await loader.stylesheet('https://s.example/login.css')).toBeNull();
  });

  it('revokes its blob: URLs on dispose and makes no more', async () => {
    const site = fakeSite({ 'https://s.example/a.png': { body: 'A', type: 'image/png' }, 'https://s.example/b.png': { body: 'B', type: 'image/png' } });
    const loader = createSubresourceLoader({ fetch: site.fetch, signal: new AbortController().signal });
    const url = await loader.blobUrl('https://s.example/a.png', 'image');
    const late = loader.blobUrl('https://s.example/b.png', 'image');
    loader.dispose();
    await expect(fetch(url!)).rejects.toThrow();
    expect(await late).toBeNull();
  });

  it('starts nothing once the page is aborted', async () => {
    const site = fakeSite({ 'https://s.example/a.png': { body: 'A', type: 'image/png' } });
    const controller = new AbortController();
    controller.abort();
    const loader = createSubresourceLoader({ fetch: site.fetch, signal: controller.signal });
    expect(await loader.blobUrl('https://s.example/a.png', 'image')).toBeNull();
    expect(site.requests).toHaveLength(0);
  });
});
