import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobSpec } from '../../core/job-spec.js';

// A small Go module in two versions: the baseline sums through a helper the compiler may not
// inline (checksumHelper), the change has inlined it by hand and does half the work. Real CPU
// profiles of both come from `go test -cpuprofile`.

export const REMOVED_HELPER = 'example.com/work.checksumHelper';

const BENCH_TEST = `package work

import "testing"

var sink uint32

func BenchmarkProcess(b *testing.B) {
	data := make([]byte, 4096)
	for i := range data {
		data[i] = byte(i)
	}
	for i := 0; i < b.N; i++ {
		sink = Process(data)
	}
}
`;

export const GO_BASELINE = `package work

//go:noinline
func checksumHelper(data []byte) uint32 {
	var h uint32 = 2166136261
	for _, b := range data {
		h ^= uint32(b)
		h *= 16777619
	}
	return h
}

func Process(data []byte) uint32 {
	var total uint32
	for i := 0; i < 64; i++ {
		total += checksumHelper(data)
	}
	return total
}
`;

export const GO_CHANGED = `package work

func Process(data []byte) uint32 {
	var total uint32
	for i := 0; i < 32; i++ {
		var h uint32 = 2166136261
		for _, b := range data {
			h ^= uint32(b)
			h *= 16777619
		}
		total += h
	}
	return total
}
`;

/** Writes the module into `dir` with `work.go` as given (the baseline's or the change's). */
export function writeGoModule(dir: string, workGo: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'go.mod'), 'module example.com/work\n\ngo 1.22\n');
  writeFileSync(join(dir, 'work.go'), workGo);
  writeFileSync(join(dir, 'work_test.go'), BENCH_TEST);
}

/** Go's caches inside `root`, so a test writes nothing into the user's home. */
export function goEnv(root: string): NodeJS.ProcessEnv {
  return { ...process.env, GOCACHE: join(root, 'go-build'), GOPATH: join(root, 'go'), GOFLAGS: '' };
}

/** `go test -bench . -cpuprofile OUT` in `dir`: a real pprof CPU profile (gzipped protobuf). */
export function goCpuProfile(dir: string, out: string, root: string): void {
  execFileSync('go', ['test', '-run', '^$', '-bench', '.', '-benchtime', '1s', '-cpuprofile', out], {
    cwd: dir,
    env: goEnv(root),
    stdio: 'pipe',
  });
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
}

export interface ProfiledGoRepo {
  dir: string;
  url: string;
  shas: { baseline: string; changed: string };
}

/** The module as a git repository: `main` with the helper, `inlined` without. */
export function makeProfiledGoRepo(root: string): ProfiledGoRepo {
  const dir = join(root, 'work-repo');
  writeGoModule(dir, GO_BASELINE);
  writeFileSync(join(dir, '.gitignore'), 'bench.test\nbench.txt\n*.pprof\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'process through a helper');
  const baseline = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-q', '-b', 'inlined');
  writeFileSync(join(dir, 'work.go'), GO_CHANGED);
  git(dir, 'commit', '-q', '-am', 'inline the helper, half the rounds');
  return { dir, url: `file://${dir}`, shas: { baseline, changed: git(dir, 'rev-parse', 'HEAD') } };
}

const GO_JOB_ENV = { GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' };

/** The `work` benchmark: measured with go test -bench, profiled with -test.cpuprofile. */
export function profiledBenchmark(name = 'work', profileCommand?: string) {
  return {
    name,
    command: "./bench.test -test.run '^$' -test.bench . -test.benchtime 200x > bench.txt",
    workdir: '.',
    output: { path: 'bench.txt', format: 'go-bench' as const },
    // Enough rounds for the paired test to call the change (half the work) significant.
    iterations: 10,
    warmups: 0,
    timeoutSeconds: 120,
    env: GO_JOB_ENV,
    profile: {
      command:
        profileCommand ??
        "./bench.test -test.run '^$' -test.bench . -test.benchtime 1s -test.cpuprofile cpu.pprof > /dev/null",
      path: 'cpu.pprof',
      format: 'pprof' as const,
    },
  };
}

/** main against inlined with `benchmarks`; `buildEnv` adds to the build's environment. */
export function profiledJobSpec(
  repo: ProfiledGoRepo,
  benchmarks: JobSpec['benchmarks'],
  order: JobSpec['order'],
  buildEnv: Record<string, string> = {},
): JobSpec {
  return {
    specVersion: 1,
    repository: 'acme/work',
    url: repo.url,
    reason: 'manual',
    platform: 'x86-64-linux',
    sides: {
      baseline: { ref: 'main', sha: repo.shas.baseline, env: {} },
      changed: { ref: 'inlined', sha: repo.shas.changed, env: {} },
    },
    build: {
      command: 'go test -c -o bench.test .',
      workdir: '.',
      timeoutSeconds: 300,
      env: { GOTOOLCHAIN: 'local', ...buildEnv },
    },
    benchmarks,
    order,
    pinCpus: null,
  };
}
