import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { createGitHubSession } from '../../adapters/github/session.js';
import { startWebhookServer, type WebhookServer } from '../../adapters/webhook/server.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { createLogger } from '../../worker/logger.js';
import { connectClient } from '../temporal-client.js';
import { hasGitHubCredentials } from './poller.js';

/** The shared secret, when the environment variable the config names holds one. */
export function webhookSecret(config: BenchbotConfig, env: NodeJS.ProcessEnv): string | null {
  return env[config.github.webhookSecretEnv] || null;
}

/** benchbot's login for ignoring its own comments: configured, or asked of GitHub when it can be. */
function botLogin(
  config: BenchbotConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): () => Promise<string | null> {
  if (config.github.botLogin) return async () => config.github.botLogin;
  if (!hasGitHubCredentials(config, env)) return async () => null;
  return createGitHubSession({ config, env, logger }).whoAmI;
}

export async function serveWebhook(
  config: BenchbotConfig,
  client: Client,
  options: { port: number; host?: string; env: NodeJS.ProcessEnv; logger: Logger; secret: string },
): Promise<WebhookServer> {
  return startWebhookServer({
    port: options.port,
    ...(options.host ? { host: options.host } : {}),
    secret: options.secret,
    client,
    taskQueue: config.temporal.taskQueue,
    config,
    logger: options.logger,
    botLogin: botLogin(config, options.env, options.logger),
  });
}

/** `benchbot webhook`: the receiver alone, against a running benchbot's Temporal. Ctrl-C stops. */
export async function webhookCommand(
  config: BenchbotConfig,
  options: { port?: string; host?: string },
): Promise<number> {
  const secret = webhookSecret(config, process.env);
  if (secret === null) {
    console.error(
      `${config.github.webhookSecretEnv} is not set: the webhook receiver needs the secret configured on GitHub's webhook. Fix: export ${config.github.webhookSecretEnv}=… (the same value as in the repository's webhook settings)`,
    );
    return 2;
  }
  const port = options.port === undefined ? config.github.webhookPort : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port ${options.port}: give a port number, e.g. --port 8787`);
    return 2;
  }
  const { client, close } = await connectClient(config);
  const logger = createLogger();
  const server = await serveWebhook(config, client, {
    port,
    ...(options.host ? { host: options.host } : {}),
    env: process.env,
    logger,
    secret,
  });
  console.log(`[benchbot] receiving issue_comment webhooks on port ${server.port}. Ctrl-C stops.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await close();
  return 0;
}
