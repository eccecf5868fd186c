import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchbotConfig } from '../../core/config/schema.js';
import { openPostgresResultsStore } from './postgres.js';
import { openSqliteResultsStore } from './sqlite.js';
import { type ResultsStore, ResultsStoreError } from './store.js';

export { openSqliteResultsStore, SqliteResultsStore } from './sqlite.js';
export { LATEST_VERSION } from './sqlite-migrations.js';
export * from './store.js';

export interface OpenStoreOptions {
  /** Reads only: nothing is created or migrated (the dashboard, history and export commands). */
  readonly?: boolean;
}

/**
 * The results store the config names: the SQLite file at `results.path` (already absolute once the
 * config is loaded; a writable store creates its folder, so a fresh data folder just works), or the
 * PostgreSQL database whose URL is in the environment variable `results.urlEnv` names (a secret: it
 * never appears in the config file).
 */
export async function openResultsStore(
  config: Pick<BenchbotConfig, 'results'>,
  env: NodeJS.ProcessEnv,
  options: OpenStoreOptions = {},
): Promise<ResultsStore> {
  const { results } = config;
  switch (results.store) {
    case 'sqlite':
      if (options.readonly !== true) mkdirSync(dirname(results.path), { recursive: true });
      return openSqliteResultsStore(results.path, options);
    case 'postgres': {
      const url = env[results.urlEnv];
      if (url === undefined || url === '') {
        throw new ResultsStoreError(
          'cannot-open',
          `results.store is postgres but ${results.urlEnv} is not set; set it to the database URL (postgres://user:password@host:5432/benchbot, TLS with ?sslmode=require), or name another variable in results.urlEnv`,
        );
      }
      return openPostgresResultsStore(url, options);
    }
  }
}
