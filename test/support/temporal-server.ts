import { Connection } from '@temporalio/client';
import { type DevServer, startDevServer } from '../../starter/dev-server.js';
import { registerSearchAttributes } from '../../starter/register-search-attributes.js';
import { temporalCliPath } from '../../starter/temporal-cli.js';

/**
 * A real `temporal server start-dev`, in memory and headless on a free port, with benchbot's search
 * attributes registered: how every test run, benchmark and history capture gets its Temporal.
 */
export async function startTestTemporal(): Promise<DevServer> {
  const server = await startDevServer({
    temporalPath: temporalCliPath(),
    dbFile: null,
    namespace: 'default',
    port: 0,
    uiPort: null,
  });
  try {
    const connection = await Connection.connect({ address: server.address });
    try {
      await registerSearchAttributes(connection, 'default');
    } finally {
      await connection.close();
    }
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
