// The deployment file, deployments/<network>.json (written by chain/deploy.ts, not committed):
// where each contract lives and who the admin, treasury and oracles are. This module is its only
// reader; format in contracts/README.md.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getAddress } from 'ethers';
import { z } from 'zod';
import { describeSchemaError } from '../protocol/schema-error.ts';

/** deployments/ at the repository's root. */
export const deploymentsDir = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'deployments');

/** Contracts every deployment has. */
export const coreContractNames = ['PorchlightToken', 'SettablePriceFeed', 'TestStablecoin', 'Credits', 'Settlement', 'OracleQuorum', 'Staking', 'Rewards'] as const;
export type CoreContractName = (typeof coreContractNames)[number];

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected 0x and 40 hex digits')
  .transform((value, ctx) => {
    try {
      return getAddress(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'bad address checksum' });
      return z.NEVER;
    }
  });

const deploymentSchema = z.strictObject({
  network: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lowercase letters, digits and dashes'),
  chainId: z.string().regex(/^[1-9][0-9]*$/, 'expected a positive decimal integer'),
  rpcUrl: z.url(),
  contracts: z.object(Object.fromEntries(coreContractNames.map((name) => [name, address])) as Record<CoreContractName, typeof address>).catchall(address),
  admin: address,
  treasury: address,
  oracles: z.array(address).min(1),
  oracleThreshold: z.number().int().positive(),
  /** On the local chain: which of anvil's accounts (by index) each role is. */
  localAccounts: z
    .strictObject({ admin: z.number().int().min(0), treasury: z.number().int().min(0), oracles: z.array(z.number().int().min(0)), relayer: z.number().int().min(0) })
    .optional(),
});

export type Deployment = z.infer<typeof deploymentSchema>;

/** A deployment file that is missing or does not parse. */
export class DeploymentError extends Error {
  override readonly name = 'DeploymentError';
}

/**
 * Parses a deployment file's JSON.
 * @throws {DeploymentError} naming the first problem.
 */
export function parseDeployment(value: unknown): Deployment {
  const parsed = deploymentSchema.safeParse(value);
  if (!parsed.success) throw new DeploymentError(`deployment file: ${describeSchemaError(parsed.error)}`);
  if (parsed.data.oracleThreshold > parsed.data.oracles.length) throw new DeploymentError('deployment file: oracleThreshold exceeds the number of oracles');
  return parsed.data;
}

/** deployments/<network>.json. */
export function deploymentPath(network: string, dir = deploymentsDir): string {
  return join(dir, `${network}.json`);
}

/**
 * Reads and parses deployments/<network>.json.
 * @throws {DeploymentError} when it is missing (deploy first: `npx tsx chain/deploy.ts --rpc URL`) or invalid.
 */
export async function readDeployment(network = 'local', dir = deploymentsDir): Promise<Deployment> {
  const path = deploymentPath(network, dir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new DeploymentError(`no deployment for "${network}" at ${path}: deploy first (npx tsx chain/deploy.ts --rpc URL --network ${network})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new DeploymentError(`${path} is not JSON: deploy again to rewrite it`);
  }
  return parseDeployment(json);
}

/** The receipt domain a deployment defines: receipts are settled by its Settlement. */
export function receiptDomainOf(deployment: Deployment): { chainId: bigint; verifyingContract: string } {
  return { chainId: BigInt(deployment.chainId), verifyingContract: deployment.contracts.Settlement };
}
