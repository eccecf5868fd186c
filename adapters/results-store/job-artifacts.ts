import { gunzipSync, gzipSync } from 'node:zlib';
import { ApplicationFailure } from '@temporalio/common';
import { INVALID_RESULTS } from '../../core/request/contract.js';
import {
  checkpointArtifactKey,
  jobArtifactPrefix,
  type ResultsSource,
  resultsArtifactKey,
} from '../../core/results/claim-check.js';
import { type BenchbotResults, parseResults } from '../../core/results/index.js';
import type { CheckpointStore } from '../executors/executor.js';
import type { StoreAccess } from './access.js';

// A job's results file and checkpoint kept in the results store (gzipped), so that only their
// references go through Temporal.

export async function putJobResults(store: StoreAccess, jobKey: string, text: string): Promise<void> {
  const data = gzipSync(text);
  await store.use((s) => s.putArtifact(resultsArtifactKey(jobKey), data));
}

/** The job's results, or null when the store no longer holds them (the run was recorded and they went). */
export async function loadJobResults(store: StoreAccess, jobKey: string): Promise<BenchbotResults | null> {
  const data = await store.use((s) => s.getArtifact(resultsArtifactKey(jobKey)));
  if (data === null) return null;
  const parsed = parseResults(gunzipSync(data).toString('utf8'), resultsArtifactKey(jobKey));
  if (!parsed.ok) {
    const problems = parsed.errors.map((e) => `${e.place}: ${e.message}`).join('; ');
    throw ApplicationFailure.nonRetryable(`the stored results are unreadable: ${problems}`, INVALID_RESULTS);
  }
  return parsed.results;
}

/** The results an activity was handed, inline or by reference; a reference must still be in the store. */
export async function resultsOf(store: StoreAccess, source: ResultsSource): Promise<BenchbotResults> {
  if ('results' in source) return source.results;
  const results = await loadJobResults(store, source.ref);
  if (results === null) throw missingResults(source.ref);
  return results;
}

export function missingResults(jobKey: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `the results of job ${jobKey} are not in the results store (already recorded and removed, or the store was replaced while the request ran); run the request again`,
    INVALID_RESULTS,
  );
}

/** Removes a job's results and checkpoint once they are recorded; a second call finds nothing. */
export async function deleteJobArtifacts(store: StoreAccess, jobKey: string): Promise<void> {
  await store.use((s) => s.deleteArtifacts(jobArtifactPrefix(jobKey)));
}

/**
 * The job's checkpoint in the store, gzipped. Saves go one after another (a later one never
 * overwritten by an earlier); one that fails is logged and the job goes on.
 */
export function jobCheckpoints(
  store: StoreAccess,
  jobKey: string,
  warn: (message: string, error: unknown) => void,
): CheckpointStore {
  const key = checkpointArtifactKey(jobKey);
  let last: Promise<void> = Promise.resolve();
  return {
    async load() {
      const data = await store.use((s) => s.getArtifact(key));
      return data === null ? null : gunzipSync(data).toString('utf8');
    },
    save(text) {
      const data = gzipSync(text);
      last = last.then(() =>
        store
          .use((s) => s.putArtifact(key, data))
          .catch((error: unknown) => warn('could not keep the checkpoint in the results store', error)),
      );
      return last;
    },
  };
}
