import { readFile } from 'node:fs/promises';
import type { TLSConfig } from '@temporalio/client';
import type { BenchbotConfig } from '../core/config/index.js';

/** Accepted both by the client's Connection and the worker's NativeConnection. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | true;
  apiKey?: string;
}

/**
 * Connection options for a real cluster or Temporal Cloud: TLS material is read from the files the
 * config names, and the API key from the environment variable it names, so neither is ever in the
 * config file, a workflow argument or history.
 */
export async function connectionOptions(
  config: BenchbotConfig,
  address: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TemporalConnectionOptions> {
  const { tls, apiKeyEnv } = config.temporal;
  const apiKey = env[apiKeyEnv];
  const options: TemporalConnectionOptions = { address };
  if (tls) {
    const [ca, crt, key] = await Promise.all([
      tls.serverRootCACertPath ? readFile(tls.serverRootCACertPath) : undefined,
      tls.clientCertPath ? readFile(tls.clientCertPath) : undefined,
      tls.clientKeyPath ? readFile(tls.clientKeyPath) : undefined,
    ]);
    options.tls = {
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    };
  }
  if (apiKey) {
    options.apiKey = apiKey;
    options.tls ??= true;
  }
  return options;
}
