// One relayer on one HTTP port, for a deployment: its account, the contracts, the metrics, the server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JsonRpcProvider, Wallet } from 'ethers';
import { coreContracts } from '../../chain/contracts.ts';
import type { Deployment } from '../../chain/deployment.ts';
import { createRelayerHttpHandler } from './http.ts';
import { createRelayerMetrics } from './metrics.ts';
import { createRelayer, type Relayer, type RelayerOptions } from './relayer.ts';

export interface RelayerServerOptions extends Pick<RelayerOptions, 'perDonor' | 'perRequester' | 'maxQueue' | 'confirmTimeoutMs'> {
  readonly deployment: Deployment;
  /** The relayer account's key (0x and 64 hex digits). */
  readonly privateKey: string;
  /** Defaults to the deployment's. */
  readonly rpcUrl?: string;
  /** Defaults: 127.0.0.1 and a port the OS picks. */
  readonly host?: string;
  readonly port?: number;
}

export interface RelayerServer {
  /** http://host:port, no trailing slash. */
  readonly url: string;
  readonly relayer: Relayer;
  close(): Promise<void>;
}

export async function startRelayerServer(options: RelayerServerOptions): Promise<RelayerServer> {
  const provider = new JsonRpcProvider(options.rpcUrl ?? options.deployment.rpcUrl, BigInt(options.deployment.chainId), { staticNetwork: true, cacheTimeout: -1, pollingInterval: 100 });
  const wallet = new Wallet(options.privateKey, provider);
  const metrics = createRelayerMetrics(() => provider.getBalance(wallet.address));
  const relayer = createRelayer({ ...options, wallet, contracts: coreContracts(options.deployment, provider), metrics });
  const server = createServer(createRelayerHttpHandler({ relayer, metrics, chainId: options.deployment.chainId }));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    relayer,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      provider.destroy();
    },
  };
}
