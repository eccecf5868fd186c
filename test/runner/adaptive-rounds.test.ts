import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookAtPlannedRounds } from '../../core/adaptive-rounds.js';
import { type Checkpoint, parseCheckpoint, serializeCheckpoint, toLedger } from '../../core/checkpoint.js';
import { compareResults } from '../../core/report/index.js';
import { type BenchbotResults, parseResults } from '../../core/results/schema.js';
import { FIRST_LOOK_SHARE, lookLevels } from '../../core/stats/alpha-spending.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';
import { runRunner, startRunner, writeSpec } from './fixture-repo.js';
import {
  adaptiveGoSpec,
  CLEAR_BENCHMARK,
  type GoModuleRepo,
  makeGoModuleRepo,
  SLOW_BENCHMARK,
} from './go-module.js';

// Adaptive rounds end to end on real go test -bench output: Hash0 does twice the work (decided
// after the planned rounds), Hash6 5% more, under a ±5% swing from round to round (too small to
// tell from 4 rounds, clear from 40).

const PLANNED = 4;
const MAX_ROUNDS = 40;

let repo: GoModuleRepo;
const made: string[] = [];
beforeAll(async () => {
  repo = await makeGoModuleRepo();
  made.push(repo.root);
});
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function outDir(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'benchbot-adaptive-out-'));
  made.push(out);
  return out;
}

async function readResults(out: string): Promise<BenchbotResults> {
  const parsed = parseResults(await readFile(join(out, 'results.json'), 'utf8'), 'results.json');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.results;
}

async function readCheckpoint(out: string): Promise<Checkpoint> {
  const parsed = parseCheckpoint(await readFile(join(out, 'checkpoint.json'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.checkpoint;
}

const roundsOf = (results: BenchbotResults, name: string) =>
  [...new Set(results.benchmarks.find((b) => b.name === name)?.samples.baseline?.map((s) => s.round))].sort(
    (a, b) => (a ?? 0) - (b ?? 0),
  );

function expectDecisions(results: BenchbotResults, stderr: string) {
  expect(results.schemaVersion).toBe(2);
  expect(results.run.adaptive?.extended).toEqual([
    {
      benchmark: 'small',
      plannedRounds: PLANNED,
      rounds: MAX_ROUNDS,
      measurements: [
        {
          group: { kind: 'benchmark', name: 'example.com/hashes' },
          name: SLOW_BENCHMARK,
          metric: 'time',
          look: 2,
        },
      ],
    },
  ]);
  expect(roundsOf(results, CLEAR_BENCHMARK)).toHaveLength(PLANNED);
  expect(roundsOf(results, SLOW_BENCHMARK)).toHaveLength(MAX_ROUNDS);

  const report = compareResults(results.benchmarks, DEFAULT_OPTIONS, results.run.adaptive);
  const clear = report.benchmarks.find((b) => b.name === CLEAR_BENCHMARK);
  const small = report.benchmarks.find((b) => b.name === SLOW_BENCHMARK);
  const why = JSON.stringify(report.benchmarks.map((b) => b.comparison));
  expect(clear?.comparison.verdict, why).toBe('slower');
  expect(clear?.look).toBeUndefined();
  expect(small?.comparison.verdict, why).toBe('slower');
  expect(small?.look).toEqual({ look: 2, rounds: MAX_ROUNDS, plannedRounds: PLANNED });
  expect(small?.comparison.pctChange).toBeGreaterThan(1);
  expect(small?.comparison.pctChange).toBeLessThan(9);
  // The first look alone, as the runner took it, could not tell.
  const firstLook = compareResults(
    results.benchmarks.map((b) => ({
      ...b,
      samples: {
        baseline: (b.samples.baseline ?? []).filter((s) => (s.round ?? 0) < PLANNED),
        changed: (b.samples.changed ?? []).filter((s) => (s.round ?? 0) < PLANNED),
      },
    })),
    { ...DEFAULT_OPTIONS, alpha: lookLevels(DEFAULT_OPTIONS.alpha, FIRST_LOOK_SHARE).first },
  );
  expect(firstLook.benchmarks.find((b) => b.name === SLOW_BENCHMARK)?.comparison.verdict).not.toBe('slower');
  expect(stderr).toMatch(/clear: decided after its 4 planned rounds/);
  expect(stderr).toMatch(/small: 1 measurement undecided after 4 rounds; 36 extra rounds, 40 in all/);
}

describe('adaptive rounds on two Go benchmarks, one clear change and one small', () => {
  it('runs extra rounds for the undecided one only, and finds it', async () => {
    const out = await outDir();
    const run = await runRunner([
      '--spec',
      await writeSpec(out, adaptiveGoSpec(repo, PLANNED, MAX_ROUNDS)),
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expectDecisions(await readResults(out), run.stderr);
    // Progress says how many rounds the benchmark runs now.
    expect(run.stdout).toMatch(/"benchmark":"small","status":"running","round":39,"rounds":40/);
  }, 900_000);

  it('stopped during the extra rounds, resumes them with the look it took', async () => {
    const out = await outDir();
    const specFile = await writeSpec(out, adaptiveGoSpec(repo, PLANNED, MAX_ROUNDS));
    const first = startRunner(['--spec', specFile, '--out', out]);
    await first.waitForLine((e) => e.type === 'checkpoint' && e.benchmark === 'small' && e.round === 6);
    first.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const stopped = await readCheckpoint(out);
    expect(stopped.look?.benchmarks.find((b) => b.name === 'small')?.extraRounds).toBe(MAX_ROUNDS - PLANNED);

    const second = await runRunner(['--spec', specFile, '--out', out]);
    expect(second.code, second.stderr).toBe(0);
    // No second look: the one in the checkpoint stands.
    expect(second.stderr).not.toMatch(/undecided after/);
    const finished = await readCheckpoint(out);
    expect(finished.look).toEqual(stopped.look);
    const results = await readResults(out);
    expectDecisions(results, (await first.done).stderr);
    const attempts = results.benchmarks
      .find((b) => b.name === SLOW_BENCHMARK)
      ?.samples.changed?.map((s) => s.attempt);
    expect(new Set(attempts)).toEqual(new Set([1, 2]));
    // Taken again from the planned rounds, the look is the same: it depends on the samples only.
    const planned: Checkpoint = {
      ...finished,
      benchmarks: finished.benchmarks.map((b) => ({
        ...b,
        rounds: b.rounds.filter((r) => r.round < PLANNED),
      })),
    };
    expect(lookAtPlannedRounds(adaptiveGoSpec(repo, PLANNED, MAX_ROUNDS), planned)).toEqual(stopped.look);
  }, 900_000);

  it('resumed from a ledger during the planned rounds, runs no extra rounds and says why', async () => {
    const out = await outDir();
    const specFile = await writeSpec(out, adaptiveGoSpec(repo, PLANNED, MAX_ROUNDS));
    const first = startRunner(['--spec', specFile, '--out', out]);
    await first.waitForLine((e) => e.type === 'checkpoint' && e.benchmark === 'small' && e.round === 1);
    first.kill('SIGKILL');
    await first.done;
    // What a Kubernetes pod is resumed from: the executor's ledger, without the samples.
    const resumed = await outDir();
    const ledger = join(resumed, 'ledger.json');
    await writeFile(ledger, serializeCheckpoint(toLedger(await readCheckpoint(out))));
    const second = await runRunner(['--spec', specFile, '--out', resumed, '--checkpoint', ledger]);
    expect(second.code, second.stderr).toBe(0);
    const note = "no extra rounds: the planned rounds' samples of an earlier attempt are with the executor";
    expect(second.stderr).toContain(`small: ${note}`);
    const checkpoint = await readCheckpoint(resumed);
    expect(checkpoint.look?.benchmarks.map((b) => [b.name, b.extraRounds, b.note])).toEqual([
      ['clear', 0, note],
      ['small', 0, note],
    ]);
    expect(checkpoint.benchmarks.find((b) => b.name === 'small')?.warnings).toContain(`small: ${note}`);
    expect(checkpoint.benchmarks.find((b) => b.name === 'small')?.rounds).toHaveLength(PLANNED);
  }, 900_000);
});
