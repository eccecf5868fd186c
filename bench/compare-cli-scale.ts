// `benchbot compare` end to end, as a user runs it: the CLI as a child process on files written to
// disk, next to `benchstat` on the same go test output in the same run. Targets (issue 23): at
// 10,000 benchmarks x 30 samples of go-bench text, wall time at most benchstat's and peak RSS at
// most 250 MB; from 10,000 to 100,000 benchmarks (10 samples each) time and memory per benchmark
// within 1.2x.
//
//   npx tsx bench/compare-cli-scale.ts [--reps 3] [--sizes 1x10,1000x10,...] [--formats go-bench,...]
//
// Wall time: measured by this process around the child's spawn (median of --reps runs). CPU time
// and peak RSS: the child's rusage as the kernel reports it to its parent (ru_utime + ru_stime,
// ru_maxrss), read through GNU time (`/usr/bin/time -f '%M %U %S'`, which calls wait4); CPU is the
// median, peak the largest of the runs. Node's process.resourceUsage() only sees its own process, so
// it cannot measure a child. On a shared machine wall time mostly measures the queue for a core;
// CPU time is what the run itself cost.
//
// Formats: go-bench (`go test -bench -count N` text, one file a side), criterion (a target/criterion
// folder a side: one sample.json and one benchmark.json per benchmark) and benchbot (one results
// file holding both sides, interleaved rounds, as a runner writes it). Every format holds the same
// samples; benchstat reads only the go-bench files, so its time is the reference for every format.
// The per-benchmark growth subtracts the start-up run (1 benchmark) from both sizes.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createRng } from './lib/prng.js';

const SEED = 20261204;
const FORMATS = ['go-bench', 'criterion', 'benchbot'] as const;
type Format = (typeof FORMATS)[number];
const DEFAULT_SIZES = '1x10,1000x10,10000x10,10000x30,100000x10';
const TARGET_RATIO = 1.0;
const TARGET_MB = 250;
const TARGET_GROWTH = 1.2;
const MB = 1e6;
const TIME = '/usr/bin/time';

interface Size {
  benchmarks: number;
  samples: number;
}

interface Run {
  seconds: number;
  /** User plus system CPU time: what the run cost, whatever else the shared machine was doing. */
  cpuSeconds: number;
  peakBytes: number;
}

interface Row {
  size: Size;
  format: Format | 'benchstat';
  runs: Run[];
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function parseSizes(text: string): Size[] {
  return text.split(',').map((s) => {
    const m = /^(\d+)x(\d+)$/.exec(s.trim());
    if (m === null) throw new Error(`--sizes ${s}: use BENCHMARKSxSAMPLES, e.g. 10000x30`);
    return { benchmarks: Number(m[1]), samples: Number(m[2]) };
  });
}

const label = (size: Size) => `${size.benchmarks.toLocaleString('en')} x ${size.samples}`;

/**
 * The samples of one benchmark, both sides: a centre between 10 ns and 10 ms, 0.5-8% noise, half of
 * it drift shared by the round's two sides, and one benchmark in five really changed. Printed with
 * 5 significant digits, as go test prints few, so every format holds the same numbers.
 */
function* suite(size: Size): Generator<{ name: string; baseline: number[]; changed: number[] }> {
  const rng = createRng(SEED);
  const digits = (x: number) => Number(x.toPrecision(5));
  for (let i = 0; i < size.benchmarks; i++) {
    const centre = 10 ** (1 + 6 * rng.uniform());
    const cv = 0.005 + 0.075 * rng.uniform();
    const shift = rng.uniform() < 0.2 ? (rng.uniform() - 0.5) * 0.2 : 0;
    const baseline: number[] = [];
    const changed: number[] = [];
    for (let r = 0; r < size.samples; r++) {
      const drift = cv * Math.SQRT1_2 * rng.normal();
      baseline.push(digits(centre * Math.exp(drift + cv * Math.SQRT1_2 * rng.normal())));
      changed.push(digits(centre * (1 + shift) * Math.exp(drift + cv * Math.SQRT1_2 * rng.normal())));
    }
    yield { name: `Suite/case-${String(i).padStart(6, '0')}`, baseline, changed };
  }
}

/** Writes through a stream, waiting when it is full, so a 100 MB file never sits in memory. */
async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const line of lines) {
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function writeGoBench(dir: string, size: Size): Promise<[string, string]> {
  const header = 'goos: linux\ngoarch: amd64\npkg: example.com/suite\ncpu: bench\n';
  const side = (which: 'baseline' | 'changed') =>
    function* () {
      yield header;
      for (const b of suite(size)) {
        for (const value of b[which]) yield `Benchmark${b.name}-8\t 1000000\t${value} ns/op\n`;
      }
      yield 'PASS\nok  \texample.com/suite\t1.000s\n';
    };
  const base = join(dir, 'base.txt');
  const changed = join(dir, 'changed.txt');
  await writeLines(base, side('baseline')());
  await writeLines(changed, side('changed')());
  return [base, changed];
}

async function writeCriterion(dir: string, size: Size): Promise<[string, string]> {
  const roots = { baseline: join(dir, 'base', 'criterion'), changed: join(dir, 'changed', 'criterion') };
  for (const b of suite(size)) {
    for (const side of ['baseline', 'changed'] as const) {
      const folder = join(roots[side], ...b.name.split('/'), 'new');
      mkdirSync(folder, { recursive: true });
      // Linear sampling: sample i ran (i + 1) * 10 iterations.
      const iters = b[side].map((_, i) => (i + 1) * 10);
      const times = b[side].map((v, i) => v * (iters[i] as number));
      await writeFile(join(folder, 'sample.json'), JSON.stringify({ sampling_mode: 'Linear', iters, times }));
      await writeFile(
        join(folder, 'benchmark.json'),
        JSON.stringify({ group_id: 'Suite', function_id: b.name, full_id: b.name, directory_name: b.name }),
      );
    }
  }
  return [roots.baseline, roots.changed];
}

async function writeBenchbot(dir: string, size: Size): Promise<[string]> {
  const path = join(dir, 'results.json');
  const sha = (c: string) => c.repeat(40);
  const run = {
    repository: 'acme/suite',
    reason: 'manual',
    sides: {
      baseline: { ref: 'main', sha: sha('a'), envKeys: [] },
      changed: { ref: 'pr', sha: sha('b'), envKeys: [] },
    },
    platform: 'x86-64-linux',
    machine: { cpuModel: 'bench', cores: 2, kernel: 'bench', memoryBytes: 1e9 },
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T01:00:00Z',
    runnerVersion: 'bench',
    interleaved: true,
  };
  const samples = (values: number[]) => values.map((value, round) => ({ value, round, attempt: 1 }));
  function* lines() {
    yield `{"schema":"benchbot-results","schemaVersion":1,"run":${JSON.stringify(run)},"benchmarks":[\n`;
    let first = true;
    for (const b of suite(size)) {
      const benchmark = {
        name: b.name,
        group: { kind: 'benchmark' },
        metric: 'time',
        unit: 'ns',
        direction: 'lower-is-better',
        samples: { baseline: samples(b.baseline), changed: samples(b.changed) },
        rawSamples: true,
        status: 'ok',
      };
      yield `${first ? '' : ',\n'}${JSON.stringify(benchmark)}`;
      first = false;
    }
    yield '\n]}\n';
  }
  await writeLines(path, lines());
  return [path];
}

const WRITERS: Record<Format, (dir: string, size: Size) => Promise<string[]>> = {
  'go-bench': writeGoBench,
  criterion: writeCriterion,
  benchbot: writeBenchbot,
};

/** One run of `argv` under GNU time; stdout goes to a file so the report is written as to a pipe. */
async function timed(argv: string[], dir: string): Promise<Run> {
  const stats = join(dir, 'time.txt');
  const stdout = join(dir, 'stdout.txt');
  const out = createWriteStream(stdout);
  await once(out, 'open');
  const start = performance.now();
  const child = spawn(TIME, ['-o', stats, '-f', '%M %U %S', ...argv], { stdio: ['ignore', out, 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const seconds = (performance.now() - start) / 1000;
  out.close();
  // compare exits 1 only with --fail-on-regression, which this bench does not pass.
  if (code !== 0) throw new Error(`${argv.join(' ')} exited ${code}:\n${stderr.slice(0, 2000)}`);
  const [kib, user, system] = (readFileSync(stats, 'utf8').trim().split('\n').at(-1) ?? '')
    .split(' ')
    .map(Number);
  return { seconds, cpuSeconds: (user as number) + (system as number), peakBytes: (kib as number) * 1024 };
}

/** rm -rf: Node's rmSync takes minutes over the 400,000 files of the largest criterion folders. */
function removeTree(dir: string): void {
  spawnSync('rm', ['-rf', dir], { stdio: 'inherit' });
}

function findBenchstat(): string | undefined {
  const candidates = [
    ...(process.env.PATH ?? '').split(':').map((p) => join(p, 'benchstat')),
    join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'benchstat'),
  ];
  return candidates.find((p) => existsSync(p));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const secondsOf = (row: Row) => median(row.runs.map((r) => r.seconds));
const cpuOf = (row: Row) => median(row.runs.map((r) => r.cpuSeconds));
const peakOf = (row: Row) => Math.max(...row.runs.map((r) => r.peakBytes));

async function main(): Promise<void> {
  const reps = Number(argValue('--reps') ?? '3');
  const sizes = parseSizes(argValue('--sizes') ?? DEFAULT_SIZES);
  const formats = (argValue('--formats')?.split(',') ?? [...FORMATS]) as Format[];
  for (const f of formats) if (!FORMATS.includes(f)) throw new Error(`--formats: unknown ${f}`);
  if (!existsSync(TIME)) throw new Error(`${TIME} (GNU time) is missing: apt-get install time`);
  const benchstat = findBenchstat();
  if (benchstat === undefined) {
    process.stderr.write(
      'benchstat not found (PATH, $GOPATH/bin, ~/go/bin): the table has no reference column; ' +
        'install it with `go install golang.org/x/perf/cmd/benchstat@latest`\n',
    );
  }
  const cli = join(import.meta.dirname, '..', 'bin', 'benchbot.js');
  const root = mkdtempSync(join(tmpdir(), 'benchbot-compare-cli-'));
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      const dir = join(root, `${size.benchmarks}x${size.samples}`);
      for (const format of formats) {
        const formatDir = join(dir, format);
        mkdirSync(formatDir, { recursive: true });
        process.stderr.write(`${label(size)} ${format}: writing...`);
        const files = await WRITERS[format](formatDir, size);
        const jobs: Array<[Row['format'], string[]]> = [
          [format, [process.execPath, cli, 'compare', ...files]],
        ];
        if (format === 'go-bench' && benchstat !== undefined) jobs.push(['benchstat', [benchstat, ...files]]);
        for (const [name, argv] of jobs) {
          const row: Row = { size, format: name, runs: [] };
          for (let r = 0; r < reps; r++) {
            process.stderr.write(` ${name} ${r + 1}/${reps}`);
            row.runs.push(await timed(argv, dir));
          }
          rows.push(row);
        }
        process.stderr.write('\n');
        removeTree(formatDir);
      }
    }
  } finally {
    removeTree(root);
  }
  report(rows, reps, benchstat !== undefined);
}

function report(rows: Row[], reps: number, haveBenchstat: boolean): void {
  const find = (size: Size, format: Row['format']) =>
    rows.find(
      (r) => r.format === format && r.size.benchmarks === size.benchmarks && r.size.samples === size.samples,
    );
  console.log(
    `benchbot compare (markdown, default options) as a child process on files on disk, seed ${SEED}; ` +
      `wall = median of ${reps} runs, spawn to exit; CPU = median user + system seconds (GNU time %U + %S); ` +
      `peak = largest ru_maxrss of the runs (GNU time %M), MB = 10^6 bytes; ratios are benchbot / benchstat ` +
      'on the go-bench files of the same size',
  );
  console.log('');
  console.log(
    '| benchmarks x samples | input | benchbot wall s | CPU s | peak MB | benchstat wall s | CPU s | peak MB | wall ratio | CPU ratio | memory ratio |',
  );
  console.log('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const row of rows) {
    if (row.format === 'benchstat') continue;
    const ref = find(row.size, 'benchstat');
    const own = [secondsOf(row).toFixed(2), cpuOf(row).toFixed(2), (peakOf(row) / MB).toFixed(0)];
    const refCells =
      ref === undefined
        ? ['-', '-', '-', '-', '-', '-']
        : [
            secondsOf(ref).toFixed(2),
            cpuOf(ref).toFixed(2),
            (peakOf(ref) / MB).toFixed(0),
            (secondsOf(row) / secondsOf(ref)).toFixed(2),
            // GNU time counts CPU in hundredths of a second: benchstat on one benchmark takes none.
            cpuOf(ref) === 0 ? '-' : (cpuOf(row) / cpuOf(ref)).toFixed(2),
            (peakOf(row) / peakOf(ref)).toFixed(1),
          ];
    console.log(`| ${label(row.size)} | ${row.format} | ${[...own, ...refCells].join(' | ')} |`);
  }
  console.log('');

  const target = find({ benchmarks: 10_000, samples: 30 }, 'go-bench');
  if (target !== undefined) {
    const ref = find(target.size, 'benchstat');
    const mb = peakOf(target) / MB;
    const ratio = ref === undefined ? undefined : secondsOf(target) / secondsOf(ref);
    console.log(
      `10,000 x 30 go-bench: wall-time ratio ${ratio === undefined ? 'n/a (no benchstat)' : ratio.toFixed(2)} ` +
        `(target <= ${TARGET_RATIO}: ${ratio === undefined ? 'n/a' : ratio <= TARGET_RATIO ? 'PASS' : 'FAIL'}), ` +
        `peak ${mb.toFixed(0)} MB (target <= ${TARGET_MB}: ${mb <= TARGET_MB ? 'PASS' : 'FAIL'})`,
    );
  }
  for (const format of FORMATS) {
    const start = find({ benchmarks: 1, samples: 10 }, format);
    const small = find({ benchmarks: 10_000, samples: 10 }, format);
    const large = find({ benchmarks: 100_000, samples: 10 }, format);
    if (start === undefined || small === undefined || large === undefined) continue;
    const perBenchmark = (row: Row, of: (r: Row) => number) =>
      (of(row) - of(start)) / (row.size.benchmarks - start.size.benchmarks);
    const growth = (of: (r: Row) => number) => perBenchmark(large, of) / perBenchmark(small, of);
    const ok = (g: number) => `x${g.toFixed(2)} (${g <= TARGET_GROWTH ? 'PASS' : 'FAIL'})`;
    console.log(
      `${format} 10,000 -> 100,000 x 10, per benchmark above start-up: wall ${ok(growth(secondsOf))}, ` +
        `CPU ${ok(growth(cpuOf))}, memory ${ok(growth(peakOf))} (target <= ${TARGET_GROWTH})`,
    );
  }
  if (!haveBenchstat) console.log('benchstat was not installed: no reference column');
}

await main();
