import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResults } from '../../core/report/index.js';
import { type BenchbotResults, parseResults, type Sample } from '../../core/results/schema.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';
import {
  benchmark,
  type FixtureRepo,
  makeFixtureRepo,
  makeSpec,
  runRunner,
  startRunner,
  writeSpec,
} from './fixture-repo.js';

// The runner as a child process on real git repositories cloned over file://, then the compare
// pipeline `benchbot compare` uses (core/report) on its results file.

let repo: FixtureRepo;
const made: string[] = [];
beforeAll(async () => {
  repo = await makeFixtureRepo();
  made.push(repo.dir);
});
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

const outDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'benchbot-runner-out-'));
  made.push(dir);
  return dir;
};

async function readResults(out: string): Promise<BenchbotResults> {
  const parsed = parseResults(await readFile(join(out, 'results.json'), 'utf8'), 'results.json');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.results;
}

const progressLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const byName = (results: BenchbotResults, name: string) => results.benchmarks.find((b) => b.name === name);
const rounds = (samples: readonly Sample[] = []) =>
  samples.map((s) => s.round).sort((a, b) => (a ?? 0) - (b ?? 0));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('benchmarking two commits', () => {
  let out: string;
  let run: Awaited<ReturnType<typeof runRunner>>;
  let results: BenchbotResults;

  beforeAll(async () => {
    out = await outDir();
    const spec = makeSpec(repo, 'slow', [
      benchmark('hot'),
      // 20 rounds: the change estimate of an unchanged benchmark then stays well inside the 1%
      // minimum effect on a shared machine (a paired test at alpha 0.05 still errs 1 time in 20 on
      // significance alone; the minimum effect is what keeps this test from flaking).
      benchmark('steady', { iterations: 20 }),
      benchmark('startup', {
        command: 'node dist/bench.js startup --quiet',
        output: { path: null, format: 'wall-clock' },
        iterations: 5,
      }),
      benchmark('crash', { command: 'node dist/crash.js crash > crash.txt', iterations: 3 }),
      benchmark('hang', { command: 'echo waiting; sleep 60', warmups: 0, iterations: 2, timeoutSeconds: 1 }),
    ]);
    run = await runRunner(['--spec', await writeSpec(out, spec), '--out', out]);
    results = await readResults(out);
  }, 120_000);

  it('finds the 30% slower benchmark slower and the untouched one unchanged', () => {
    expect(run.code, run.stderr).toBe(0);
    const report = compareResults(results.benchmarks, DEFAULT_OPTIONS);
    const verdict = (name: string) => report.benchmarks.find((b) => b.name === name)?.comparison;
    expect(verdict('Hot')).toMatchObject({ verdict: 'slower', test: 'moderated-t-paired' });
    expect(verdict('Hot')?.pctChange).toBeGreaterThan(15);
    expect(verdict('Steady')).toMatchObject({ verdict: 'unchanged', test: 'moderated-t-paired' });
    expect(report.failed.map((f) => f.name).sort()).toEqual(['crash', 'hang']);
  });

  it('records interleaved rounds (warm-ups not counted) and the attempt on every sample', () => {
    const hot = byName(results, 'Hot');
    expect(hot?.group).toEqual({ kind: 'benchmark', name: 'hot' });
    for (const side of ['baseline', 'changed'] as const) {
      expect(rounds(hot?.samples[side])).toEqual(range(12));
      expect(hot?.samples[side]?.every((s) => s.attempt === 1)).toBe(true);
    }
    expect(results.run).toMatchObject({
      interleaved: true,
      sides: {
        baseline: { ref: 'main', sha: repo.shas.main, envKeys: ['BENCH_FLAVOR'] },
        changed: { ref: 'slow', sha: repo.shas.slow, envKeys: ['BENCH_FLAVOR'] },
      },
    });
  });

  it('times wall-clock benchmarks itself', () => {
    const startup = byName(results, 'startup');
    expect(startup).toMatchObject({ status: 'ok', unit: 'ns', group: { kind: 'benchmark' } });
    const values = startup?.samples.baseline?.map((s) => s.value) ?? [];
    expect(values).toHaveLength(5);
    // A Node process start is milliseconds, not nanoseconds or minutes.
    for (const v of values) expect(v).toBeGreaterThan(1e6);
    for (const v of values) expect(v).toBeLessThan(10e9);
  });

  it('records a crash and a timeout as failed with their log tails and goes on', () => {
    expect(byName(results, 'crash')).toMatchObject({
      status: 'failed',
      failure: { reason: expect.stringMatching(/changed warm-up 0 \(slow\) exited with code 1/) },
    });
    expect(byName(results, 'crash')?.failure?.logTail).toContain('boom: invariant violated');
    expect(byName(results, 'hang')?.failure).toMatchObject({
      reason: expect.stringMatching(/round 0 \(\w+\) timed out after 1s and was killed/),
      logTail: 'waiting',
    });
  });

  it('builds and runs each side with its own env', async () => {
    const work = join(out, 'work');
    expect(await readFile(join(work, 'a/dist/flavor.txt'), 'utf8')).toBe('a');
    expect(await readFile(join(work, 'b/dist/flavor.txt'), 'utf8')).toBe('b');
    const seen = (await readFile(join(work, 'b/seen.txt'), 'utf8')).trim().split('\n');
    // hot: one warm-up and 12 rounds, steady: one warm-up and 20.
    expect(seen).toHaveLength(13 + 21);
    expect(seen.every((line) => /^changed \d+ b$/.test(line))).toBe(true);
  });

  it('records the machine and warns instead of refusing when it looks noisy', () => {
    expect(results.run.machine.cores).toBeGreaterThan(0);
    expect(results.run.machine.loadAverage).toHaveLength(3);
    const load = results.run.machine.loadAverage?.[0] ?? 0;
    if (load > Math.max(1, results.run.machine.cores / 10)) {
      expect(results.run.warnings?.join('\n')).toMatch(/machine was busy/);
    }
  });

  it('reports progress as JSON lines on stdout, ending at done = total', () => {
    const events = progressLines(run.stdout);
    expect(events[0]).toMatchObject({ type: 'progress', phase: 'clone', done: 0 });
    const phases = new Set(events.map((e) => e.phase));
    for (const phase of ['clone', 'build', 'warmup', 'run', 'done']) expect(phases).toContain(phase);
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'progress', phase: 'done' });
    expect(last?.done).toBe(last?.total);
    // 2 builds + 2 sides x (warm-ups + rounds): hot 13, steady 21, startup 6, crash 4, hang 2.
    expect(last?.total).toBe(2 + 2 * (13 + 21 + 6 + 4 + 2));
    const done = events.filter((e) => e.type === 'progress').map((e) => e.done as number);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const finished = events.filter((e) => e.type === 'checkpoint' && e.status !== 'running');
    // A checkpoint after every measured round, and one as each benchmark ends.
    const hotRounds = events.filter(
      (e) => e.type === 'checkpoint' && e.benchmark === 'hot' && e.status === 'running',
    );
    expect(hotRounds.map((e) => e.round)).toEqual(range(hotRounds.length));
    expect(hotRounds.length).toBeGreaterThan(1);
    expect(finished.map((e) => [e.benchmark, e.status])).toEqual([
      ['hot', 'ok'],
      ['steady', 'ok'],
      ['startup', 'ok'],
      ['crash', 'failed'],
      ['hang', 'failed'],
    ]);
  });
});

describe('failures of the code under test', () => {
  it('reports a failed build with the side, the exit code and the log tail (exit 3)', async () => {
    const out = await outDir();
    const run = await runRunner([
      '--spec',
      await writeSpec(out, makeSpec(repo, 'broken', [benchmark('hot')])),
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(3);
    const failure = JSON.parse(await readFile(join(out, 'failure.json'), 'utf8'));
    expect(failure).toMatchObject({
      kind: 'build',
      side: 'changed',
      ref: 'broken',
      sha: repo.shas.broken,
      exitCode: 2,
      timedOut: false,
    });
    expect(failure.logTail).toBe("compiling bench.js\nbench.js:3:7: error: expected ';' before 'work'");
    expect(run.stderr).toMatch(/the build of changed \(broken at [0-9a-f]{12}\) exited with code 2/);
    await expect(readFile(join(out, 'results.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('names a missing commit and suggests a force-push (exit 3)', async () => {
    const out = await outDir();
    const spec = makeSpec(repo, 'slow', [benchmark('hot')]);
    const gone = 'c0ffee'.padEnd(40, '0');
    spec.sides.changed = { ref: 'feature-x', sha: gone, env: {} };
    const run = await runRunner(['--spec', await writeSpec(out, spec), '--out', out]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      `commit ${gone} (changed: feature-x) is not in ${repo.url}: was the branch force-pushed?`,
    );
    expect(JSON.parse(await readFile(join(out, 'failure.json'), 'utf8'))).toMatchObject({
      kind: 'missing-commit',
      side: 'changed',
      sha: gone,
    });
  });

  it('refuses an unusable spec (exit 2)', async () => {
    const out = await outDir();
    const file = join(out, 'spec.json');
    await writeFile(file, JSON.stringify({ specVersion: 9 }));
    const run = await runRunner(['--spec', file, '--out', out]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/specVersion 9 is not supported/);
  });
});

describe('CPU pinning', () => {
  it('runs benchmarks under taskset when --cpus is given and records the CPUs', async () => {
    const out = await outDir();
    const spec = makeSpec(repo, 'slow', [
      benchmark('affinity', {
        command: 'taskset -cp $$ > affinity.txt',
        output: { path: null, format: 'wall-clock' },
        iterations: 1,
        warmups: 0,
      }),
    ]);
    const run = await runRunner(['--spec', await writeSpec(out, spec), '--out', out, '--cpus', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(out, 'work/a/affinity.txt'), 'utf8')).toMatch(/current affinity list: 0$/m);
    expect((await readResults(out)).run.machine.pinnedCpus).toEqual([0]);
  });
});

describe('a run killed mid-way', () => {
  it('resumes from its checkpoint by round: same rounds, no duplicates, attempts recorded', async () => {
    const out = await outDir();
    const names = ['first', 'second', 'third'];
    const benchmarks = names.map((name) =>
      benchmark(name, {
        command: `node dist/bench.js steady --quiet`,
        output: { path: null, format: 'wall-clock' },
        iterations: 6,
      }),
    );
    const specFile = await writeSpec(out, makeSpec(repo, 'slow', benchmarks));

    const first = startRunner(['--spec', specFile, '--out', out]);
    await first.waitForLine((e) => e.type === 'checkpoint' && e.benchmark === 'first');
    // Mid-way through "second": some of its rounds ran and must not be counted twice.
    await first.waitForLine((e) => e.benchmark === 'second' && e.phase === 'run' && e.round === 2);
    first.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    await expect(readFile(join(out, 'results.json'), 'utf8')).rejects.toThrow(/ENOENT/);

    const second = await runRunner(['--spec', specFile, '--out', out]);
    expect(second.code, second.stderr).toBe(0);
    // Rounds 0 and 1 of "second" were checkpointed before the kill; round 2 was cut off.
    expect(second.stderr).toMatch(/attempt 2: resuming, 1 of 3 benchmarks already done, 2 rounds of second/);
    expect(second.stderr).toMatch(/reusing the clone/);
    const results = await readResults(out);
    expect(results.benchmarks.map((b) => [b.name, b.status])).toEqual(names.map((n) => [n, 'ok']));
    const attempts = Object.fromEntries(
      results.benchmarks.map((b) => [
        b.name,
        [...new Set([...(b.samples.baseline ?? []), ...(b.samples.changed ?? [])].map((s) => s.attempt))],
      ]),
    );
    expect(attempts).toEqual({ first: [1], second: [1, 2], third: [2] });
    for (const b of results.benchmarks) {
      expect(rounds(b.samples.baseline)).toEqual(range(6));
      expect(rounds(b.samples.changed)).toEqual(range(6));
      // Both sides of each round ran in the same attempt, so the pairs hold.
      const attemptOf = (side: 'baseline' | 'changed') =>
        (b.samples[side] ?? []).map((x) => [x.round, x.attempt]).sort((p, q) => (p[0] ?? 0) - (q[0] ?? 0));
      expect(attemptOf('baseline')).toEqual(attemptOf('changed'));
    }
    const second2 = results.benchmarks.find((b) => b.name === 'second');
    expect(second2?.samples.baseline?.map((x) => [x.round, x.attempt])).toEqual(
      expect.arrayContaining([
        [0, 1],
        [1, 1],
        [2, 2],
        [5, 2],
      ]),
    );
    // The resumed run announced the skipped benchmark's steps as done from the start.
    const firstEvent = progressLines(second.stdout)[0];
    expect(firstEvent).toMatchObject({ phase: 'clone', done: 2 * 7 });

    // Started once more, a finished job reruns nothing and writes the same benchmarks.
    const third = await runRunner(['--spec', specFile, '--out', out]);
    expect(third.code, third.stderr).toBe(0);
    expect(progressLines(third.stdout).map((e) => e.phase)).toEqual(['done']);
    expect((await readResults(out)).benchmarks).toEqual(results.benchmarks);
  }, 120_000);

  it('refuses a checkpoint from another spec (exit 2)', async () => {
    const out = await outDir();
    const spec = makeSpec(repo, 'slow', [
      benchmark('startup', {
        command: 'true',
        output: { path: null, format: 'wall-clock' },
        iterations: 1,
        warmups: 0,
      }),
    ]);
    const specFile = await writeSpec(out, spec);
    expect((await runRunner(['--spec', specFile, '--out', out])).code).toBe(0);
    spec.order.seed += 1;
    await writeSpec(out, spec);
    const again = await runRunner(['--spec', specFile, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/checkpoint\.json belongs to a different job spec/);
  });
});
