import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  combineImports,
  criterionNameFromPath,
  detectFormat,
  type ImportedBenchmark,
  type ImportResult,
  INPUT_FORMATS,
  type InputFormat,
  importResults,
  parseResults,
  RESULTS_SCHEMA,
  type ResultIssue,
} from '../../core/results/index.js';

const projectRoot = resolve(import.meta.dirname, '../..');
const fixturesDir = join(projectRoot, 'test/fixtures/importers');

// Fixtures come from scripts/capture-importer-fixtures.sh; paths are repo-relative like a user's would be.
function fixture(path: string): { text: string; file: string } {
  const absolute = join(fixturesDir, path);
  return { text: readFileSync(absolute, 'utf8'), file: relative(projectRoot, absolute) };
}

const CRITERION = 'criterion/target/criterion';

function importOk(path: string, format?: InputFormat): Extract<ImportResult, { ok: true }> {
  const { text, file } = fixture(path);
  const result = importResults(text, file, format);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.place}: ${e.message}`).join('\n'));
  return result;
}

function importErrors(text: string, file: string, format?: InputFormat): ResultIssue[] {
  const result = importResults(text, file, format);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.errors;
}

function find(benchmarks: ImportedBenchmark[], name: string, metric = 'time'): ImportedBenchmark {
  const found = benchmarks.find((b) => b.name === name && b.metric === metric);
  if (found === undefined)
    throw new Error(`no ${name} (${metric}) in ${benchmarks.map((b) => b.name).join(', ')}`);
  return found;
}

describe('autodetection on real captured output', () => {
  it.each<[string, InputFormat]>([
    ['go-bench/default.txt', 'go-bench'],
    ['go-bench/cpu-1-2.txt', 'go-bench'],
    ['go-bench/failure.txt', 'go-bench'],
    ['hyperfine/hyperfine.json', 'hyperfine'],
    ['pytest-benchmark/pytest-benchmark.json', 'pytest-benchmark'],
    ['google-benchmark/repetitions.json', 'google-benchmark'],
    ['google-benchmark/aggregates-only.json', 'google-benchmark'],
    [`${CRITERION}/sum_1000/new/sample.json`, 'criterion'],
    [`${CRITERION}/sum_1000/new/estimates.json`, 'criterion'],
    ['dfbench-json/tpch.json', 'dfbench-json'],
    ['milestones/scale-test.json', 'milestones'],
  ])('%s is %s', (path, format) => {
    expect(detectFormat(fixture(path).text)).toBe(format);
    expect(importOk(path).format).toBe(format);
    expect(importOk(path, format).format).toBe(format);
  });

  it('detects nothing in unrelated text and says how to choose', () => {
    expect(detectFormat('hello\nworld\n')).toBeUndefined();
    expect(detectFormat('{"a": 1}')).toBeUndefined();
    const [error] = importErrors('{"a": 1}', 'x.json');
    expect(error?.message).toContain('--input-format');
    expect(error?.message).toContain(INPUT_FORMATS.join(', '));
  });
});

describe('go-bench', () => {
  it('reads repeated lines as samples, strips a uniform -PROCS suffix and maps units', () => {
    const { benchmarks } = importOk('go-bench/default.txt');
    const itoa = find(benchmarks, 'Itoa');
    expect(itoa).toMatchObject({
      group: { kind: 'benchmark', name: 'example.com/gobench' },
      unit: 'ns',
      direction: 'lower-is-better',
      rawSamples: true,
      status: 'ok',
    });
    expect(itoa.samples).toEqual([15.45, 15.47, 22.05, 114.8, 16.05]);
    expect(find(benchmarks, 'Join', 'throughput')).toMatchObject({
      unit: 'B/s',
      direction: 'higher-is-better',
    });
    expect(find(benchmarks, 'Join', 'throughput').samples[0]).toBeCloseTo(116.11e6);
    expect(find(benchmarks, 'Join', 'memory')).toMatchObject({ unit: 'B', samples: [8, 8, 8, 8, 8] });
    expect(find(benchmarks, 'Join', 'allocs').direction).toBe('lower-is-better');
    expect(find(benchmarks, 'Split/size=64', 'fields/op')).toMatchObject({
      unit: 'fields/op',
      samples: [64, 64, 64, 64, 64],
    });
    expect(benchmarks.map((b) => `${b.name} ${b.metric}`)).toHaveLength(13);
  });

  it('keeps the suffix when a file mixes GOMAXPROCS values (-cpu 1,2)', () => {
    const { benchmarks } = importOk('go-bench/cpu-1-2.txt');
    expect(find(benchmarks, 'Itoa').samples).toHaveLength(5);
    expect(find(benchmarks, 'Itoa-2').samples).toHaveLength(5);
    expect(find(benchmarks, 'Split/size=8-2').samples[0]).toBe(78.83);
  });

  it('records a failed benchmark with its log; the suffix-less FAIL line does not stop stripping', () => {
    const { benchmarks } = importOk('go-bench/failure.txt');
    expect(benchmarks.map((b) => [b.name, b.status, b.samples.length])).toEqual([
      ['Ok', 'ok', 3],
      ['Broken', 'failed', 0],
    ]);
    expect(find(benchmarks, 'Broken').failure).toEqual({
      reason: 'the benchmark failed (--- FAIL)',
      logTail: 'failing_test.go:11: fixture file missing: testdata/input.bin',
    });
  });

  it.each([
    ['BenchmarkX-8  100  12.5 ns/op  3', 'line 1', 'VALUE UNIT pairs'],
    ['goos: linux\nBenchmarkX-8  100  fast ns/op', 'line 2', '"fast" is not a number'],
    ['PASS\nok  example.com/x 0.1s\n', '', 'no benchmark result lines'],
  ])('refuses %j at %s', (text, place, message) => {
    const [error] = importErrors(text, 'bench.txt', 'go-bench');
    expect(error).toMatchObject({ file: 'bench.txt', place });
    expect(error?.message).toContain(message);
  });
});

describe('hyperfine', () => {
  it('converts per-run seconds to ns', () => {
    const { benchmarks } = importOk('hyperfine/hyperfine.json');
    expect(benchmarks.map((b) => b.name)).toEqual(['sleep 0.01', 'seq 1 20000']);
    const sleep = find(benchmarks, 'sleep 0.01');
    expect(sleep.samples).toHaveLength(5);
    expect(sleep.samples[0]).toBeCloseTo(11_176_247);
  });

  it('falls back to the mean, marked as a summary, when times are missing', () => {
    const result = importResults('{"results":[{"command":"ls","mean":0.5}]}', 'h.json', 'hyperfine');
    expect(result.ok && result.benchmarks[0]).toMatchObject({ samples: [5e8], rawSamples: false });
    expect(result.ok && result.warnings[0]?.place).toBe('results[0]');
  });
});

describe('pytest-benchmark', () => {
  it('takes every round from stats.data, in ns, named by fullname with the group', () => {
    const { benchmarks } = importOk('pytest-benchmark/pytest-benchmark.json');
    expect(benchmarks.map((b) => b.name)).toEqual([
      'test_bench.py::test_encode_small',
      'test_bench.py::test_encode_large',
      'test_bench.py::test_decode[10]',
      'test_bench.py::test_decode[100]',
    ]);
    expect(find(benchmarks, 'test_bench.py::test_encode_small').samples[0]).toBeCloseTo(3827.12);
    expect(find(benchmarks, 'test_bench.py::test_encode_large').samples).toHaveLength(11);
    expect(find(benchmarks, 'test_bench.py::test_decode[10]').group).toEqual({
      kind: 'benchmark',
      name: 'decode',
    });
  });
});

describe('google-benchmark', () => {
  it('uses repetitions as samples and skips aggregates', () => {
    const { benchmarks, warnings } = importOk('google-benchmark/repetitions.json');
    expect(warnings).toEqual([]);
    const push = find(benchmarks, 'BM_VectorPush/64');
    expect(push.samples).toHaveLength(5);
    expect(push.samples[0]).toBeCloseTo(140.611, 2); // 0.1406 us
    expect(find(benchmarks, 'BM_VectorPush/64', 'cpu-time').unit).toBe('ns');
    expect(find(benchmarks, 'BM_VectorPush/64', 'throughput')).toMatchObject({
      unit: 'B/s',
      direction: 'higher-is-better',
    });
    expect(benchmarks.filter((b) => b.name === 'BM_StringCreation').map((b) => b.metric)).toEqual([
      'time',
      'cpu-time',
    ]);
  });

  it('falls back to the mean aggregate when only aggregates were reported', () => {
    const { benchmarks, warnings } = importOk('google-benchmark/aggregates-only.json');
    const creation = find(benchmarks, 'BM_StringCreation');
    expect(creation).toMatchObject({ rawSamples: false });
    expect(creation.samples).toEqual([0.6431203469483306]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]?.message).toContain('--benchmark_report_aggregates_only');
  });

  it('marks rows with error_occurred as failed', () => {
    const text = JSON.stringify({
      context: {},
      benchmarks: [
        {
          name: 'BM_X',
          run_type: 'iteration',
          time_unit: 'ns',
          error_occurred: true,
          error_message: 'no file',
        },
      ],
    });
    const result = importResults(text, 'g.json');
    expect(result.ok && result.benchmarks[0]).toMatchObject({
      status: 'failed',
      failure: { reason: 'no file' },
    });
  });
});

describe('criterion', () => {
  it('turns sample.json into per-iteration times named by the path', () => {
    const { benchmarks, warnings } = importOk(`${CRITERION}/sum_1000/new/sample.json`);
    expect(warnings).toEqual([]);
    const [sum] = benchmarks;
    expect(sum).toMatchObject({ name: 'sum_1000', unit: 'ns', rawSamples: true });
    expect(sum?.samples).toHaveLength(10);
    expect(sum?.samples[0]).toBeCloseTo(18013806 / 66485);
    expect(importOk(`${CRITERION}/parse/flat large/new/sample.json`).benchmarks[0]?.name).toBe(
      'parse/flat large',
    );
  });

  it('accepts estimates.json as one summary sample and warns', () => {
    const linear = importOk(`${CRITERION}/sum_1000/new/estimates.json`);
    expect(linear.benchmarks[0]).toMatchObject({ samples: [268.61234876727394], rawSamples: false });
    expect(linear.warnings[0]?.message).toContain('sample.json');
    // Flat sampling has no slope; criterion then reports the mean.
    const flat = importOk(`${CRITERION}/parse/flat large/new/estimates.json`);
    expect(flat.benchmarks[0]?.samples).toEqual([9.743746586980084]);
  });

  it('explains that benchmark.json holds no data', () => {
    const { text, file } = fixture(`${CRITERION}/sum_1000/new/benchmark.json`);
    expect(importErrors(text, file)[0]?.message).toContain('import sample.json');
  });

  it('needs the criterion layout in the path for the name', () => {
    const { text } = fixture(`${CRITERION}/sum_1000/new/sample.json`);
    expect(importErrors(text, '/tmp/sample.json')[0]?.message).toContain(
      'target/criterion/<benchmark>/new/sample.json',
    );
  });

  it.each([
    ['target/criterion/sum_1000/new/sample.json', 'sum_1000'],
    ['/ci/out/criterion/group/fn/param/my-baseline/sample.json', 'group/fn/param'],
    ['target\\criterion\\a\\b\\new\\sample.json', 'a/b'],
    ['target/criterion/criterion/x/new/sample.json', 'criterion/x'],
    ['criterion/new/sample.json', undefined],
  ])('criterionNameFromPath(%j) is %j', (path, name) => {
    expect(criterionNameFromPath(path)).toBe(name);
  });

  it('refuses sample.json with mismatched arrays at the place', () => {
    const errors = importErrors('{"iters":[1,2],"times":[5]}', 'target/criterion/a/new/sample.json');
    expect(errors[0]).toMatchObject({ place: 'times', message: expect.stringContaining('same length') });
  });
});

describe('dfbench-json', () => {
  it('reads each iteration (ms) as a ns sample and keeps failed queries', () => {
    const { benchmarks } = importOk('dfbench-json/tpch.json');
    expect(benchmarks.map((b) => [b.name, b.status, b.samples.length])).toEqual([
      ['Query 1', 'ok', 5],
      ['Query 2', 'ok', 5],
      ['Query 3', 'failed', 0],
    ]);
    expect(find(benchmarks, 'Query 1')).toMatchObject({ group: { kind: 'query' }, unit: 'ns' });
    expect(find(benchmarks, 'Query 1').samples[0]).toBeCloseTo(41_451_401);
  });

  it('accepts files from releases before "success" existed', () => {
    const text = JSON.stringify({
      context: {
        benchmark_version: '40.0.0',
        datafusion_version: '40.0.0',
        num_cpus: 8,
        start_time: 1,
        arguments: [],
      },
      queries: [{ query: 'Query 1', iterations: [{ elapsed: 1.5, row_count: 4 }], start_time: 1 }],
    });
    const result = importResults(text, 'old.json');
    expect(result.ok && result.benchmarks[0]).toMatchObject({ status: 'ok', samples: [1.5e6] });
  });
});

describe('milestones', () => {
  it('reads milestones and phases as groups with repeated runs as samples', () => {
    const { benchmarks } = importOk('milestones/scale-test.json');
    expect(benchmarks.filter((b) => b.group.kind === 'milestone').map((b) => b.name)).toEqual([
      'files-created',
      'files-read',
      'files-deleted',
      'total',
    ]);
    const deploy = benchmarks.find((b) => b.group.kind === 'phase' && b.name === 'deploy');
    expect(deploy?.group).toEqual({ kind: 'phase', name: 'files-20k' });
    expect(deploy?.samples).toHaveLength(3);
    expect(deploy?.samples[0]).toBeCloseTo(453_040_645);
  });

  it('adds repeated entries with the same name as runs', () => {
    const text = JSON.stringify({
      format: 'benchbot-milestones',
      milestones: [
        { name: 'pods-ready', seconds: 1 },
        { name: 'pods-ready', seconds: [2, 3] },
      ],
    });
    const result = importResults(text, 'm.json');
    expect(result.ok && result.benchmarks).toEqual([
      expect.objectContaining({ name: 'pods-ready', group: { kind: 'milestone' }, samples: [1e9, 2e9, 3e9] }),
    ]);
  });

  it.each([
    [{ format: 'benchbot-milestones', milestones: [] }, '(top level)', 'at least one entry'],
    [{ format: 'benchbot-milestones', phases: [{ name: 'x', seconds: 'slow' }] }, 'phases[0].seconds', ''],
    [
      { format: 'benchbot-milestones', milestones: [{ name: 'x', seconds: -1 }] },
      'milestones[0].seconds',
      '',
    ],
  ])('refuses %j at %s', (value, place, message) => {
    const [error] = importErrors(JSON.stringify(value), 'm.json');
    expect(error).toMatchObject({ file: 'm.json', place });
    expect(error?.message).toContain(message);
  });
});

describe('explicit --input-format', () => {
  it.each<[string, InputFormat, InputFormat]>([
    ['go-bench/default.txt', 'hyperfine', 'go-bench'],
    ['hyperfine/hyperfine.json', 'google-benchmark', 'hyperfine'],
    ['dfbench-json/tpch.json', 'pytest-benchmark', 'dfbench-json'],
    ['pytest-benchmark/pytest-benchmark.json', 'milestones', 'pytest-benchmark'],
  ])('%s read as %s names the format it looks like', (path, given, actual) => {
    const { text, file } = fixture(path);
    const [hint, ...rest] = importErrors(text, file, given);
    expect(hint).toMatchObject({ file, message: expect.stringContaining(`--input-format ${actual}`) });
    expect(rest.length).toBeGreaterThan(0);
  });
});

describe('malformed input never throws and names file and place', () => {
  const dfbench = fixture('dfbench-json/tpch.json').text;
  it.each<[string, string, InputFormat | undefined, string]>([
    ['truncated JSON', dfbench.slice(0, 200), 'dfbench-json', 'line '],
    ['empty file', '', 'hyperfine', ''],
    ['JSON syntax error', '{"results": [,]}', 'hyperfine', 'line 1, column 14'],
    [
      'wrong type',
      dfbench.replace('"elapsed": ', '"elapsed": "x", "was": '),
      'dfbench-json',
      'queries[0].iterations[0].elapsed',
    ],
    ['not an object', '[1, 2]', 'google-benchmark', '(top level)'],
    [
      'null stats fields',
      '{"machine_info":{},"benchmarks":[{"name":"a"}]}',
      'pytest-benchmark',
      'benchmarks[0].fullname',
    ],
  ])('%s', (_label, text, format, place) => {
    const errors = importErrors(text, 'broken.json', format);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.file).toBe('broken.json');
    expect(errors[0]?.place).toContain(place);
  });

  // The first error each format gives for JSON that is not an object, and for an object without its fields.
  const notObject = (text: string): [string, RegExp] => [
    '(top level)',
    new RegExp(`expected object, received ${text === 'null' ? 'null' : typeof JSON.parse(text)}`),
  ];
  const hostile: Record<
    InputFormat,
    { notObject: (text: string) => [string, RegExp]; empty: [string, RegExp] }
  > = {
    benchbot: {
      notObject: () => ['', /expected a JSON object with "schema": "benchbot-results"/],
      empty: ['schema', /expected "benchbot-results", found nothing; .* --input-format/],
    },
    'dfbench-json': { notObject, empty: ['context', /expected object, received undefined/] },
    criterion: {
      notObject: () => ['', /not a criterion file: expected sample.json/],
      empty: ['', /not a criterion file: expected sample.json/],
    },
    'go-bench': {
      notObject: () => ['', /no benchmark result lines/],
      empty: ['', /no benchmark result lines/],
    },
    'pytest-benchmark': { notObject, empty: ['machine_info', /expected record, received undefined/] },
    hyperfine: { notObject, empty: ['results', /expected array, received undefined/] },
    'google-benchmark': { notObject, empty: ['context', /expected object, received undefined/] },
    milestones: { notObject, empty: ['format', /expected "benchbot-milestones"/] },
  };

  it.each(INPUT_FORMATS)('%s survives hostile values', (format) => {
    const expected = hostile[format];
    const cases: [string, [string, RegExp]][] = [
      ...['null', '0', '"x"'].map((text): [string, [string, RegExp]] => [text, expected.notObject(text)]),
      ...['{}', '{"benchmarks": null}'].map((text): [string, [string, RegExp]] => [text, expected.empty]),
      // Not JSON at all: the JSON formats say where it breaks; go test output has no result lines.
      ...['\u0000', 'Benchmark'].map((text): [string, [string, RegExp]] => [
        text,
        format === 'go-bench' ? expected.empty : ['line 1, column 1', /not valid JSON/],
      ]),
    ];
    for (const [text, [place, message]] of cases) {
      const [first] = importErrors(text, 'f', format);
      expect(first, `${format} given ${JSON.stringify(text)}`).toMatchObject({ file: 'f', place });
      expect(first?.message, `${format} given ${JSON.stringify(text)}`).toMatch(message);
    }
  });
});

describe('benchbot files as one side', () => {
  const run = {
    repository: 'acme/widget',
    reason: 'manual',
    sides: { changed: { ref: 'main', sha: 'a'.repeat(40), envKeys: [] } },
    platform: 'x86_64-linux',
    machine: { cpuModel: 'Xeon', cores: 2, kernel: '6.1', memoryBytes: 1 },
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:10:00Z',
    runnerVersion: '0.1.0',
    interleaved: false,
  };
  const benchmark = {
    name: 'q1',
    group: { kind: 'query' },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    rawSamples: true,
    status: 'ok',
  };

  it('imports the one side it holds', () => {
    const text = JSON.stringify({
      schema: RESULTS_SCHEMA,
      schemaVersion: 1,
      run,
      benchmarks: [{ ...benchmark, samples: { changed: [{ value: 5 }, { value: 6, round: 1 }] } }],
    });
    expect(detectFormat(text)).toBe('benchbot');
    const result = importResults(text, 'r.json');
    expect(result.ok && result.benchmarks[0]?.samples).toEqual([5, 6]);
  });

  it('refuses a file that is already a comparison', () => {
    const both = { ...run, sides: { ...run.sides, baseline: run.sides.changed } };
    const text = JSON.stringify({
      schema: RESULTS_SCHEMA,
      schemaVersion: 1,
      run: both,
      benchmarks: [{ ...benchmark, samples: { baseline: [{ value: 1 }], changed: [{ value: 2 }] } }],
    });
    expect(parseResults(text, 'r.json').ok).toBe(true);
    expect(importErrors(text, 'r.json')[0]?.message).toContain('already a comparison');
  });
});

describe('combineImports', () => {
  const base = importOk('go-bench/default.txt');
  const changed = importOk('go-bench/default.txt');

  it('pairs two imports by group, name and metric', () => {
    const result = combineImports([
      { side: 'baseline', file: 'base.txt', benchmarks: base.benchmarks },
      { side: 'changed', file: 'changed.txt', benchmarks: changed.benchmarks.slice(1) },
    ]);
    if (!result.ok) throw new Error('combine failed');
    expect(result.benchmarks).toHaveLength(13);
    const itoa = result.benchmarks[0];
    expect(itoa?.samples.baseline).toHaveLength(5);
    expect(itoa?.samples.changed).toBeUndefined();
    expect(result.missing).toEqual([
      {
        name: 'Itoa',
        group: { kind: 'benchmark', name: 'example.com/gobench' },
        metric: 'time',
        missingFrom: 'changed',
      },
    ]);
  });

  it('tags samples with the interleaved round', () => {
    const one = [find(base.benchmarks, 'Itoa')];
    const result = combineImports([
      { side: 'baseline', file: 'b0', round: 0, benchmarks: one },
      { side: 'changed', file: 'c0', round: 0, benchmarks: one },
      { side: 'baseline', file: 'b1', round: 1, attempt: 2, benchmarks: one },
    ]);
    if (!result.ok) throw new Error('combine failed');
    expect(result.benchmarks[0]?.samples.baseline?.map((s) => [s.round, s.attempt])).toEqual([
      ...Array(5).fill([0, undefined]),
      ...Array(5).fill([1, 2]),
    ]);
  });

  it('refuses sides measured in different units', () => {
    const itoa = find(base.benchmarks, 'Itoa');
    const result = combineImports([
      { side: 'baseline', file: 'base.txt', benchmarks: [itoa] },
      { side: 'changed', file: 'changed.txt', benchmarks: [{ ...itoa, unit: 'ms' }] },
    ]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors[0]).toMatchObject({ file: 'changed.txt', place: 'Itoa (time)' });
  });
});
