// Entrypoint: `npm run signaling`. Reads the config from the environment, starts the server,
// and shuts it down cleanly on SIGINT/SIGTERM.
import { SignalingConfigError, loadSignalingConfig } from './config.ts';
import { createSignalingLogger } from './log.ts';
import { createSignalingServer } from './server.ts';

/** Starts the server from `process.env`; resolves once it listens. */
export async function main(): Promise<void> {
  let config;
  try {
    config = loadSignalingConfig(process.env);
  } catch (error) {
    if (!(error instanceof SignalingConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  const logger = createSignalingLogger(config.logLevel);
  const server = await createSignalingServer({ ...config, logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
