import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckpointStore } from '../../adapters/executors/executor.js';
import { createStoreAccess } from '../../adapters/results-store/access.js';
import { jobCheckpoints } from '../../adapters/results-store/job-artifacts.js';

/**
 * Checkpoints kept as the worker keeps them, in a real results store (a SQLite file in a temp
 * folder), for tests and benches that run an executor directly.
 */
export function tempCheckpointStores(): { forJob(key: string): CheckpointStore; close(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'benchbot-checkpoints-'));
  const store = createStoreAccess(
    { results: { store: 'sqlite', path: join(dir, 'results.sqlite'), urlEnv: 'BENCHBOT_DATABASE_URL' } },
    {},
  );
  return {
    forJob: (key) =>
      jobCheckpoints(store, key, (message, error) => {
        throw new Error(`${message}: ${String(error)}`);
      }),
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
