import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareResults } from '../../core/report/index.js';
import { parseResults } from '../../core/results/schema.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';
import { runRunner, writeSpec } from './fixture-repo.js';
import {
  GO_BENCHMARKS,
  type GoModuleRepo,
  goModuleSpec,
  makeGoModuleRepo,
  SLOW_BENCHMARK,
} from './go-module.js';

// What the statistics are for, end to end: ten Go benchmarks, one commit that makes one of them 5%
// slower and one that changes nothing they run, 10 interleaved rounds through the runner, judged
// with benchbot's defaults.

let repo: GoModuleRepo;
const made: string[] = [];
beforeAll(async () => {
  repo = await makeGoModuleRepo();
  made.push(repo.root);
});
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function judge(changed: 'slower' | 'docs') {
  const out = await mkdtemp(join(tmpdir(), 'benchbot-go-power-out-'));
  made.push(out);
  const run = await runRunner(['--spec', await writeSpec(out, goModuleSpec(repo, changed)), '--out', out]);
  expect(run.code, run.stderr).toBe(0);
  const parsed = parseResults(await readFile(join(out, 'results.json'), 'utf8'), 'results.json');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return compareResults(parsed.results.benchmarks, DEFAULT_OPTIONS);
}

const changedNames = (report: Awaited<ReturnType<typeof judge>>) =>
  report.benchmarks.filter((b) => b.comparison.verdict !== 'unchanged').map((b) => b.name);

describe('ten Go benchmarks, 10 interleaved rounds, benchbot defaults', () => {
  it('finds the one planted 5% slowdown and nothing else', async () => {
    const report = await judge('slower');
    expect(report.benchmarks).toHaveLength(GO_BENCHMARKS);
    expect(report.benchmarks.every((b) => b.comparison.test === 'moderated-t-paired')).toBe(true);
    expect(report.benchmarks.every((b) => b.comparison.baseline.n === 10 * 5)).toBe(true);
    expect(changedNames(report), JSON.stringify(report.benchmarks.map((b) => b.comparison))).toEqual([
      SLOW_BENCHMARK,
    ]);
    const slow = report.benchmarks.find((b) => b.name === SLOW_BENCHMARK)?.comparison;
    expect(slow?.verdict).toBe('slower');
    expect(slow?.pctChange).toBeGreaterThan(3);
    expect(slow?.pctChange).toBeLessThan(7);
  }, 600_000);

  it('finds nothing when the code the benchmarks run did not change', async () => {
    const report = await judge('docs');
    expect(changedNames(report), JSON.stringify(report.benchmarks.map((b) => b.comparison))).toEqual([]);
  }, 600_000);
});
