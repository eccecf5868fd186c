import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobBenchmark, JobSpec } from '../../core/job-spec.js';
import { commit, gitIn, makeGitRepo } from '../support/git-repo.js';

// A real git repository with a small benchmark program, cloned by the runner over file://.
//   main    the baseline
//   slow    "hot" does 30% more work; "crash" dies; "steady" and "startup" are untouched
//   broken  the build fails

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const RUNNER_BIN = join(PROJECT_ROOT, 'runner', 'bin.js');

// The program is the same file at every commit; only its input (work.json) and crash.js change.
// Even a one-line edit elsewhere in a JavaScript file shifts V8's code layout and with it the speed
// of an untouched loop by 1-2%, a real change the statistics rightly report, so "steady" must run
// byte-identical code on both sides.
// It reports the CPU time of the fastest of several repetitions: the machine running the tests is
// shared, and CPU time is far less disturbed by other processes than wall time.
export const BENCH_PROGRAM = `
const { readFileSync } = require('node:fs');
const units = JSON.parse(readFileSync(__dirname + '/work.json', 'utf8'))[process.argv[2]];
function work(n) { let x = 0; for (let i = 0; i < n; i++) x = (x * 31 + i) % 1000003; return x; }
let best = Infinity;
let sink = 0;
// The first two repetitions run before V8 has optimised work(); they are not counted.
for (let rep = 0; rep < 12; rep++) {
  const before = process.cpuUsage();
  sink += work(units);
  const used = process.cpuUsage(before);
  if (rep >= 2) best = Math.min(best, (used.user + used.system) * 1000);
}
// node bench.js <work.json key> [<name> | --quiet]: the name defaults to the key.
const second = process.argv[3];
const name = second === undefined || second === '--quiet' ? process.argv[2] : second;
if (second !== '--quiet') console.log('Benchmark' + name[0].toUpperCase() + name.slice(1) + '-1 1 ' + best + ' ns/op');
if (sink < 0) console.log('unreachable');
`;

const workJson = (hot: number) => JSON.stringify({ hot, steady: 600_000, startup: 10_000, crash: 100_000 });

const CRASH_OK = 'require("./bench.js");\n';
const CRASH_BAD = 'console.error("boom: invariant violated in crash()");\nprocess.exit(1);\n';

const GOOD_BUILD = `set -e
[ -n "$BENCH_FLAVOR" ] || { echo "BENCH_FLAVOR is not set" >&2; exit 4; }
mkdir -p dist
cp bench.js crash.js work.json dist/
printf '%s' "$BENCH_FLAVOR" > dist/flavor.txt
echo "built flavor $BENCH_FLAVOR"
`;

const BROKEN_BUILD = `echo "compiling bench.js"
echo "bench.js:3:7: error: expected ';' before 'work'" >&2
exit 2
`;

export interface FixtureRepo {
  dir: string;
  url: string;
  shas: { main: string; slow: string; broken: string };
}

export async function makeFixtureRepo(): Promise<FixtureRepo> {
  const { root, dir, url } = await makeGitRepo('benchbot-runner-repo-');
  const main = await commit(
    dir,
    {
      'bench.js': BENCH_PROGRAM,
      'crash.js': CRASH_OK,
      'work.json': workJson(600_000),
      'build.sh': GOOD_BUILD,
      '.gitignore': 'dist/\n*.txt\n',
    },
    'baseline',
  );
  gitIn(dir, 'checkout', '-q', '-b', 'slow');
  const slow = await commit(
    dir,
    { 'work.json': workJson(780_000), 'crash.js': CRASH_BAD },
    'hot does 30% more work; crash dies',
  );
  gitIn(dir, 'checkout', '-q', '-b', 'broken', main);
  const broken = await commit(dir, { 'build.sh': BROKEN_BUILD }, 'break the build');
  gitIn(dir, 'checkout', '-q', 'main');
  return { dir: root, url, shas: { main, slow, broken } };
}

export function benchmark(name: string, overrides: Partial<JobBenchmark> = {}): JobBenchmark {
  return {
    name,
    command: `node dist/bench.js ${name} > ${name}.txt && echo "$BENCHBOT_SIDE $BENCHBOT_ROUND $BENCH_FLAVOR" >> seen.txt`,
    workdir: '.',
    output: { path: `${name}.txt`, format: 'go-bench' },
    iterations: 12,
    warmups: 1,
    timeoutSeconds: 60,
    env: {},
    ...overrides,
  };
}

export function makeSpec(
  repo: FixtureRepo,
  changed: keyof FixtureRepo['shas'],
  benchmarks: JobBenchmark[],
): JobSpec {
  return {
    specVersion: 1,
    repository: 'acme/widget',
    url: repo.url,
    reason: 'manual',
    platform: 'x86-64-linux',
    sides: {
      baseline: { ref: 'main', sha: repo.shas.main, env: { BENCH_FLAVOR: 'a' } },
      changed: { ref: changed, sha: repo.shas[changed], env: { BENCH_FLAVOR: 'b' } },
    },
    build: { command: 'sh build.sh', workdir: '.', timeoutSeconds: 60, env: {} },
    benchmarks,
    order: { scheme: 'balanced-random', seed: 7 },
    pinCpus: null,
  };
}

export interface RunnerRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunnerHandle {
  done: Promise<RunnerRun>;
  /** Resolves with the first progress line `match` accepts. */
  waitForLine(match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): void;
}

export async function writeSpec(dir: string, spec: JobSpec): Promise<string> {
  const file = join(dir, 'spec.json');
  await writeFile(file, JSON.stringify(spec, null, 2));
  return file;
}

export function startRunner(args: string[]): RunnerHandle {
  const child = spawn(process.execPath, [RUNNER_BIN, ...args], { cwd: PROJECT_ROOT });
  let stdout = '';
  let stderr = '';
  const watchers: Array<{
    match: (e: Record<string, unknown>) => boolean;
    resolve: (e: Record<string, unknown>) => void;
  }> = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const event = JSON.parse(line) as Record<string, unknown>;
      for (const w of watchers.filter((w) => w.match(event))) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<RunnerRun>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    done,
    waitForLine: (match) => new Promise((resolve) => watchers.push({ match, resolve })),
    kill: (signal) => child.kill(signal),
  };
}

export function runRunner(args: string[]): Promise<RunnerRun> {
  return startRunner(args).done;
}
