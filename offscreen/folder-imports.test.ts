// Holds the engine's layout to what its READMEs say: every folder under offscreen/ (and protocol/)
// ends its README with `May import: a/, b/`, and no source file there (tests and fixtures aside)
// imports a repository path outside those folders. Packages are not restricted here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(dirname(new URL(import.meta.url).pathname), '..');

/** Every folder under `root` (itself included) that has a README.md. */
function foldersWithReadme(root: string): string[] {
  const found: string[] = [];
  const visit = (folder: string): void => {
    const entries = readdirSync(join(repoRoot, folder));
    if (entries.includes('README.md')) found.push(folder);
    for (const entry of entries) if (statSync(join(repoRoot, folder, entry)).isDirectory()) visit(join(folder, entry));
  };
  visit(root);
  return found;
}

/** The folders a README's `May import:` line allows, each ending in `/`. */
function allowedImports(folder: string): string[] {
  const readme = readFileSync(join(repoRoot, folder, 'README.md'), 'utf8');
  const line = readme.split('\n').find((text) => text.startsWith('May import:'));
  if (line === undefined) throw new Error(`${folder}/README.md has no "May import:" line`);
  return line.slice('May import:'.length).split(',').map((entry) => entry.trim()).filter(Boolean);
}

/** Repository paths (relative to the root) that `file` imports with a relative specifier. */
function relativeImports(file: string): string[] {
  const source = readFileSync(join(repoRoot, file), 'utf8');
  const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => relative(repoRoot, normalize(join(repoRoot, dirname(file), specifier))));
}

const folders = [...foldersWithReadme('offscreen'), ...foldersWithReadme('protocol')];

describe('engine layout', () => {
  it('finds the folders it checks', () => {
    expect(folders).toEqual(expect.arrayContaining(['offscreen', 'offscreen/tunnel', 'offscreen/exit', 'offscreen/exit/policy', 'offscreen/payments', 'offscreen/peers', 'protocol']));
  });

  it.each(folders)('%s imports only what its README allows', (folder) => {
    const allowed = allowedImports(folder);
    const sources = readdirSync(join(repoRoot, folder)).filter((name) => /\.tsx?$/.test(name) && !/\.(test|fixture)\.tsx?$/.test(name));
    const offending = sources.flatMap((name) => {
      const file = join(folder, name);
      return relativeImports(file)
        .filter((target) => !allowed.some((prefix) => target.startsWith(prefix)))
        .map((target) => `${file} imports ${target}`);
    });
    expect(offending).toEqual([]);
  });
});
