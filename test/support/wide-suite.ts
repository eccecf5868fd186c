import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';
import { expect } from 'vitest';
import type { ResultsStore } from '../../adapters/results-store/index.js';
import { resultsArtifactKey } from '../../core/results/claim-check.js';
import { PROJECT_ROOT } from '../runner/fixture-repo.js';

// A suite at the scale of arrow-rs's criterion targets: 200 functions x 100 samples per run, five
// measured rounds, on both sides: 200,000 samples, a results file of about 8 MB.

export const WIDE = { functions: 200, samples: 100, rounds: 5 } as const;
const SCRIPT_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'scale');
const SCRIPT = join(SCRIPT_DIR, 'wide-go-bench.mjs');

/**
 * The generator lives outside the repository under test: a sandboxed job sees it only when the
 * config mounts its folder (`executor.local.readOnlyPaths`).
 */
export const WIDE_SCRIPT_DIR = SCRIPT_DIR;

export interface SuiteSize {
  functions: number;
  samples: number;
  rounds: number;
  /** The changed side is 3% slower on every slowerEvery-th function. */
  slowerEvery?: number;
}

/** The benchmark's entry in a repository's `benchmarks:` (YAML flow style). */
export function wideBenchmark(name = 'wide', size: SuiteSize = WIDE): string {
  const args = [size.functions, size.samples, size.slowerEvery ?? 10].join(' ');
  return `{ name: ${name}, command: "node ${SCRIPT} ${args} > ${name}.txt", output: { path: ${name}.txt, format: go-bench }, iterations: ${size.rounds}, warmups: 1, timeoutMinutes: 5 }`;
}

/** The workflow's whole history as Temporal stores it (protobuf), in bytes. */
export async function historyBytes(handle: WorkflowHandle): Promise<number> {
  const History = proto.temporal.api.history.v1.History;
  return History.encode(History.fromObject(await handle.fetchHistory())).finish().length;
}

/**
 * Checks the recorded run kept every sample: each function, both sides, every round with all its
 * samples, measured across more than one attempt (the job was stopped mid-way); and that the job's
 * artifacts left the store once the run was recorded. Returns the number of samples.
 */
export async function expectEverySampleKept(store: ResultsStore, runId: string): Promise<number> {
  const run = await store.getRun(runId);
  expect(run?.platforms).toHaveLength(1);
  const benchmarks = run?.platforms[0]?.results?.benchmarks ?? [];
  expect(benchmarks).toHaveLength(WIDE.functions);
  const attempts = new Set<number>();
  let count = 0;
  for (const b of benchmarks) {
    for (const side of [b.samples.baseline ?? [], b.samples.changed ?? []]) {
      const perRound = new Map<number, number>();
      for (const s of side) {
        perRound.set(s.round ?? -1, (perRound.get(s.round ?? -1) ?? 0) + 1);
        attempts.add(s.attempt ?? 0);
      }
      expect([...perRound.entries()].sort((x, y) => x[0] - y[0])).toEqual(
        Array.from({ length: WIDE.rounds }, (_, round) => [round, WIDE.samples]),
      );
      count += side.length;
    }
  }
  expect([...attempts].sort()).toEqual([1, 2]);
  expect(count).toBe(WIDE.functions * WIDE.samples * WIDE.rounds * 2);
  expect(await store.getArtifact(resultsArtifactKey(runId))).toBeNull();
  expect(await store.getArtifact(`${runId}:checkpoint`)).toBeNull();
  return count;
}
