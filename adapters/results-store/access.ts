import { ApplicationFailure } from '@temporalio/common';
import type { BenchbotConfig } from '../../core/config/index.js';
import { INVALID_RESULTS } from '../../core/request/contract.js';
import { openResultsStore } from './index.js';
import { type ResultsStore, ResultsStoreError } from './store.js';

// Problems a retry cannot fix; the others (an unreachable server, refused credentials, a full or
// read-only disk, a busy file) keep the run in the workflow until the activity succeeds.
const PERMANENT_STORE_ERRORS = new Set([
  'invalid-run',
  'newer-database',
  'not-a-results-database',
  'needs-migration',
]);

export interface StoreAccess {
  /** Runs `fn` on the store, opened on first use; a store error reopens it next time. */
  use<T>(fn: (store: ResultsStore) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The store as activities use it: one connection (pool) per worker, errors typed for Temporal's retries. */
export function createStoreAccess(
  config: Pick<BenchbotConfig, 'results'>,
  env: NodeJS.ProcessEnv,
): StoreAccess {
  let opening: Promise<ResultsStore> | null = null;
  const close = async () => {
    const open = opening;
    opening = null;
    await open?.then((store) => store.close()).catch(() => undefined);
  };
  return {
    async use(fn) {
      try {
        opening ??= openResultsStore(config, env);
        return await fn(await opening);
      } catch (err) {
        if (err instanceof ResultsStoreError) {
          await close();
          if (PERMANENT_STORE_ERRORS.has(err.kind))
            throw ApplicationFailure.nonRetryable(err.message, INVALID_RESULTS);
        }
        throw err;
      }
    },
    close,
  };
}
