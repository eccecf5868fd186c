import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobSpec } from '../../core/job-spec.js';
import { commit, gitIn as git } from '../support/git-repo.js';

// A Go module with ten benchmarks in a real git repository, for judging benchbot's statistics on
// real go test -bench output:
//   main    the baseline
//   slower  Hash6 runs its loop 5% more times (extra work, not a sleep)
//   docs    only the README changed: an A/A comparison
//   mixed   Hash0 does twice the work (a clear change) and Hash6 5% more (a small one)
//
// Sized for a shared, loaded machine: each measurement is a few ms of arithmetic without
// allocation, timed in CPU time, and go test -count 5 repeats it in every round.

export const GO_BENCHMARKS = 10;
const SLOW = 6;
export const SLOW_BENCHMARK = `Hash${SLOW}`;
export const CLEAR_BENCHMARK = 'Hash0';
const WORK = 5000;

const benchTest = `package hashes

import (
	"os"
	"strconv"
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

// With ROUND_NOISE set, the changed side's work swings by that fraction up and down in turn from
// round to round: a benchmark noisy enough that a small change cannot be told from a few rounds,
// however quiet the machine is.
func roundFactor() float64 {
	noise, err := strconv.ParseFloat(os.Getenv("ROUND_NOISE"), 64)
	if err != nil || os.Getenv("BENCHBOT_SIDE") != "changed" {
		return 1
	}
	round, _ := strconv.Atoi(os.Getenv("BENCHBOT_ROUND"))
	if round%2 == 0 {
		return 1 + noise
	}
	return 1 - noise
}

func run(b *testing.B, k int) {
	n := int(float64(work[k]) * roundFactor())
	start := cpuNanos()
	for i := 0; i < b.N; i++ {
		sink += mix(n, uint64(i))
	}
	// CPU time instead of wall time (ReportMetric replaces the built-in ns/op): on a machine
	// shared with other work, wall time mostly measures how long the process waited for a core.
	b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "ns/op")
}

${Array.from({ length: GO_BENCHMARKS }, (_, k) => `func BenchmarkHash${k}(b *testing.B) { run(b, ${k}) }`).join('\n')}
`;

// A var, not a const: the compiler cannot specialise the loop, so the code of every benchmark is
// byte-identical on all commits and only the data differ.
const workGo = (factors: Record<number, number>) =>
  `package hashes\n\nvar work = []int{${Array.from({ length: GO_BENCHMARKS }, (_, k) => Math.round(WORK * (factors[k] ?? 1))).join(', ')}}\n`;

export interface GoModuleRepo {
  /** Remove it when done. */
  root: string;
  url: string;
  shas: { main: string; slower: string; docs: string; mixed: string };
}

export async function makeGoModuleRepo(): Promise<GoModuleRepo> {
  const root = await mkdtemp(join(tmpdir(), 'benchbot-go-module-'));
  const dir = join(root, 'hashes');
  await mkdir(dir);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  const main = await commit(
    dir,
    {
      'go.mod': 'module example.com/hashes\n\ngo 1.21\n',
      'hash_test.go': benchTest,
      'work.go': workGo({}),
      'README.md': 'hashes\n',
      '.gitignore': 'bench.test\nbench.txt\n',
    },
    'ten benchmarks',
  );
  git(dir, 'checkout', '-q', '-b', 'slower');
  const slower = await commit(dir, { 'work.go': workGo({ [SLOW]: 1.05 }) }, 'Hash6 does 5% more work');
  git(dir, 'checkout', '-q', '-b', 'docs', main);
  const docs = await commit(dir, { 'README.md': 'hashes: ten benchmarks\n' }, 'docs only');
  git(dir, 'checkout', '-q', '-b', 'mixed', main);
  const mixed = await commit(
    dir,
    { 'work.go': workGo({ 0: 2, [SLOW]: 1.05 }) },
    'Hash0 does twice the work, Hash6 5% more',
  );
  return { root, url: `file://${dir}`, shas: { main, slower, docs, mixed } };
}

/** 10 interleaved rounds of go test -count 5 comparing main with `changed`. */
export function goModuleSpec(repo: GoModuleRepo, changed: 'slower' | 'docs' | 'mixed', seed = 11): JobSpec {
  const env = { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };
  return {
    specVersion: 1,
    repository: 'acme/hashes',
    url: repo.url,
    reason: 'manual',
    platform: 'x86-64-linux',
    sides: {
      baseline: { ref: 'main', sha: repo.shas.main, env: {} },
      changed: { ref: changed, sha: repo.shas[changed], env: {} },
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
    order: { scheme: 'balanced-random', seed },
    pinCpus: null,
  };
}

/**
 * main against mixed as two benchmarks of the config, Hash0 (clear) and Hash6 (small), with
 * `planned` rounds each and adaptive rounds up to `maxRounds`. The changed side swings ±5% from
 * round to round, so Hash6's 5% cannot be told from 4 rounds on a quiet machine either, and can
 * from 40 on a busy one.
 */
export function adaptiveGoSpec(repo: GoModuleRepo, planned: number, maxRounds: number): JobSpec {
  const base = goModuleSpec(repo, 'mixed');
  const template = base.benchmarks[0] as JobSpec['benchmarks'][number];
  const only = (name: string, pattern: string) => ({
    ...template,
    name,
    command: template.command.replace('-test.bench .', () => `-test.bench '${pattern}'`),
    iterations: planned,
    adaptive: { maxRounds, extraSeconds: 900 },
    env: { ...template.env, ROUND_NOISE: '0.05' },
  });
  return {
    ...base,
    benchmarks: [
      only('clear', `^Benchmark${CLEAR_BENCHMARK}$`),
      only('small', `^Benchmark${SLOW_BENCHMARK}$`),
    ],
  };
}
