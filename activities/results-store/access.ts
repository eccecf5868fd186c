import { ApplicationFailure } from '@temporalio/common';
import type { BenchbotConfig } from '../../core/config/index.js';
import { openResultsStore } from './index.js';
import { type ResultsStore, ResultsStoreError } from './store.js';

// Problems a retry cannot fix; the others (a full or read-only disk, a busy file) keep the run in
// the workflow until the activity succeeds.
const PERMANENT_STORE_ERRORS = new Set([
  'invalid-run',
  'newer-database',
  'not-a-results-database',
  'needs-migration',
]);

export interface StoreAccess {
  /** Runs `fn` on the store, opened on first use; a store error reopens it next time. */
  use<T>(fn: (store: ResultsStore) => T): T;
  close(): void;
}

/** The store as activities use it: one connection per worker, errors typed for Temporal's retries. */
export function createStoreAccess(config: BenchbotConfig): StoreAccess {
  let store: ResultsStore | null = null;
  const close = () => {
    const open = store;
    store = null;
    open?.close();
  };
  return {
    use(fn) {
      try {
        store ??= openResultsStore(config);
        return fn(store);
      } catch (err) {
        if (err instanceof ResultsStoreError) {
          close();
          if (PERMANENT_STORE_ERRORS.has(err.kind))
            throw ApplicationFailure.nonRetryable(err.message, 'InvalidResults');
        }
        throw err;
      }
    },
    close,
  };
}
