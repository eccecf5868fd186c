import { describe, expect, it } from 'vitest';
import {
  type Checkpoint,
  type CheckpointRound,
  furthest,
  hasAllSamples,
  mergeCheckpoint,
  parseCheckpoint,
  serializeCheckpoint,
  toLedger,
  withOnlyRound,
} from '../../core/checkpoint.js';
import { assembleResults } from '../../core/job-results.js';
import type { JobSpec } from '../../core/job-spec.js';
import { benchmark, type FixtureRepo, makeSpec } from '../runner/fixture-repo.js';

const repo: FixtureRepo = {
  dir: '/nowhere',
  url: 'file:///nowhere',
  shas: { main: 'a'.repeat(40), slow: 'b'.repeat(40), broken: 'c'.repeat(40) },
};
const spec: JobSpec = makeSpec(repo, 'slow', [benchmark('hot', { iterations: 3 })]);

function round(n: number, attempt: number): CheckpointRound {
  const imported = (value: number) => [
    {
      name: 'Hot',
      group: { kind: 'benchmark' as const, name: 'hot' },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better' as const,
      samples: [value, value + 1],
      rawSamples: true,
      status: 'ok' as const,
    },
  ];
  return {
    round: n,
    attempt,
    imports: [
      { side: 'baseline', benchmarks: imported(100 + n) },
      { side: 'changed', benchmarks: imported(200 + n) },
    ],
  };
}

function checkpoint(rounds: CheckpointRound[], status: 'running' | 'ok' = 'running'): Checkpoint {
  const attempt = (n: number) => ({
    attempt: n,
    startedAt: '2026-12-04T10:00:00Z',
    machine: { cpuModel: 'cpu', cores: 2, kernel: 'linux', memoryBytes: 1024 },
    warnings: [],
    runnerVersion: 'benchbot-runner test',
  });
  return {
    checkpointVersion: 2,
    specDigest: 'digest',
    attempts: [attempt(1), attempt(2)],
    benchmarks: [{ name: 'hot', status, attempt: 2, rounds, warnings: [] }],
  };
}

describe('checkpoints by round', () => {
  it('a ledger keeps what is done and drops every sample', () => {
    const ledger = toLedger(checkpoint([round(0, 1), round(1, 1)]));
    expect(ledger.benchmarks[0]?.rounds).toEqual([
      { round: 0, attempt: 1 },
      { round: 1, attempt: 1 },
    ]);
    expect(hasAllSamples(ledger)).toBe(false);
    expect(serializeCheckpoint(ledger)).not.toContain('samples');
    const parsed = parseCheckpoint(serializeCheckpoint(ledger));
    expect(parsed).toEqual({ ok: true, checkpoint: ledger });
  });

  it("a pod's round merges into the stored checkpoint, which then assembles every round", () => {
    const stored = checkpoint([round(0, 1), round(1, 1)]);
    // The pod resumed from the ledger, measured round 2 and finished the benchmark.
    const fromPod = withOnlyRound(checkpoint([round(0, 1), round(1, 1), round(2, 2)], 'ok'), 'hot', 2);
    expect(fromPod.benchmarks[0]?.rounds.map((r) => r.imports !== undefined)).toEqual([false, false, true]);
    const merged = mergeCheckpoint(stored, fromPod);
    expect(hasAllSamples(merged)).toBe(true);
    expect(merged.benchmarks[0]?.status).toBe('ok');
    const assembled = assembleResults(spec, merged, '2026-12-04T11:00:00Z');
    expect(assembled.ok).toBe(true);
    if (!assembled.ok) return;
    const [hot] = assembled.results.benchmarks;
    expect(hot?.samples.baseline?.map((s) => [s.value, s.round, s.attempt])).toEqual([
      [100, 0, 1],
      [101, 0, 1],
      [101, 1, 1],
      [102, 1, 1],
      [102, 2, 2],
      [103, 2, 2],
    ]);
    expect(assembled.results.run.runnerVersion).toBe('benchbot-runner test');
  });

  it('a round whose samples came through nowhere is dropped, and its benchmark resumed to measure it again', () => {
    const stored = checkpoint([round(0, 1)]);
    const fromPod = toLedger(checkpoint([round(0, 1), round(1, 2), round(2, 2)], 'ok'));
    const merged = mergeCheckpoint(stored, {
      ...fromPod,
      benchmarks: fromPod.benchmarks.map((b) => ({
        ...b,
        rounds: [b.rounds[0] as CheckpointRound, round(2, 2)],
      })),
    });
    expect(merged.benchmarks[0]?.rounds.map((r) => r.round)).toEqual([0, 2]);
    // Round 1 was in neither: not a finished benchmark any more.
    const lost = mergeCheckpoint(stored, fromPod);
    expect(lost.benchmarks[0]?.rounds.map((r) => r.round)).toEqual([0]);
    expect(lost.benchmarks[0]?.status).toBe('running');
    expect(assembleResults(spec, lost, '2026-12-04T11:00:00Z')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not finished hot/),
    });
  });

  it("an older runner's checkpoint is told apart from a damaged one", () => {
    expect(parseCheckpoint('{"checkpointVersion":1,"completed":[]}')).toMatchObject({
      ok: false,
      outdated: true,
    });
    expect(parseCheckpoint('{"checkpointVersion":2}')).toMatchObject({ ok: false, outdated: false });
    expect(parseCheckpoint('not json')).toMatchObject({ ok: false, outdated: false });
  });

  it('picks the further of two checkpoints: finished benchmarks first, then rounds', () => {
    const two = checkpoint([round(0, 1), round(1, 1)]);
    const one = checkpoint([round(0, 1)]);
    const done = checkpoint([round(0, 1)], 'ok');
    expect(furthest(one, two)).toBe(two);
    expect(furthest(two, one)).toBe(two);
    expect(furthest(two, done)).toBe(done);
    expect(furthest(null, one)).toBe(one);
  });
});
