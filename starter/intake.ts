import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { BenchbotConfig } from '../core/config/index.js';
import { hasGitHubCredentials, startPollers } from './commands/poller.js';
import { serveWebhook, webhookSecret } from './commands/webhook.js';
import type { TemporalConnectionOptions } from './temporal-connection.js';

/**
 * What `npm start` adds when GitHub is configured: the pollers of the watched repositories
 * (when a token or App key is in the environment) and the webhook receiver (when its secret is).
 * Returns what stops them again.
 */
export async function startGitHubIntake(
  config: BenchbotConfig,
  options: TemporalConnectionOptions,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  progress: (message: string) => void,
): Promise<{ close: () => Promise<void> }> {
  const polling = hasGitHubCredentials(config, env);
  const secret = webhookSecret(config, env);
  if (!polling) {
    const name = config.github.app ? config.github.app.privateKeyEnv : config.github.tokenEnv;
    progress(`${name} is not set: not polling GitHub (export it to start the comment pollers)`);
  }
  if (!polling && secret === null) return { close: async () => {} };
  const connection = await Connection.connect(options);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  if (polling) for (const line of await startPollers(client, config)) progress(`poller ${line}`);
  const server =
    secret === null
      ? null
      : await serveWebhook(config, client, { port: config.github.webhookPort, env, logger, secret });
  if (server) progress(`receiving issue_comment webhooks on port ${server.port}`);
  return {
    close: async () => {
      await server?.close();
      await connection.close();
    },
  };
}
