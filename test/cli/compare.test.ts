import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareTexts, renderJson } from '../../core/report/index.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';

const FIXTURES = 'test/fixtures/importers';
const dir = mkdtempSync(join(tmpdir(), 'benchbot-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real `benchbot` entry point as a child process. */
function benchbot(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/benchbot.js', 'compare', ...args], {
    encoding: 'utf8',
    maxBuffer: 2 ** 26,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// The captured go test output twice over (10 samples a side, enough for Holm over 26 benchmarks),
// and a copy in which Itoa (at -cpu 1) got 50% slower.
const goOutput = readFileSync(join(FIXTURES, 'go-bench/cpu-1-2.txt'), 'utf8');
const base = write('base.txt', goOutput + goOutput);
const slowerItoa = (goOutput + goOutput).replace(
  /^(BenchmarkItoa\s+\d+\s+)([\d.]+)( ns\/op)/gm,
  (_, head: string, value: string, unit: string) => `${head}${(Number(value) * 1.5).toFixed(2)}${unit}`,
);
const changed = write('changed.txt', slowerItoa);

describe('benchbot compare on go test -bench output', () => {
  it('prints the markdown report: summary first, the slower benchmark in the table', () => {
    const { code, stdout, stderr } = benchbot(base, changed);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(
      // 26 rows, 24 measurements: Join's and Join-2's MB/s follow their ns/op.
      /^\*\*0 faster, 1 slower, 23 unchanged · geomean \+\d+\.\d% \(time\)\*\*$/,
    );
    // Join's MB/s is computed from its ns/op: 26 rows, 24 hypotheses.
    expect(stdout).toContain(
      'p adjusted by Holm over 24 benchmarks · throughput derived from a time takes its verdict (one hypothesis per measurement)',
    );
    expect(stdout).toMatch(
      /\| `Itoa` \| 13\.0 ns ± 4% \| 19\.6 ns ± 4% \| ❌ \+50\.0% slower \| [\d.<]+ \| 10 \/ 10 \|/,
    );
    expect(stdout).toContain('<details><summary>All 26 benchmarks</summary>');
  });

  it('prints JSON and CSV', () => {
    const json = benchbot(base, changed, '--format', 'json');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { counts: { slower: number }; options: { correction: string } };
    expect(parsed.counts.slower).toBe(1);
    expect(parsed.options.correction).toBe('holm');
    const csv = benchbot(base, changed, '--format', 'csv', '--correction', 'bh', '--threshold', '2%');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.split('\r\n');
    expect(lines[0]).toMatch(/^group_kind,group_name,name,metric,/);
    expect(lines.filter((l) => l.includes(',slower,'))).toHaveLength(1);
    expect(lines).toHaveLength(28);
  });

  it('exits 1 with --fail-on-regression only when something got slower', () => {
    const slower = benchbot(base, changed, '--fail-on-regression');
    expect(slower.code).toBe(1);
    expect(slower.stderr).toContain('1 slower (--fail-on-regression)');
    expect(benchbot(changed, base, '--fail-on-regression').code).toBe(0);
  });

  it('uses benchstat’s rule with --benchstat', () => {
    const { code, stdout } = benchbot(base, changed, '--benchstat');
    expect(code).toBe(0);
    expect(stdout).toContain('p not adjusted for multiple comparisons · α = 0.05 · no minimum effect');
    expect(stdout).toContain('benchstat-compatible');
  });
});

describe('large files are read line by line', () => {
  // Over 1 MiB a side, so lines straddle the chunks the file is read in (1 MiB); CRLF line ends, a failed
  // benchmark with its log, and a second package.
  const lines = (side: number) => {
    const out = ['goos: linux', 'pkg: example.com/big'];
    for (let i = 0; i < 2400; i++) {
      for (let k = 0; k < 10; k++) {
        const value =
          (100 + i) * (1 + 0.01 * (((i * 7 + k * 13 + side * 5) % 11) - 5)) * (side && i % 4 === 0 ? 1.2 : 1);
        out.push(
          // Memory on a few only: Holm over every metric of 2,400 benchmarks would need more samples.
          `BenchmarkParse/case-${i}-8\t  100000\t${value.toFixed(3)} ns/op${i % 100 === 0 ? `\t${64 + i} B/op` : ''}`,
        );
      }
    }
    out.push('--- FAIL: BenchmarkBroken', '    broken_test.go:9: no input', 'pkg: example.com/other');
    out.push('BenchmarkParse/case-0-8 100 5 ns/op', 'BenchmarkParse/case-0-8 100 6 ns/op', 'PASS');
    return out.join('\r\n');
  };
  const texts = [lines(0), lines(1)];
  const files = [write('big-base.txt', texts[0] as string), write('big-changed.txt', texts[1] as string)];

  it('reports what the whole texts give, to the byte', () => {
    expect((texts[0] as string).length).toBeGreaterThan(2 ** 20);
    const { code, stdout, stderr } = benchbot(...files, '--format', 'json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const inMemory = compareTexts(
      { file: files[0] as string, text: texts[0] as string },
      { file: files[1] as string, text: texts[1] as string },
      DEFAULT_OPTIONS,
    );
    if (!inMemory.ok) throw new Error('the texts do not compare');
    expect(stdout).toBe(renderJson(inMemory.comparison));
    const parsed = JSON.parse(stdout) as { counts: { slower: number; failed: number } };
    expect(parsed.counts).toMatchObject({ slower: 600, failed: 1 });
  });

  it('names the line of a bad value far into the file', () => {
    const bad = write('big-bad.txt', `${texts[0]}\r\nBenchmarkParse/case-1-8 100 x ns/op\r\n`);
    const { code, stderr } = benchbot(files[0] as string, bad);
    expect(code).toBe(2);
    expect(stderr).toContain(`${bad}: line 24009: "x" is not a number (unit ns/op)`);
  });
});

describe('benchbot compare on criterion folders', () => {
  // Two copies of criterion's target/criterion, the changed side's parse/small 20% slower.
  const fixture = join(FIXTURES, 'criterion/target/criterion');
  const baseDir = join(dir, 'base-target', 'criterion');
  const changedDir = join(dir, 'changed-target', 'criterion');
  cpSync(fixture, baseDir, { recursive: true });
  cpSync(fixture, changedDir, { recursive: true });
  const small = join(changedDir, 'parse/small/new/sample.json');
  const sample = JSON.parse(readFileSync(small, 'utf8')) as { times: number[] };
  sample.times = sample.times.map((t) => t * 1.2);
  writeFileSync(small, JSON.stringify(sample));

  it("reads every benchmark's new/sample.json, named by its folder", () => {
    const { code, stdout, stderr } = benchbot(baseDir, changedDir, '--format', 'csv');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = stdout.trim().split('\r\n').slice(1);
    expect(rows.map((r) => r.split(',')[2]).sort()).toEqual(['parse/flat large', 'parse/small', 'sum_1000']);
    expect(rows.find((r) => r.includes('parse/small'))).toContain(',slower,');
  });

  it('refuses a folder without criterion output, naming the fix', () => {
    const empty = join(dir, 'empty-folder');
    mkdirSync(empty, { recursive: true });
    const { code, stderr } = benchbot(empty, changedDir);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${empty}: is a folder with no <benchmark>/new/sample.json under it; pass criterion's folder`,
    );
  });
});

describe('benchbot compare on the captured fixtures', () => {
  it.each<[string, string, RegExp]>([
    ['go-bench/cpu-1-2.txt', 'go-bench/default.txt', /13 on one side only/],
    ['go-bench/failure.txt', 'go-bench/failure.txt', /⛔ failed: `Broken`: `the benchmark failed/],
    [
      'milestones/scale-test.json',
      'milestones/scale-test.json',
      /\| `files-20k` \| \*\*sum of 3 phases\*\* \| 807 ms \| 807 ms \| 0 ns \| 0\.0% \| not a test \|/,
    ],
    ['hyperfine/hyperfine.json', 'hyperfine/hyperfine.json', /0 faster, 0 slower, 2 unchanged/],
    ['pytest-benchmark/pytest-benchmark.json', 'pytest-benchmark/pytest-benchmark.json', /4 unchanged/],
    ['dfbench-json/tpch.json', 'dfbench-json/tpch.json', /1 failed/],
    ['google-benchmark/repetitions.json', 'google-benchmark/repetitions.json', /Geomean by metric: time/],
  ])('%s vs %s', (baseFile, changedFile, expected) => {
    const { code, stdout, stderr } = benchbot(join(FIXTURES, baseFile), join(FIXTURES, changedFile));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(expected);
  });
});

describe('invalid input exits 2 naming the file, the place and the problem', () => {
  it('a bad line in go test output', () => {
    const bad = write(
      'bad.txt',
      'goos: linux\nBenchmarkX-8  100  12.5 ns/op\nBenchmarkX-8  100  abc ns/op\n',
    );
    const { code, stdout, stderr } = benchbot(base, bad);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`${bad}: line 3: "abc" is not a number`);
  });

  it('invalid JSON and a missing file, both reported', () => {
    const bad = write('bad.json', '{"format": "benchbot-milestones",\n  "milestones": [}\n');
    const { code, stderr } = benchbot(bad, join(dir, 'nope.json'), '--input-format', 'milestones');
    expect(code).toBe(2);
    expect(stderr).toContain(`${join(dir, 'nope.json')}: cannot read it (no such file)`);
    const parsed = benchbot(bad, base, '--input-format', 'milestones');
    expect(parsed.code).toBe(2);
    expect(parsed.stderr).toMatch(new RegExp(`${bad}: line 2, column \\d+: not valid JSON`));
  });

  it('a format that does not match the file', () => {
    const { code, stderr } = benchbot(
      join(FIXTURES, 'hyperfine/hyperfine.json'),
      base,
      '--input-format',
      'go-bench',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('looks like hyperfine output; pass --input-format hyperfine');
  });
});

describe('bad options exit 2 naming the option and what is allowed', () => {
  it.each<[string[], string]>([
    [['--alpha', '1'], '--alpha 1: use a number between 0 and 1 (both excluded)'],
    [['--alpha', 'abc'], '--alpha abc: use a number between 0 and 1'],
    [['--confidence', '0'], '--confidence 0: use a number between 0 and 1'],
    [['--threshold', '-1'], '--threshold -1: use a minimum effect in percent, 0 or more'],
    [['--correction', 'bonferroni'], '--correction bonferroni: use one of holm, bh, none'],
    [['--format', 'xml'], '--format xml: use one of markdown, json, csv'],
    [['--input-format', 'junit'], '--input-format junit: use one of benchbot, dfbench-json'],
    [['--benchstat', '--correction', 'holm'], '--benchstat sets --correction none, --threshold 0'],
    [['--paired', 'wilcoxon'], '--paired wilcoxon: use one of auto, signed-rank, never'],
    [['--bogus'], "unknown option '--bogus'"],
  ])('%j', (args, message) => {
    const { code, stderr } = benchbot(base, changed, ...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('no argument at all', () => {
    const { code, stderr } = benchbot();
    expect(code).toBe(2);
    expect(stderr).toContain("missing required argument 'base'");
  });
});

describe('benchbot compare RESULTS.json: one results file holding both sides', () => {
  const sha = (c: string) => c.repeat(40);
  // 10 interleaved rounds of 3 repeats: the round's machine speed drifts ±10%, Decode is 5%
  // slower on the changed side, Encode is untouched.
  const drift = [1, 1.1, 0.92, 1.05, 0.95, 1.08, 0.9, 1.02, 0.97, 1.06];
  const jitter = [0.995, 1, 1.006];
  const samples = (base: number, factor: number, side: number) =>
    drift.flatMap((d, round) =>
      jitter.map((_, k) => ({
        value: base * d * factor * (jitter[(k + round + side) % jitter.length] as number),
        round,
        attempt: 1,
      })),
    );
  const benchmark = (name: string, factor: number, sides: Array<'baseline' | 'changed'>) => ({
    name,
    group: { kind: 'benchmark' },
    metric: 'time',
    unit: 'ns',
    direction: 'lower-is-better',
    samples: Object.fromEntries(
      sides.map((side, i) => [side, samples(1000, side === 'changed' ? factor : 1, i)]),
    ),
    rawSamples: true,
    status: 'ok',
  });
  const results = (sides: Array<'baseline' | 'changed'>) =>
    JSON.stringify({
      schema: 'benchbot-results',
      schemaVersion: 1,
      run: {
        repository: 'acme/codec',
        reason: 'manual',
        sides: {
          baseline: { ref: 'main', sha: sha('a'), envKeys: [] },
          changed: { ref: 'pr', sha: sha('b'), envKeys: [] },
        },
        platform: 'x86-64-linux',
        machine: { cpuModel: 'test', cores: 2, kernel: 'test', memoryBytes: 1e9 },
        startedAt: '2026-01-01T00:00:00Z',
        finishedAt: '2026-01-01T00:10:00Z',
        runnerVersion: 'test',
        interleaved: true,
      },
      benchmarks: [benchmark('Decode', 1.05, sides), benchmark('Encode', 1, sides)],
    });
  const both = write('both.json', results(['baseline', 'changed']));

  it('re-judges it with the defaults, paired by round', () => {
    const { code, stdout, stderr } = benchbot(both);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^\*\*0 faster, 1 slower, 1 unchanged/);
    expect(stdout).toContain('Samples paired by round (t test on the trimmed mean log ratio');
    expect(stdout).toMatch(/\| `Decode` \|.*❌ \+5\.0% slower/);
  });

  it('takes every option', () => {
    const json = benchbot(
      both,
      '--format',
      'json',
      '--paired',
      'signed-rank',
      '--correction',
      'bh',
      '--threshold',
      '6',
    );
    expect(json.stderr).toBe('');
    const parsed = JSON.parse(json.stdout) as {
      options: { paired: string; correction: string; thresholdPct: number };
      benchmarks: Array<{ label: string; test: string; verdict: string }>;
    };
    expect(parsed.options).toMatchObject({ paired: 'signed-rank', correction: 'bh', thresholdPct: 6 });
    expect(parsed.benchmarks.map((b) => [b.label, b.test, b.verdict])).toEqual([
      ['Decode', 'wilcoxon-signed-rank-paired', 'unchanged'],
      ['Encode', 'wilcoxon-signed-rank-paired', 'unchanged'],
    ]);
    const benchstat = benchbot(both, '--benchstat');
    expect(benchstat.stdout).toContain('Samples unpaired (Mann-Whitney U) · p not adjusted');
    expect(benchstat.stdout).toContain('benchstat-compatible');
    const failing = benchbot(both, '--fail-on-regression');
    expect(failing.code).toBe(1);
    expect(failing.stderr).toContain('1 slower (--fail-on-regression)');
  });

  it.each<[string, string[], string]>([
    [
      'one side only',
      [write('baseline-only.json', results(['baseline']))],
      'holds samples of the baseline side only; pass the other side',
    ],
    ["a tool's own output", [base], "is not a benchbot results file; a tool's own output holds one side"],
    [
      'another input format',
      [both, '--input-format', 'go-bench'],
      'not as go-bench output; pass the baseline',
    ],
  ])('refuses %s, naming the fix', (_, args, message) => {
    const { code, stderr } = benchbot(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('tells a two-sided file given as one side of two to be passed alone', () => {
    const { code, stderr } = benchbot(both, both);
    expect(code).toBe(2);
    expect(stderr).toContain('pass it alone: benchbot compare RESULTS.json');
  });
});
