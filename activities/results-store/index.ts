import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchbotConfig } from '../../core/config/schema.js';
import { type OpenSqliteOptions, openSqliteResultsStore } from './sqlite.js';
import type { ResultsStore } from './store.js';

export { LATEST_VERSION } from './migrations.js';
export { type OpenSqliteOptions, openSqliteResultsStore, SqliteResultsStore } from './sqlite.js';
export * from './store.js';

/**
 * The results store the config names (`results.store`, at `results.path`, already absolute once the
 * config is loaded). A writable store creates its folder, so a fresh data folder just works.
 */
export function openResultsStore(
  config: Pick<BenchbotConfig, 'results'>,
  options: OpenSqliteOptions = {},
): ResultsStore {
  const { store, path } = config.results;
  switch (store) {
    case 'sqlite':
      if (options.readonly !== true) mkdirSync(dirname(path), { recursive: true });
      return openSqliteResultsStore(path, options);
  }
}
