import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BenchbotResults,
  CURRENT_SCHEMA_VERSION,
  combineImports,
  formatIssue,
  importResults,
  parseResults,
  RESULTS_SCHEMA,
  type ResultIssue,
  type RunMetadata,
  serializeResults,
} from '../../core/results/index.js';

const fixturesDir = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/importers');

const run: RunMetadata = {
  repository: 'apache/datafusion',
  reason: 'pr-comment',
  pullRequest: 1234,
  sides: {
    baseline: {
      ref: 'main',
      sha: '0123456789abcdef0123456789abcdef01234567',
      envKeys: ['DATAFUSION_EXECUTION_TARGET_PARTITIONS'],
    },
    changed: { ref: 'refs/pull/1234/head', sha: 'fedcba9876543210fedcba9876543210fedcba98', envKeys: [] },
  },
  commitRange: {
    from: '0123456789abcdef0123456789abcdef01234567',
    to: 'fedcba9876543210fedcba9876543210fedcba98',
    count: 3,
  },
  platform: 'x86_64-linux',
  machine: {
    cpuModel: 'Intel(R) Xeon(R) Processor',
    cores: 2,
    kernel: '6.1.0-18-amd64',
    memoryBytes: 25769803776,
  },
  startedAt: '2026-11-23T14:00:00Z',
  finishedAt: '2026-11-23T14:20:00.500+00:00',
  runnerVersion: '0.1.0',
  interleaved: true,
};

/** A realistic two-sided file: the real dfbench capture as both sides, in two interleaved rounds. */
function sampleResults(): BenchbotResults {
  const text = readFileSync(join(fixturesDir, 'dfbench-json/tpch.json'), 'utf8');
  const imported = importResults(text, 'tpch.json');
  if (!imported.ok) throw new Error('fixture import failed');
  const combined = combineImports([
    { side: 'baseline', file: 'b0.json', round: 0, benchmarks: imported.benchmarks },
    { side: 'changed', file: 'c0.json', round: 0, benchmarks: imported.benchmarks },
    { side: 'baseline', file: 'b1.json', round: 1, benchmarks: imported.benchmarks },
    { side: 'changed', file: 'c1.json', round: 1, attempt: 2, benchmarks: imported.benchmarks },
  ]);
  if (!combined.ok) throw new Error('combine failed');
  return {
    schema: RESULTS_SCHEMA,
    schemaVersion: CURRENT_SCHEMA_VERSION,
    run,
    benchmarks: combined.benchmarks,
  };
}

function errorsOf(value: unknown, file = 'results.json'): ResultIssue[] {
  const result = parseResults(JSON.stringify(value), file);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

describe('results schema', () => {
  it('round-trips a file built from real imports', () => {
    const results = sampleResults();
    const parsed = parseResults(serializeResults(results), 'results.json');
    expect(parsed).toEqual({ ok: true, results });
    const [query1, , query3] = results.benchmarks;
    expect(query1?.samples.baseline).toHaveLength(10);
    expect(query1?.samples.changed?.[5]).toMatchObject({ round: 1, attempt: 2 });
    expect(query3).toMatchObject({
      status: 'failed',
      failure: { reason: expect.stringContaining('Query 3') },
    });
  });

  it('refuses an unknown schema version with an upgrade hint', () => {
    const [error] = errorsOf({ ...sampleResults(), schemaVersion: 7 });
    expect(error).toEqual({
      file: 'results.json',
      place: 'schemaVersion',
      message:
        'schemaVersion 7 is not supported by this benchbot (supports 1, 2); upgrade benchbot or re-export the file',
    });
    expect(formatIssue(error as ResultIssue)).toMatch(
      /^results\.json: schemaVersion: schemaVersion 7 is not supported/,
    );
  });

  it('checks the version before the rest, so a newer file is not reported field by field', () => {
    expect(errorsOf({ schema: RESULTS_SCHEMA, schemaVersion: 3, somethingNew: {} })).toHaveLength(1);
  });

  it.each<[string, unknown, string, string]>([
    ['missing version', { schema: RESULTS_SCHEMA }, 'schemaVersion', 'integer schema version'],
    ['fractional version', { schema: RESULTS_SCHEMA, schemaVersion: 1.5 }, 'schemaVersion', 'integer'],
    ['a tool file', { results: [] }, 'schema', '--input-format'],
    ['not an object', [1], '', 'JSON object'],
  ])('refuses %s', (_label, value, place, message) => {
    const [error] = errorsOf(value);
    expect(error?.place).toBe(place);
    expect(error?.message).toContain(message);
  });

  it('reports invalid JSON with a line and column', () => {
    const text = serializeResults(sampleResults());
    const result = parseResults(text.slice(0, 300), 'results.json');
    expect(!result.ok && result.errors[0]).toMatchObject({
      file: 'results.json',
      place: expect.stringMatching(/^line \d+, column \d+$/),
      message: expect.stringContaining('truncated'),
    });
    const broken = parseResults('{\n  "schema": "benchbot-results",\n  "run": tru\n}', 'r.json');
    expect(!broken.ok && broken.errors[0]?.place).toBe('line 3, column 10');
  });

  type Mutate = (r: BenchbotResults & Record<string, unknown>) => void;
  const at = (r: BenchbotResults, i: number) =>
    r.benchmarks[i] as NonNullable<BenchbotResults['benchmarks'][number]>;
  it.each<[string, Mutate, string, string]>([
    [
      'a sample of the wrong type',
      (r) => {
        (at(r, 1).samples.baseline as unknown[])[2] = { value: 'fast' };
      },
      'benchmarks[1].samples.baseline[2].value',
      'expected number',
    ],
    [
      'a bad SHA',
      (r) => Object.assign(r.run.sides.changed ?? {}, { sha: 'HEAD' }),
      'run.sides.changed.sha',
      'commit SHA',
    ],
    ['an unknown reason', (r) => Object.assign(r.run, { reason: 'cron' }), 'run.reason', 'pr-comment'],
    ['no sides', (r) => Object.assign(r.run, { sides: {} }), 'run.sides', 'at least one'],
    [
      'finish before start',
      (r) => Object.assign(r.run, { finishedAt: '2026-11-23T13:00:00Z' }),
      'run.finishedAt',
      'before startedAt',
    ],
    ['a typo in a key', (r) => Object.assign(r.run, { interleave: true }), 'run', 'interleave'],
    [
      'a bad direction',
      (r) => Object.assign(at(r, 0), { direction: 'down' }),
      'benchmarks[0].direction',
      'lower-is-better',
    ],
    [
      'failed without failure',
      (r) => Object.assign(at(r, 2), { failure: undefined }),
      'benchmarks[2].failure',
      'reason',
    ],
    [
      'ok without samples',
      (r) => Object.assign(at(r, 0), { samples: {} }),
      'benchmarks[0].samples',
      'needs samples',
    ],
    [
      'a duplicate benchmark',
      (r) => {
        r.benchmarks.push(at(r, 0));
      },
      'benchmarks[3]',
      'duplicates benchmarks[0]',
    ],
    [
      'samples for a side the run does not have',
      (r) => Object.assign(r.run.sides, { baseline: undefined }),
      'benchmarks[0].samples.baseline',
      'no baseline',
    ],
    [
      'a negative round',
      (r) => Object.assign(at(r, 0).samples.changed?.[0] ?? {}, { round: -1 }),
      'benchmarks[0].samples.changed[0].round',
      '',
    ],
  ])('names the JSON path for %s', (_label, mutate, place, message) => {
    const results = structuredClone(sampleResults()) as BenchbotResults & Record<string, unknown>;
    mutate(results);
    const errors = errorsOf(results);
    expect(errors.map((e) => e.place)).toContain(place);
    expect(errors.find((e) => e.place === place)?.message).toContain(message);
  });

  it('keeps a single-side file valid (a scheduled trunk run)', () => {
    const results = sampleResults();
    const single: BenchbotResults = {
      ...results,
      run: { ...results.run, reason: 'schedule', sides: { changed: results.run.sides.changed } },
      benchmarks: results.benchmarks.map((b) => ({ ...b, samples: { changed: b.samples.changed ?? [] } })),
    };
    expect(parseResults(serializeResults(single), 'trunk.json').ok).toBe(true);
  });
});
