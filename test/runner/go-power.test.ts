import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../core/job-spec.js';
import { compareResults } from '../../core/report/index.js';
import { parseResults } from '../../core/results/schema.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';
import { runRunner, writeSpec } from './fixture-repo.js';

// What the statistics are for, end to end: a Go module with ten benchmarks in a real git
// repository, one commit that makes one of them 5% slower and one that changes nothing they run,
// 10 interleaved rounds through the runner, judged with benchbot's defaults. The slowdown is
// extra work, not a sleep: Hash6 runs its loop 5% more times.
//
// Sized for a shared, loaded machine: each measurement is a few ms of arithmetic without
// allocation, timed in CPU time, and go test -count 5 repeats it in every round.

const BENCHMARKS = 10;
const SLOW = 6;
const WORK = 5000;

const benchTest = `package hashes

import (
	"syscall"
	"testing"
)

var sink uint64

func mix(n int, seed uint64) uint64 {
	x := seed | 1
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func run(b *testing.B, k int) {
	n := work[k]
	start := cpuNanos()
	for i := 0; i < b.N; i++ {
		sink += mix(n, uint64(i))
	}
	// CPU time instead of wall time (ReportMetric replaces the built-in ns/op): on a machine
	// shared with other work, wall time mostly measures how long the process waited for a core.
	b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "ns/op")
}

${Array.from({ length: BENCHMARKS }, (_, k) => `func BenchmarkHash${k}(b *testing.B) { run(b, ${k}) }`).join('\n')}
`;

// A var, not a const: the compiler cannot specialise the loop, so the code of every benchmark is
// byte-identical on all commits and only the data differ.
const workGo = (slowWork: number) =>
  `package hashes\n\nvar work = []int{${Array.from({ length: BENCHMARKS }, (_, k) => (k === SLOW ? slowWork : WORK)).join(', ')}}\n`;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
    },
  }).trim();
}

async function commit(dir: string, files: Record<string, string>, message: string): Promise<string> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

const made: string[] = [];
let url: string;
const shas = { main: '', slower: '', docs: '' };

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'benchbot-go-power-'));
  made.push(root);
  const dir = join(root, 'hashes');
  await mkdir(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  shas.main = await commit(
    dir,
    {
      'go.mod': 'module example.com/hashes\n\ngo 1.21\n',
      'hash_test.go': benchTest,
      'work.go': workGo(WORK),
      'README.md': 'hashes\n',
      '.gitignore': 'bench.test\nbench.txt\n',
    },
    'ten benchmarks',
  );
  git(dir, 'checkout', '-q', '-b', 'slower');
  shas.slower = await commit(dir, { 'work.go': workGo(WORK * 1.05) }, 'Hash6 does 5% more work');
  git(dir, 'checkout', '-q', '-b', 'docs', shas.main);
  shas.docs = await commit(dir, { 'README.md': 'hashes: ten benchmarks\n' }, 'docs only');
  url = `file://${dir}`;
});

afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

function spec(changed: keyof typeof shas): JobSpec {
  const env = { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
  return {
    specVersion: 1,
    repository: 'acme/hashes',
    url,
    reason: 'manual',
    platform: 'x86-64-linux',
    sides: {
      baseline: { ref: 'main', sha: shas.main, env: {} },
      changed: { ref: changed, sha: shas[changed], env: {} },
    },
    // -trimpath: the two checkouts' paths must not make the binaries differ.
    build: { command: 'go test -c -trimpath -o bench.test .', workdir: '.', timeoutSeconds: 300, env },
    benchmarks: [
      {
        name: 'hashes',
        command:
          "./bench.test -test.run '^$' -test.bench . -test.benchtime 400x -test.count 5 -test.cpu 1 > bench.txt",
        workdir: '.',
        output: { path: 'bench.txt', format: 'go-bench' },
        iterations: 10,
        warmups: 1,
        timeoutSeconds: 120,
        env,
      },
    ],
    order: { scheme: 'balanced-random', seed: 11 },
    pinCpus: null,
  };
}

async function judge(changed: keyof typeof shas) {
  const out = await mkdtemp(join(tmpdir(), 'benchbot-go-power-out-'));
  made.push(out);
  const run = await runRunner(['--spec', await writeSpec(out, spec(changed)), '--out', out]);
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
    expect(report.benchmarks).toHaveLength(BENCHMARKS);
    expect(report.benchmarks.every((b) => b.comparison.test === 'moderated-t-paired')).toBe(true);
    expect(report.benchmarks.every((b) => b.comparison.baseline.n === 10 * 5)).toBe(true);
    expect(changedNames(report), JSON.stringify(report.benchmarks.map((b) => b.comparison))).toEqual([
      `Hash${SLOW}`,
    ]);
    const slow = report.benchmarks.find((b) => b.name === `Hash${SLOW}`)?.comparison;
    expect(slow?.verdict).toBe('slower');
    expect(slow?.pctChange).toBeGreaterThan(3);
    expect(slow?.pctChange).toBeLessThan(7);
  }, 600_000);

  it('finds nothing when the code the benchmarks run did not change', async () => {
    const report = await judge('docs');
    expect(changedNames(report), JSON.stringify(report.benchmarks.map((b) => b.comparison))).toEqual([]);
  }, 600_000);
});
