import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  Line,
  Location,
  Function as PprofFunction,
  Profile,
  Sample,
  StringTable,
  ValueType,
} from 'pprof-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProfile } from '../../adapters/profiles/decode.js';
import type { ProfileDiff } from '../../core/profile/diff.js';
import { summarizeProfile } from '../../core/profile/summary.js';
import { GO_BASELINE, GO_CHANGED, goCpuProfile, REMOVED_HELPER, writeGoModule } from './go-profiles.js';

const dir = mkdtempSync(join(tmpdir(), 'benchbot-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real `benchbot` entry point as a child process. */
function benchbot(...args: string[]) {
  const result = spawnSync(process.execPath, ['bin/benchbot.js', 'profile', 'diff', ...args], {
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const find = (rows: ProfileDiff['byFlat'], name: string) => rows.find((f) => f.name === name);

describe('benchbot profile diff on go test -cpuprofile profiles', () => {
  const base = join(dir, 'go-base.pprof');
  const changed = join(dir, 'go-changed.pprof');
  beforeAll(() => {
    writeGoModule(join(dir, 'go-base'), GO_BASELINE);
    writeGoModule(join(dir, 'go-changed'), GO_CHANGED);
    goCpuProfile(join(dir, 'go-base'), base, dir);
    goCpuProfile(join(dir, 'go-changed'), changed, dir);
  }, 240_000);

  it('lists the removed helper with its CPU going to zero, and the top functions on both sides', () => {
    const { code, stdout, stderr } = benchbot(base, changed, '--format', 'json', '--top', '5');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const diff = JSON.parse(stdout) as ProfileDiff;
    expect(diff.sampleType).toBe('cpu');
    expect(diff.unit).toBe('nanoseconds');
    expect(diff.byFlat.length).toBeLessThanOrEqual(5);
    const helper = find(diff.byFlat, REMOVED_HELPER);
    expect(helper?.presentIn).toBe('baseline');
    expect(helper?.baseline.flat).toBeGreaterThan(0.5 * diff.totals.baseline);
    expect(helper?.changed).toEqual({ flat: 0, cum: 0 });
    // The work moved into Process, which is on both sides and now holds the loop.
    const process = find(diff.byCumulative, 'example.com/work.Process');
    expect(process?.presentIn).toBe('both');
    expect(process?.changed.flat).toBeGreaterThan(0.5 * diff.totals.changed);
    for (const f of [...diff.byFlat, ...diff.byCumulative]) {
      expect(f.baseline.cum).toBeLessThanOrEqual(diff.totals.baseline);
      expect(f.changed.cum).toBeLessThanOrEqual(diff.totals.changed);
      expect(f.baseline.flat).toBeLessThanOrEqual(f.baseline.cum);
    }
  });

  it('prints markdown tables with the deltas', () => {
    const { code, stdout } = benchbot(base, changed, '--top', '3');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^cpu profile: [\d.]+ m?s in the baseline/);
    // A short real profile may catch fewer than three functions with CPU of their own (only the
    // helper and Process, runtime functions unsampled): the table then names the ones there are.
    expect(stdout).toMatch(/### Top [23] functions by flat cpu/);
    expect(stdout).toMatch(
      /\| `example\.com\/work\.checksumHelper` \(baseline only\) \| [\d.]+ m?s \([\d.]+%\) \| 0 ns \(0\.0%\) \| -[\d.]+ m?s \(-100\.0%\) \|/,
    );
  });

  it('--focus keeps the samples whose stack holds a matching function', () => {
    const { stdout } = benchbot(base, changed, '--format', 'json', '--focus', 'checksumHelper$');
    const diff = JSON.parse(stdout) as ProfileDiff;
    expect(diff.byFlat.map((f) => f.name)).toContain(REMOVED_HELPER);
    // Nothing of the change calls the helper: its side is empty, though its total is the whole profile.
    expect(diff.byFlat.every((f) => f.changed.flat === 0)).toBe(true);
    expect(diff.totals.changed).toBeGreaterThan(0);
  });

  it('refuses what is not a profile, and bad options, with exit 2', () => {
    const text = join(dir, 'not-a-profile.txt');
    writeFileSync(text, 'BenchmarkProcess 100 200 ns/op\n');
    const bad = benchbot(base, text);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${text}: not a pprof profile`);
    expect(benchbot(base, join(dir, 'missing.pprof')).stderr).toContain('no such file');
    expect(benchbot(base, changed, '--top', '0').stderr).toContain('--top 0: use a whole number');
    expect(benchbot(base, changed, '--focus', '(').stderr).toContain('not a regular expression');
    expect(benchbot(base, changed, '--sample-type', 'alloc_space').stderr).toContain(
      'no sample type alloc_space; it has samples, cpu',
    );
  });
});

describe('a second producer: @datadog/pprof (V8 profiler) wall profiles', () => {
  it('lists the helper the change inlined as gone', () => {
    const script = join(import.meta.dirname, 'node-producer.cjs');
    const base = join(dir, 'node-base.pb.gz');
    const changed = join(dir, 'node-changed.pb.gz');
    execFileSync(process.execPath, [script, base, 'with-helper']);
    execFileSync(process.execPath, [script, changed]);
    const { code, stdout } = benchbot(base, changed, '--format', 'json', '--top', '20');
    expect(code).toBe(0);
    const diff = JSON.parse(stdout) as ProfileDiff;
    expect(diff.sampleType).toBe('wall');
    const helper = find(diff.byFlat, 'parseHelper');
    expect(helper?.presentIn).toBe('baseline');
    expect(helper?.baseline.flat).toBeGreaterThan(0);
    expect(find(diff.byCumulative, 'work')?.presentIn).toBe('both');
  });
});

describe('cumulative values', () => {
  // A stack main → walk → walk → walk, built with pprof-format and read back like a file.
  function recursiveProfile(): Uint8Array {
    const strings = new StringTable();
    const fn = (id: number, name: string) => new PprofFunction({ id, name: strings.dedup(name) });
    const loc = (id: number, functionId: number) => new Location({ id, line: [new Line({ functionId })] });
    const profile = new Profile({
      sampleType: [new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') })],
      function: [fn(1, 'main'), fn(2, 'walk')],
      location: [loc(1, 1), loc(2, 2), loc(3, 2), loc(4, 2)],
      sample: [
        new Sample({ locationId: [4, 3, 2, 1], value: [30] }),
        new Sample({ locationId: [1], value: [10] }),
      ],
      stringTable: strings,
    });
    return gzipSync(profile.encode());
  }

  it('count a recursive function once per sample', () => {
    const decoded = decodeProfile(recursiveProfile(), 'recursive.pprof');
    if (!decoded.ok) throw new Error(decoded.error);
    const summary = summarizeProfile(decoded.profile);
    if (!summary.ok) throw new Error(summary.error);
    expect(summary.summary.total).toBe(40);
    expect(summary.summary.functions.get('walk')).toEqual({ flat: 30, cum: 30 });
    expect(summary.summary.functions.get('main')).toEqual({ flat: 10, cum: 40 });
  });
});

// Keeps the file honest about what Go wrote: gzip magic, as readProfile expects.
it('go test writes gzipped profiles', () => {
  const data = readFileSync(join(dir, 'go-base.pprof'));
  expect([data[0], data[1]]).toEqual([0x1f, 0x8b]);
});
