// What a built extension weighs: every file, and per entry point the JavaScript a browser loads to
// start it (the entry's own file plus every chunk it imports statically, shared ones included).
import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, posix, relative, sep } from 'node:path';

/** One entry point's JavaScript. */
export interface EntrySize {
  /** The entry's own script, relative to the build folder. */
  readonly file: string;
  readonly ownBytes: number;
  /** Own script plus all statically imported chunks (what loads before the entry runs). */
  readonly loadedBytes: number;
  /** The chunks counted in `loadedBytes` besides the entry's own script. */
  readonly chunks: readonly string[];
}

export interface BundleSize {
  readonly totalBytes: number;
  readonly files: number;
  /** Bytes by kind: js, css, html, locales (_locales), other. */
  readonly bytesByKind: Readonly<Record<'js' | 'css' | 'html' | 'locales' | 'other', number>>;
  /** By entry name: background, offscreen, popup, options, browse, confirm, content script names. */
  readonly entries: Readonly<Record<string, EntrySize>>;
}

// What esbuild/rollup emit for static imports in minified chunks: `from"./x.js"` and `import"./x.js"`.
const staticImport = /(?:\bfrom|\bimport)\s*["']([^"']+\.js)["']/g;
const moduleScript = /<script\b[^>]*\bsrc="([^"]+\.js)"/g;

/** Relative, forward-slashed path of `file` inside `dir`. */
function inside(dir: string, file: string): string {
  return relative(dir, file).split(sep).join('/');
}

async function staticClosure(dir: string, entryFile: string): Promise<string[]> {
  const seen = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = await readFile(join(dir, file), 'utf8');
    for (const match of text.matchAll(staticImport)) {
      const spec = match[1]!; // the regex's one group always matches
      if (!spec.startsWith('.') && !spec.startsWith('/')) continue;
      const target = spec.startsWith('/') ? spec.slice(1) : posix.normalize(posix.join(posix.dirname(file), spec));
      await visit(target);
    }
  };
  await visit(entryFile);
  return [...seen];
}

async function entrySize(dir: string, file: string): Promise<EntrySize> {
  const closure = await staticClosure(dir, file);
  const sizes = await Promise.all(closure.map(async (f) => (await stat(join(dir, f))).size));
  return { file, ownBytes: sizes[0]!, loadedBytes: sizes.reduce((a, b) => a + b, 0), chunks: closure.slice(1).sort() }; // closure starts with the entry
}

/** Measures the unpacked extension in `dir` (a wxt build output folder such as chrome-mv3). */
export async function measureBundle(dir: string): Promise<BundleSize> {
  const bytesByKind = { js: 0, css: 0, html: 0, locales: 0, other: 0 };
  let totalBytes = 0;
  let files = 0;
  const htmlFiles: string[] = [];
  const contentScripts: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = inside(dir, join(entry.parentPath, entry.name));
    const size = (await stat(join(dir, file))).size;
    totalBytes += size;
    files++;
    if (file.startsWith('_locales/')) bytesByKind.locales += size;
    else if (file.endsWith('.js')) bytesByKind.js += size;
    else if (file.endsWith('.css')) bytesByKind.css += size;
    else if (file.endsWith('.html')) bytesByKind.html += size;
    else bytesByKind.other += size;
    if (file.endsWith('.html') && !file.includes('/')) htmlFiles.push(file);
    if (file.startsWith('content-scripts/') && file.endsWith('.js')) contentScripts.push(file);
  }
  const entries: Record<string, EntrySize> = {};
  if (await stat(join(dir, 'background.js')).then(() => true, () => false)) entries.background = await entrySize(dir, 'background.js');
  for (const html of htmlFiles.sort()) {
    const text = await readFile(join(dir, html), 'utf8');
    const script = [...text.matchAll(moduleScript)][0]?.[1];
    if (script === undefined) continue;
    entries[html.replace(/\.html$/, '')] = await entrySize(dir, script.startsWith('/') ? script.slice(1) : posix.join(dirname(html), script));
  }
  for (const script of contentScripts.sort()) entries[`content:${posix.basename(script, '.js')}`] = await entrySize(dir, script);
  return { totalBytes, files, bytesByKind, entries };
}
