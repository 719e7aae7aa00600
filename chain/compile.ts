// Compiles contracts/*.sol offline with solc-js (the `solc` package: the compiler is WebAssembly
// inside it, nothing is downloaded) against OpenZeppelin Contracts from node_modules, and caches
// the artifacts by a hash of every source and the settings, so a test run compiles once.
//
//   npx tsx chain/compile.ts        prints each contract's deployed size
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const contractsDir = join(repoRoot, 'contracts');
const cacheDir = join(repoRoot, 'node_modules', '.cache', 'porchlight-contracts');

/** One compiled contract: what ethers needs to deploy and call it. */
export interface Artifact {
  contractName: string;
  /** Source path relative to the repository, e.g. contracts/Settlement.sol. */
  sourceName: string;
  abi: unknown[];
  /** 0x-hex creation code. */
  bytecode: string;
  /** 0x-hex runtime code (its length is what EIP-170's 24 KiB limit counts). */
  deployedBytecode: string;
}

export type Artifacts = Record<string, Artifact>;

/** Settings every build uses: the hash of the cache covers them. */
export const compilerSettings = {
  optimizer: { enabled: true, runs: 10_000 },
  viaIR: true,
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

/** Every .sol under contracts/ (tests' helper contracts in contracts/test/ included), sorted. */
function contractSources(dir = contractsDir): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...contractSources(path));
    else if (entry.name.endsWith('.sol')) found.push(path);
  }
  return found.sort();
}

/** Resolves `@openzeppelin/...` (and other packages) from node_modules; relative imports are resolved by solc against the importing file's name. */
function findImport(path: string): { contents: string } | { error: string } {
  try {
    if (path.startsWith('contracts/')) return { contents: readFileSync(join(repoRoot, path), 'utf8') };
    return { contents: readFileSync(require.resolve(path), 'utf8') };
  } catch {
    return { error: `not found: ${path}` };
  }
}

interface SolcOutput {
  errors?: Array<{ severity: 'error' | 'warning' | 'info'; formattedMessage: string }>;
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>>;
}

/**
 * The artifacts of every contract in contracts/, compiled now or read from the cache.
 * @throws {Error} with solc's messages when a source does not compile.
 */
export function compileContracts(): Artifacts {
  const solc = require('solc') as { version(): string; compile(input: string, callbacks: { import: typeof findImport }): string };
  const sources = Object.fromEntries(contractSources().map((path) => [relative(repoRoot, path).split('\\').join('/'), { content: readFileSync(path, 'utf8') }]));
  const input = { language: 'Solidity', sources, settings: compilerSettings };
  const key = createHash('sha256').update(solc.version()).update(JSON.stringify(input)).digest('hex').slice(0, 32);
  const cached = join(cacheDir, `${key}.json`);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as Artifacts;
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport })) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`Solidity compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const artifacts: Artifacts = {};
  for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
    if (!sourceName.startsWith('contracts/')) continue; // OpenZeppelin's own files
    for (const [contractName, compiled] of Object.entries(contracts)) {
      if (artifacts[contractName]) throw new Error(`two contracts are named ${contractName}: name them apart`);
      artifacts[contractName] = {
        contractName,
        sourceName,
        abi: compiled.abi,
        bytecode: `0x${compiled.evm.bytecode.object}`,
        deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
      };
    }
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cached, JSON.stringify(artifacts));
  return artifacts;
}

/** The artifact named `name`. @throws {Error} when no contract has that name. */
export function artifact(artifacts: Artifacts, name: string): Artifact {
  const found = artifacts[name];
  if (!found) throw new Error(`no contract named ${name} in contracts/ (have: ${Object.keys(artifacts).join(', ') || 'none'})`);
  return found;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const artifacts = compileContracts();
  for (const a of Object.values(artifacts)) console.log(`${a.contractName.padEnd(28)} ${((a.deployedBytecode.length - 2) / 2).toLocaleString('en')} bytes deployed  (${a.sourceName})`);
  console.log(`compiled in ${Date.now() - started} ms`);
}
