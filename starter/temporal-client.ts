import { Client, Connection } from '@temporalio/client';
import type { BenchbotConfig } from '../core/config/index.js';
import { connectionOptions } from './temporal-connection.js';

/**
 * A client for commands that talk to a running benchbot: the configured cluster, or the embedded
 * server `npm start` runs on this machine.
 */
export async function connectClient(
  config: BenchbotConfig,
): Promise<{ client: Client; close: () => Promise<void> }> {
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.port}`;
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...(await connectionOptions(config, address)),
      connectTimeout: 5_000,
    });
  } catch (err) {
    const hint =
      config.temporal.address === null
        ? 'Is benchbot running? Start it with `npm start` in another terminal.'
        : 'Check temporal.address and its TLS / API key settings.';
    throw new Error(`cannot reach Temporal at ${address}: ${(err as Error).message}. ${hint}`);
  }
  return {
    client: new Client({ connection, namespace: config.temporal.namespace }),
    close: () => connection.close(),
  };
}
