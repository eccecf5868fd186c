import { benchmarkKey } from '../schema.js';
import type { ImportedBenchmark } from './types.js';

/**
 * Folds entries with the same group, name and metric into one, in first-seen order: repeated lines
 * (go test -count) or repeated entries are more samples of the same benchmark, not new benchmarks.
 * The entries' sample arrays are never changed; one is copied only when another is added to it.
 */
export function mergeImported(entries: readonly ImportedBenchmark[]): ImportedBenchmark[] {
  const merged = new Map<string, ImportedBenchmark>();
  const copied = new Set<ImportedBenchmark>();
  for (const entry of entries) {
    const key = benchmarkKey(entry);
    const seen = merged.get(key);
    if (seen === undefined) {
      merged.set(key, { ...entry });
      continue;
    }
    if (!copied.has(seen)) {
      seen.samples = [...seen.samples];
      copied.add(seen);
    }
    for (const sample of entry.samples) seen.samples.push(sample);
    seen.rawSamples &&= entry.rawSamples;
    if (entry.status === 'failed' && seen.status === 'ok') {
      seen.status = 'failed';
      if (entry.failure !== undefined) seen.failure = entry.failure;
    }
  }
  return [...merged.values()];
}
