import { describe, expect, it } from 'vitest';
import { extraRoundsFor, isDecided, lookAtPlannedRounds } from '../../core/adaptive-rounds.js';
import {
  type Checkpoint,
  type CheckpointBenchmark,
  type CheckpointRound,
  mergeCheckpoint,
  parseCheckpoint,
  serializeCheckpoint,
  toLedger,
} from '../../core/checkpoint.js';
import { formatConfigIssues, parseConfig } from '../../core/config/index.js';
import { adaptiveRecord, assembleResults } from '../../core/job-results.js';
import { buildJobSpec, type JobBenchmark, type JobSpec } from '../../core/job-spec.js';
import { seededRandom } from '../../core/random.js';
import {
  compareResults,
  compareResultsText,
  renderMarkdown,
  toComparisonJson,
} from '../../core/report/index.js';
import type { AdaptiveRecord, Benchmark } from '../../core/results/schema.js';
import { parseResults, serializeResults } from '../../core/results/schema.js';
import { FIRST_LOOK_SHARE, lookLevels } from '../../core/stats/alpha-spending.js';
import { insideMinimumEffect } from '../../core/stats/equivalence.js';
import { BENCHSTAT_COMPAT, DEFAULT_OPTIONS } from '../../core/stats/index.js';
import { benchmark, type FixtureRepo, makeSpec } from '../runner/fixture-repo.js';

const repo: FixtureRepo = {
  dir: '/nowhere',
  url: 'file:///nowhere',
  shas: { main: 'a'.repeat(40), slow: 'b'.repeat(40), broken: 'c'.repeat(40) },
};

/** Rounds of one measurement: baseline 1000, changed (1 + shift), each sample with `noise` relative spread. */
function rounds(name: string, count: number, shift: number, noise: number, seed: number): CheckpointRound[] {
  const random = seededRandom(seed);
  const sample = (centre: number) => centre * (1 + noise * (2 * random() - 1));
  const imported = (value: number) => [
    {
      name,
      group: { kind: 'benchmark' as const },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better' as const,
      samples: [value],
      rawSamples: true,
      status: 'ok' as const,
    },
  ];
  return Array.from({ length: count }, (_, round) => ({
    round,
    attempt: 1,
    elapsedMs: 5000,
    imports: [
      { side: 'baseline' as const, benchmarks: imported(sample(1000)) },
      { side: 'changed' as const, benchmarks: imported(sample(1000 * (1 + shift))) },
    ],
  }));
}

const entry = (name: string, list: CheckpointRound[]): CheckpointBenchmark => ({
  name,
  status: 'ok',
  attempt: 1,
  rounds: list,
  warnings: [],
});

const adaptive = (name: string, extraSeconds = 60): JobBenchmark =>
  benchmark(name, { iterations: 10, adaptive: { maxRounds: 20, extraSeconds } });

const spec: JobSpec = makeSpec(repo, 'slow', [
  adaptive('big'),
  adaptive('flat'),
  adaptive('edge'),
  adaptive('edgeShort', 20),
  benchmark('plain', { iterations: 10 }),
]);

function checkpointAfterPlannedRounds(): Checkpoint {
  return {
    checkpointVersion: 2,
    specDigest: 'x',
    attempts: [
      {
        attempt: 1,
        startedAt: '2026-01-01T00:00:00Z',
        machine: { cpuModel: 'cpu', cores: 2, kernel: 'Linux', memoryBytes: 1 << 30 },
        warnings: [],
        runnerVersion: 'test',
      },
    ],
    benchmarks: [
      entry('big', rounds('big', 10, 0.2, 0.01, 1)),
      entry('flat', rounds('flat', 10, 0, 0.001, 2)),
      entry('edge', rounds('edge', 10, 0.01, 0.03, 3)),
      entry('edgeShort', rounds('edgeShort', 10, 0.01, 0.03, 4)),
      entry('plain', rounds('plain', 10, 0.01, 0.03, 5)),
    ],
  };
}

describe('the look after the planned rounds', () => {
  const checkpoint = checkpointAfterPlannedRounds();
  const look = lookAtPlannedRounds(spec, checkpoint);

  it('stops a clear change and an interval inside the minimum effect, extends one that straddles it', () => {
    expect(look?.benchmarks).toEqual([
      { name: 'big', extraRounds: 0, undecided: [] },
      { name: 'flat', extraRounds: 0, undecided: [] },
      { name: 'edge', extraRounds: 10, undecided: ['["benchmark",null,"edge","time"]'] },
      // 20 s of budget at 5 s a round.
      { name: 'edgeShort', extraRounds: 4, undecided: ['["benchmark",null,"edgeShort","time"]'] },
    ]);
  });

  it('is the first look of the final comparison: same verdicts at the first share of alpha', () => {
    const report = compareResults(
      checkpoint.benchmarks.flatMap((e) => assembleBenchmarks(e)),
      { ...DEFAULT_OPTIONS, alpha: lookLevels(DEFAULT_OPTIONS.alpha, FIRST_LOOK_SHARE).first },
    );
    const decided = report.benchmarks.filter((b) => isDecided(b.comparison)).map((b) => b.name);
    expect(decided).toEqual(['big', 'flat']);
    expect(report.benchmarks.find((b) => b.name === 'flat')?.comparison.settledUnchanged).toBe(true);
  });

  it('gives no extra rounds beyond maxRounds, or without a plan', () => {
    const edge = spec.benchmarks[2] as JobBenchmark;
    const long = entry(
      'edge',
      rounds('edge', 10, 0, 0.01, 1).map((r) => ({ ...r, elapsedMs: 1 })),
    );
    expect(extraRoundsFor(edge, long)).toBe(10);
    expect(extraRoundsFor(spec.benchmarks[4] as JobBenchmark, long)).toBe(0);
  });

  it("travels in a ledger and through the executor's merge, with the rounds' times", () => {
    const withLook: Checkpoint = { ...checkpoint, ...(look === null ? {} : { look }) };
    const ledger = toLedger(withLook);
    expect(ledger.look).toEqual(look);
    expect(ledger.benchmarks[0]?.rounds[0]).toEqual({ round: 0, attempt: 1, elapsedMs: 5000 });
    const parsed = parseCheckpoint(serializeCheckpoint(ledger));
    expect(parsed.ok && parsed.checkpoint.look).toEqual(look);
    expect(mergeCheckpoint(withLook, ledger).look).toEqual(look);
  });

  it('is none for a spec without adaptive rounds', () => {
    const plain = makeSpec(repo, 'slow', [benchmark('plain', { iterations: 10 })]);
    expect(lookAtPlannedRounds(plain, checkpoint)).toBeNull();
    expect(adaptiveRecord(plain, checkpoint)).toBeUndefined();
  });
});

function assembleBenchmarks(e: CheckpointBenchmark): Benchmark[] {
  const one: JobSpec = { ...spec, benchmarks: [benchmark(e.name, { iterations: e.rounds.length })] };
  const checkpoint = { ...checkpointAfterPlannedRounds(), benchmarks: [e] };
  const assembled = assembleResults(one, checkpoint, '2026-01-01T01:00:00Z');
  if (!assembled.ok) throw new Error(assembled.error);
  return assembled.results.benchmarks;
}

describe('the final comparison of a run with extra rounds', () => {
  const checkpoint = checkpointAfterPlannedRounds();
  const look = lookAtPlannedRounds(spec, checkpoint);
  // "edge" ran its 10 extra rounds; in them the change grew to 3% (as a real one would show).
  const extended: Checkpoint = {
    ...checkpoint,
    ...(look === null ? {} : { look }),
    benchmarks: checkpoint.benchmarks.map((e) =>
      e.name === 'edge' ? { ...e, rounds: [...e.rounds, ...rounds('edge', 20, 0.03, 0.01, 9).slice(10)] } : e,
    ),
  };
  const assembled = assembleResults(spec, extended, '2026-01-01T01:00:00Z');
  if (!assembled.ok) throw new Error(assembled.error);
  const results = assembled.results;

  it('records the looks in results schema 2, which reads back', () => {
    expect(results.schemaVersion).toBe(2);
    expect(results.run.adaptive).toEqual({
      spending: 'bonferroni-split',
      firstLookShare: FIRST_LOOK_SHARE,
      extended: [
        {
          benchmark: 'edge',
          plannedRounds: 10,
          rounds: 20,
          measurements: [{ group: { kind: 'benchmark' }, name: 'edge', metric: 'time', look: 2 }],
        },
      ],
    });
    const parsed = parseResults(serializeResults(results), 'results.json');
    expect(parsed.ok && parsed.results).toEqual(results);
  });

  it('judges the extended benchmark on all its rounds at the final look, the others at the first', () => {
    const report = compareResults(results.benchmarks, DEFAULT_OPTIONS, results.run.adaptive);
    const edge = report.benchmarks.find((b) => b.name === 'edge');
    expect(edge?.look).toEqual({ look: 2, rounds: 20, plannedRounds: 10 });
    expect(edge?.comparison.verdict).toBe('slower');
    expect(edge?.comparison.baseline.n).toBe(20);
    expect(report.benchmarks.find((b) => b.name === 'big')?.comparison.verdict).toBe('slower');
    expect(report.testedCount).toBe(5);
    expect(report.looks).toEqual({ first: 0.025, final: 0.025, extended: 1 });
    const markdown = renderMarkdown(report);
    expect(markdown).toMatch(
      /adaptive rounds \(1 benchmark ran extra rounds\): α split between the looks, 0\.025 after the planned rounds and 0\.025 after the extra ones/,
    );
    expect(markdown).toMatch(/took 20 rounds: undecided after the 10 planned ones/);
    const json = toComparisonJson(report);
    expect(json.looks).toEqual({ first: 0.025, final: 0.025, extended: 1 });
    expect(json.benchmarks.find((b) => b.name === 'edge')?.look).toEqual({
      look: 2,
      rounds: 20,
      plannedRounds: 10,
    });
  });

  it("is re-judged from the file by compare RESULTS.json; benchstat's rule knows no looks", () => {
    const input = { file: 'results.json', text: serializeResults(results) };
    const judged = compareResultsText(input, DEFAULT_OPTIONS);
    expect(judged.ok && judged.comparison.looks).toEqual({ first: 0.025, final: 0.025, extended: 1 });
    const benchstat = compareResultsText(input, BENCHSTAT_COMPAT);
    expect(benchstat.ok && benchstat.comparison.looks).toBeUndefined();
  });

  it('does not count the extra rounds of a measurement decided at the first look', () => {
    // Ten rounds unchanged, then ten that alone would show a 20% change.
    const sample = (round: number, value: number) => ({ value, round, attempt: 1 });
    const samples = (shift: number) =>
      Array.from({ length: 20 }, (_, r) =>
        sample(r, 1000 * (1 + (r >= 10 ? shift : 0)) * (1 + (r % 3) * 0.001)),
      );
    const stopped: Benchmark = {
      name: 'stopped',
      group: { kind: 'benchmark' },
      metric: 'time',
      unit: 'ns',
      direction: 'lower-is-better',
      samples: { baseline: samples(0), changed: samples(0.2) },
      rawSamples: true,
      status: 'ok',
    };
    const record: AdaptiveRecord = {
      spending: 'bonferroni-split',
      firstLookShare: FIRST_LOOK_SHARE,
      extended: [
        {
          benchmark: 'suite',
          plannedRounds: 10,
          rounds: 20,
          measurements: [{ group: { kind: 'benchmark' }, name: 'stopped', metric: 'time', look: 1 }],
        },
      ],
    };
    const judged = compareResults([stopped], DEFAULT_OPTIONS, record).benchmarks[0];
    expect(judged?.comparison.verdict).toBe('unchanged');
    expect(judged?.comparison.baseline.n).toBe(10);
    expect(judged?.look).toEqual({ look: 1, rounds: 10, plannedRounds: 10 });
    // Without the record all twenty rounds count, and the later ten show the change.
    expect(compareResults([stopped], DEFAULT_OPTIONS).benchmarks[0]?.comparison.verdict).toBe('slower');
  });
});

describe('results schema versions', () => {
  it('reads version 1 files and refuses run.adaptive in one', () => {
    const spec1 = makeSpec(repo, 'slow', [benchmark('plain', { iterations: 10 })]);
    const checkpoint = {
      ...checkpointAfterPlannedRounds(),
      benchmarks: [entry('plain', rounds('plain', 10, 0, 0.01, 1))],
    };
    const assembled = assembleResults(spec1, checkpoint, '2026-01-01T01:00:00Z');
    if (!assembled.ok) throw new Error(assembled.error);
    expect(assembled.results.schemaVersion).toBe(1);
    expect(parseResults(serializeResults(assembled.results), 'r.json').ok).toBe(true);
    const record: AdaptiveRecord = { spending: 'bonferroni-split', firstLookShare: 0.5, extended: [] };
    const bad = { ...assembled.results, run: { ...assembled.results.run, adaptive: record } };
    const parsed = parseResults(JSON.stringify(bad), 'r.json');
    expect(parsed.ok ? [] : parsed.errors.map((e) => `${e.place}: ${e.message}`)).toEqual([
      'run.adaptive: adaptive rounds need schemaVersion 2; set it, or remove run.adaptive',
    ]);
  });
});

describe('the configuration', () => {
  const config = (extra: string) => `version: 1
repos:
  - name: acme/widget
    benchmarkDefaults: { iterations: 10${extra} }
    benchmarks:
      - { name: startup, command: "./bench.sh" }
      - { name: steady, command: "./bench.sh", maxRounds: 8 }
`;

  it('names the benchmark whose maxRounds is below its planned rounds, at its line', () => {
    const result = parseConfig(config(''), 'benchbot.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(formatConfigIssues(result.issues)).toMatch(
      /benchbot\.yaml:7:.*repos\[0\]\.benchmarks\[1\]\.maxRounds.*maxRounds 8, fewer than its 10 planned rounds \(iterations\); set maxRounds to at least 10, or null for no extra rounds/,
    );
  });

  it('puts maxRounds and the time budget into the job spec of a benchmark that may run more rounds', () => {
    const result = parseConfig(
      config(', maxRounds: 25, extraRoundsMinutes: 5').replace(', maxRounds: 8', ''),
      'b.yaml',
    );
    if (!result.ok) throw new Error(formatConfigIssues(result.issues));
    const repoConfig = result.config.repos[0];
    if (repoConfig === undefined) throw new Error('no repo');
    const side = { ref: 'main', sha: 'a'.repeat(40), env: {} };
    const built = buildJobSpec({
      repo: repoConfig,
      sides: { baseline: side, changed: { ...side, sha: 'b'.repeat(40) } },
      benchmarks: ['startup'],
      reason: 'manual',
      platform: 'x86-64-linux',
      seed: 1,
    });
    expect(built.ok && built.spec.benchmarks[0]?.adaptive).toEqual({ maxRounds: 25, extraSeconds: 300 });
  });
});

describe('the equivalence interval', () => {
  it('lies inside the minimum effect only when both ends do', () => {
    expect(insideMinimumEffect(0, 0.002, 10, 0.95, 1)).toBe(true);
    expect(insideMinimumEffect(0.008, 0.002, 10, 0.95, 1)).toBe(false);
    expect(insideMinimumEffect(0, 0.002, 10, 0.95, 0)).toBe(false);
    expect(insideMinimumEffect(0.005, 0, 10, 0.95, 1)).toBe(true);
  });
});
