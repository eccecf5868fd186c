import type { BenchbotResults, Benchmark, RunMetadata, SideName } from './schema.js';

// A CI job measures one commit at a time: its results file holds one side (as `changed`), and the
// stored run it is compared with contributes the side it measured last. Both are ordinary results
// files, so the store, the importers and the report need nothing new.

/** A results file whose only side is the commit measured, made from a tool's imported output. */
export function oneSideResults(
  run: Omit<RunMetadata, 'sides'> & { side: { ref: string; sha: string } },
  benchmarks: readonly Benchmark[],
): BenchbotResults {
  const { side, ...meta } = run;
  return {
    schema: 'benchbot-results',
    schemaVersion: 1,
    run: { ...meta, sides: { changed: { ref: side.ref, sha: side.sha, envKeys: [] } } },
    benchmarks: [...benchmarks],
  };
}

/**
 * The newest measurement a stored run holds, alone: its changed side (the commit it measured; a
 * trunk run's baseline is the commit before). Null when that side has no samples.
 */
export function newestSideOf(results: BenchbotResults): BenchbotResults | null {
  const side: SideName = 'changed';
  const measured = results.run.sides[side];
  if (measured === undefined) return null;
  const benchmarks = results.benchmarks
    .filter((b) => (b.samples[side]?.length ?? 0) > 0 || b.status === 'failed')
    .map((b) => ({ ...b, samples: { [side]: b.samples[side] ?? [] } }));
  if (benchmarks.length === 0) return null;
  return { ...results, run: { ...results.run, sides: { [side]: measured } }, benchmarks };
}
