import { mkdtempSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffProfileData } from '../../adapters/profiles/decode.js';
import type { JobSpec } from '../../core/job-spec.js';
import { parseProfileManifest } from '../../core/profile/manifest.js';
import { parseResults } from '../../core/results/schema.js';
import {
  makeProfiledGoRepo,
  type ProfiledGoRepo,
  profiledBenchmark,
  profiledJobSpec,
  REMOVED_HELPER,
} from '../profile/go-profiles.js';
import { runRunner, writeSpec } from './fixture-repo.js';

// The runner takes each side's profile in an extra run after the measured rounds, on a real Go
// module whose change inlined a helper; a resumed job takes only what is missing.

const root = mkdtempSync(join(tmpdir(), 'benchbot-runner-profiles-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let repo: ProfiledGoRepo;
beforeAll(() => {
  repo = makeProfiledGoRepo(root);
});

function spec(): JobSpec {
  return profiledJobSpec(
    repo,
    [
      profiledBenchmark('work'),
      {
        ...profiledBenchmark('broken', 'exit 7'),
        command: 'true',
        output: { path: null, format: 'wall-clock' },
      },
    ],
    { scheme: 'abba', seed: 1 },
  );
}

const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; phase?: string; side?: string; benchmark?: string });

describe('profiles in the runner', () => {
  const out = join(root, 'out');
  let first: Awaited<ReturnType<typeof runRunner>>;
  beforeAll(async () => {
    first = await runRunner(['--spec', await writeSpec(root, spec()), '--out', out]);
  }, 300_000);

  it('takes both profiles after every measured round, untimed', () => {
    expect(first.code, first.stderr).toBe(0);
    const progress = events(first.stdout).filter((e) => e.type === 'progress');
    const lastRun = progress.findLastIndex((e) => e.phase === 'run');
    const profiling = progress.filter((e) => e.phase === 'profile');
    expect(profiling.map((e) => `${e.benchmark} ${e.side}`)).toEqual([
      'work baseline',
      'work changed',
      'broken baseline',
      'broken changed',
    ]);
    expect(progress.findIndex((e) => e.phase === 'profile')).toBeGreaterThan(lastRun);
  });

  it('lists them in the manifest with the results of their benchmark', async () => {
    const parsed = parseProfileManifest(await readFile(join(out, 'profiles/manifest.json'), 'utf8'), 'm');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.manifest.profiles).toEqual([
      {
        benchmark: 'work',
        sides: ['baseline', 'changed'],
        results: [{ name: 'Process', group: { kind: 'benchmark', name: 'example.com/work' } }],
      },
    ]);
  });

  it('keeps a failed profile a warning, with every benchmark measured', async () => {
    const parsed = parseResults(await readFile(join(out, 'results.json'), 'utf8'), 'results.json');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    expect(parsed.results.benchmarks.every((b) => b.status === 'ok')).toBe(true);
    expect(parsed.results.run.warnings).toContain(
      'broken: no baseline profile: the profile command exited with code 7',
    );
  });

  it('took real CPU profiles: the inlined helper goes to zero', async () => {
    const read = async (side: string) => ({
      data: await readFile(join(out, `profiles/work.${side}.pprof`)),
      name: side,
    });
    const result = diffProfileData(await read('baseline'), await read('changed'), { top: 5 });
    if (!result.ok) throw new Error(result.error);
    const helper = result.diff.byFlat.find((f) => f.name === REMOVED_HELPER);
    expect(helper?.presentIn).toBe('baseline');
    expect(helper?.changed.flat).toBe(0);
  });

  it('a resumed job takes the missing profile and measures nothing again', async () => {
    const before = await readFile(join(out, 'results.json'), 'utf8');
    await rm(join(out, 'profiles/work.changed.pprof'));
    const again = await runRunner(['--spec', await writeSpec(root, spec()), '--out', out]);
    expect(again.code, again.stderr).toBe(0);
    const phases = events(again.stdout)
      .filter((e) => e.type === 'progress')
      .map((e) => `${e.phase} ${e.benchmark ?? ''} ${e.side ?? ''}`.trim());
    expect(phases.filter((p) => p.startsWith('run') || p.startsWith('warmup'))).toEqual([]);
    expect(phases).toContain('profile work changed');
    expect(phases).not.toContain('profile work baseline');
    expect((await stat(join(out, 'profiles/work.changed.pprof'))).size).toBeGreaterThan(0);
    const after = parseResults(await readFile(join(out, 'results.json'), 'utf8'), 'r');
    const earlier = parseResults(before, 'r');
    if (!after.ok || !earlier.ok) throw new Error('unreadable results');
    expect(after.results.benchmarks.map((b) => b.samples)).toEqual(
      earlier.results.benchmarks.map((b) => b.samples),
    );
  }, 300_000);
});
