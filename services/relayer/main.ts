// Entrypoint: `npm run relayer`. Settings from the environment:
//   PORCHLIGHT_NETWORK   which deployments/<network>.json to serve (default local)
//   PORCHLIGHT_RPC_URL   the chain's RPC URL (default: the deployment file's)
//   RELAYER_PRIVATE_KEY  the account that pays gas (default on the local chain: anvil's account
//                        chain/deploy-plan.ts's localAccounts names for the relayer)
//   RELAYER_HOST, RELAYER_PORT  where to listen (default 127.0.0.1:8550)
import { anvilKeys } from '../../chain/anvil.ts';
import { DeploymentError, readDeployment } from '../../chain/deployment.ts';
import { startRelayerServer } from './server.ts';

export const defaultRelayerPort = 8550;

async function main(): Promise<void> {
  let deployment;
  try {
    deployment = await readDeployment(process.env.PORCHLIGHT_NETWORK ?? 'local');
  } catch (error) {
    if (!(error instanceof DeploymentError)) throw error;
    console.error(`relayer: ${error.message}`);
    process.exit(2);
  }
  const localKey = deployment.localAccounts ? anvilKeys[deployment.localAccounts.relayer] : undefined;
  const privateKey = process.env.RELAYER_PRIVATE_KEY ?? localKey;
  if (!privateKey || !/^0x[0-9a-fA-F]{64}$/.test(privateKey)) {
    console.error('relayer: set RELAYER_PRIVATE_KEY to the paying account\'s key (0x and 64 hex digits)');
    process.exit(2);
  }
  const port = Number(process.env.RELAYER_PORT ?? defaultRelayerPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`relayer: RELAYER_PORT: expected a port number, got ${process.env.RELAYER_PORT}`);
    process.exit(2);
  }
  const server = await startRelayerServer({ deployment, privateKey, rpcUrl: process.env.PORCHLIGHT_RPC_URL, host: process.env.RELAYER_HOST, port });
  console.log(`relayer ${server.relayer.address} on ${server.url} for chain ${deployment.chainId}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
