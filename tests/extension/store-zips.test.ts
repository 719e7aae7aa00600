// `npm run zip`, as a release runs it: the Chrome Web Store zip, the Firefox zip and the sources
// zip that addons.mozilla.org reviewers rebuild from. The sources hold what builds the extension
// and nothing else (no node_modules, build output or suites), and building from them — offline,
// with this checkout's node_modules — gives the Firefox zip's files byte for byte.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip } from '../support/zip-reader.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The environment of a release build: no test origin, the production signaling server. */
function releaseEnv(outDir: string): NodeJS.ProcessEnv {
  const { WXT_TEST_ORIGIN: _origin, WXT_TEST_ORIGINS: _origins, WXT_SIGNALING_URL: _signaling, ...env } = process.env;
  return { ...env, WXT_OUT_DIR: outDir };
}

async function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    await run(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** Every file under `dir`, by path relative to it. */
async function readTree(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length + 1), await readFile(path));
  }
  return files;
}

describe('npm run zip', () => {
  const temps: string[] = [];
  const temp = async (label: string): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), `porchlight-${label}-`));
    temps.push(dir);
    return dir;
  };
  let outDir: string;
  let name: string;

  beforeAll(async () => {
    outDir = await temp('zips');
    await exec('npm', ['run', 'zip', '--silent'], root, releaseEnv(outDir));
    const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
    name = `${pkg.name}-${pkg.version}`;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('writes the Chrome zip, the Firefox zip and the sources zip', async () => {
    const zips = (await readdir(outDir)).filter((file) => file.endsWith('.zip')).sort();
    expect(zips).toEqual([`${name}-chrome.zip`, `${name}-firefox.zip`, `${name}-sources.zip`]);
    const manifestIn = async (zip: string): Promise<{ manifest_version: number; browser_specific_settings?: unknown }> => {
      const manifest = readZip(await readFile(join(outDir, zip))).get('manifest.json');
      if (!manifest) throw new Error(`${zip} has no manifest.json at its root`);
      return JSON.parse(new TextDecoder().decode(manifest)) as { manifest_version: number };
    };
    expect((await manifestIn(`${name}-chrome.zip`)).manifest_version).toBe(3);
    const firefox = await manifestIn(`${name}-firefox.zip`);
    expect(firefox.manifest_version).toBe(2);
    expect(firefox.browser_specific_settings).toMatchObject({ gecko: { id: expect.any(String) } });
  });

  it('the sources zip holds the build inputs and nothing else', async () => {
    const paths = [...readZip(await readFile(join(outDir, `${name}-sources.zip`))).keys()];
    // The contracts' Solidity and chain/ are build inputs: the build computes the receipt domain from them.
    for (const required of ['package.json', 'package-lock.json', 'wxt.config.ts', 'tsconfig.json', 'README.md', 'extension/background.ts', 'contracts/Settlement.sol', 'chain/deploy-plan.ts']) {
      expect(paths).toContain(required);
    }
    const unwanted = paths.filter((path) => /^(node_modules|\.output|\.wxt|dist|tests|test-artifacts|bench|scratch|scripts|signaling|services|economy|deployments)\/|^contracts\/.*\.ts$|(^|\/)\.|\.test\.tsx?$/.test(path));
    expect(unwanted).toEqual([]);
    // Test-only entrypoints are left out of a release build, and so out of its sources.
    expect(paths.filter((path) => path.includes('test-bridge'))).toEqual([]);
  });

  it('building from the sources zip gives the Firefox zip byte for byte', async () => {
    const sources = await temp('sources');
    for (const [path, content] of readZip(await readFile(join(outDir, `${name}-sources.zip`)))) {
      await mkdir(dirname(join(sources, path)), { recursive: true });
      await writeFile(join(sources, path), content);
    }
    // Offline: the reviewer's `npm ci` is this checkout's node_modules.
    await symlink(join(root, 'node_modules'), join(sources, 'node_modules'), 'dir');
    const rebuilt = await temp('rebuilt');
    await exec(join(sources, 'node_modules', '.bin', 'wxt'), ['build', '-b', 'firefox'], sources, releaseEnv(rebuilt));

    const expected = readZip(await readFile(join(outDir, `${name}-firefox.zip`)));
    const actual = await readTree(join(rebuilt, 'firefox-mv2'));
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    const differing = [...expected].filter(([path, content]) => !Buffer.from(content).equals(actual.get(path) ?? new Uint8Array())).map(([path]) => path);
    expect(differing).toEqual([]);
  }, 120_000);
});
