import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { Logger } from 'pino';
import type { BenchbotConfig } from '../../core/config/index.js';
import { captureCallerContext, runInCallerContext } from './caller-context.js';
import { writePacing } from './write-pacing.js';

// The caller-context plugins sit inside and outside every other hook (see caller-context.ts).
const BenchbotOctokit = Octokit.plugin(runInCallerContext, throttling, retry, captureCallerContext);
export type GitHubClient = InstanceType<typeof BenchbotOctokit>;

export interface GitHubClientOptions {
  config: BenchbotConfig;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Milliseconds per second of `retry-after`; tests shrink it so waits stay short. */
  retryAfterUnitMs?: number;
}

/**
 * The one Octokit benchbot uses: token or GitHub App auth read from the worker's environment (never
 * from workflow input), writes paced by `github.writeIntervalMs`, primary and secondary rate limits
 * honoured by waiting `retry-after`, and 5xx retried. Beyond a few waits the error goes up to
 * Temporal's activity retry, which backs off.
 */
export function createGitHubClient({
  config,
  env,
  logger,
  retryAfterUnitMs,
}: GitHubClientOptions): GitHubClient {
  const { github } = config;
  const auth = github.app
    ? {
        authStrategy: createAppAuth,
        auth: {
          appId: github.app.appId,
          installationId: github.app.installationId,
          privateKey: requireEnv(env, github.app.privateKeyEnv, 'the GitHub App private key (PEM)'),
        },
      }
    : { auth: requireEnv(env, github.tokenEnv, 'a GitHub token with issues and pull requests access') };
  return new BenchbotOctokit({
    ...auth,
    baseUrl: github.apiUrl,
    userAgent: 'benchbot',
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string) => logger.warn({ source: 'octokit' }, message),
      // Octokit logs every response that is not a 2xx as an error, 304 included; a 304 answers a
      // conditional request (the poller's, every cycle) and is the good case.
      error: (message: string) =>
        / - 304 with id /.test(message)
          ? logger.debug({ source: 'octokit' }, message)
          : logger.error({ source: 'octokit' }, message),
    },
    throttle: {
      ...writePacing(github.writeIntervalMs),
      ...(retryAfterUnitMs === undefined ? {} : { retryAfterBaseValue: retryAfterUnitMs }),
      onRateLimit: (retryAfter, options, _octokit, retryCount) => {
        logger.warn(
          { retryAfter, route: `${options.method} ${options.url}`, retryCount },
          'GitHub rate limit hit',
        );
        return retryCount < 2;
      },
      onSecondaryRateLimit: (retryAfter, options, _octokit, retryCount) => {
        logger.warn(
          { retryAfter, route: `${options.method} ${options.url}`, retryCount },
          'GitHub secondary rate limit hit',
        );
        return retryCount < 3;
      },
    },
    retry: { doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
  });
}

function requireEnv(env: NodeJS.ProcessEnv, name: string, what: string): string {
  const value = env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: benchbot needs ${what} in the worker's environment. Fix: export ${name}=…`,
    );
  }
  return value;
}
