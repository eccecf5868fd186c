import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportActivities } from '../../activities/report-activities.js';
import { createTrunkActivities } from '../../activities/trunk-activities.js';
import type { ExecutorOutcome } from '../../adapters/executors/executor.js';
import { createLocalExecutor } from '../../adapters/executors/local.js';
import { createGitHubSession } from '../../adapters/github/session.js';
import { jobProfiles, putJobProfiles, runProfiles } from '../../adapters/profiles/job-profiles.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { jobCheckpoints, putJobResults } from '../../adapters/results-store/job-artifacts.js';
import type { JobSpec } from '../../core/job-spec.js';
import { testConfig } from '../integration/test-config.js';
import {
  makeProfiledGoRepo,
  type ProfiledGoRepo,
  profiledBenchmark,
  profiledJobSpec,
  REMOVED_HELPER,
} from '../profile/go-profiles.js';

// Profiles on the claim check's path, on a real SQLite store: the local executor brings back what
// the runner captured (a real Go module whose change inlined a helper), the job keeps them as
// artifacts next to its results, the report shows them for the benchmark that changed, and
// recording the run keeps them under the run's id after the job's artifacts are gone.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-profiles-by-ref-'));
let store: StoreAccess;
let repo: ProfiledGoRepo;

beforeAll(() => {
  repo = makeProfiledGoRepo(dir);
  const config = testConfig(
    `version: 1\nresults: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }\nrepos: []\n`,
  );
  store = createStoreAccess(config, process.env);
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const spec = (): JobSpec =>
  profiledJobSpec(repo, [profiledBenchmark('work')], { scheme: 'balanced-random', seed: 3 });

describe('profiles by reference', () => {
  const ref = 'bench:acme/work:manual:profiles';
  let outcome: ExecutorOutcome;

  beforeAll(async () => {
    const executor = createLocalExecutor({
      workRoot: join(dir, 'work'),
      hostEnv: process.env,
      passEnv: [],
      isolation: { kind: 'unsandboxed', refusal: null },
      wallTimeMs: 600_000,
      logger: pino({ level: 'silent' }),
    });
    const never = new AbortController().signal;
    outcome = await executor.run(
      { spec: spec(), key: ref, checkpoints: jobCheckpoints(store, ref, () => {}) },
      { onProgress: () => {}, heartbeat: () => {}, signal: never, shutdown: never },
    );
  }, 300_000);

  it('the local executor brings back both profiles with the results', () => {
    expect(outcome.kind).toBe('results');
    if (outcome.kind !== 'results') return;
    expect(outcome.profiles?.manifest.profiles.map((p) => [p.benchmark, p.sides])).toEqual([
      ['work', ['baseline', 'changed']],
    ]);
    expect(outcome.profiles?.files.map((f) => [f.side, f.data[0], f.data[1]])).toEqual([
      ['baseline', 0x1f, 0x8b],
      ['changed', 0x1f, 0x8b],
    ]);
  });

  it('the report shows the profile of the benchmark that changed; the record keeps it with the run', async () => {
    if (outcome.kind !== 'results' || !outcome.profiles) throw new Error('no profiles');
    // What the job activity's keepResults does with them.
    await putJobProfiles(store, ref, outcome.profiles);
    await putJobResults(store, ref, outcome.text);

    const reports = createReportActivities(store);
    const { markdown } = await reports.compareRun({ ref });
    expect(markdown).toMatch(/\| `Process` \| .* \| ✅ -\d+\.\d% faster \|/);
    expect(markdown).toContain('### CPU profiles of the changed benchmarks');
    expect(markdown).toContain('<details><summary>`work`</summary>');
    expect(markdown).toMatch(
      /\| `example\.com\/work\.checksumHelper` \(baseline only\) \| [\d.]+ m?s \([\d.]+%\) \| 0 ns \(0\.0%\) \| -[\d.]+ m?s \(-100\.0%\) \|/,
    );

    const runId = ref;
    expect(await reports.recordRun({ ref, runId, pullRequest: null })).toBe(runId);
    expect(await jobProfiles(store, ref)).toBeNull();
    expect(await store.use((s) => s.getArtifact(`${ref}:profile:work:baseline`))).toBeNull();
    const kept = await runProfiles(store, runId, 'x86-64-linux');
    expect(kept?.manifest.profiles.map((p) => p.benchmark)).toEqual(['work']);
    expect(await kept?.load('work', 'changed')).toEqual(outcome.profiles.files[1]?.data);
    expect((await store.use((s) => s.runReport(runId)))?.report).toBe(markdown);
    expect(markdown).toContain(REMOVED_HELPER);
  });

  it('a trunk run shows them in its platform section and keeps them with the run', async () => {
    if (outcome.kind !== 'results' || !outcome.profiles) throw new Error('no profiles');
    const jobKey = 'trunk:acme/work:main:profiles:x86-64-linux';
    await putJobProfiles(store, jobKey, outcome.profiles);
    await putJobResults(store, jobKey, outcome.text);
    const config = testConfig('version: 1\nrepos: []\n');
    const logger = pino({ level: 'silent' });
    const trunk = createTrunkActivities({
      config,
      store,
      github: createGitHubSession({ config, env: { GITHUB_TOKEN: 'unused' }, logger }),
      logger,
    });
    const runId = 'trunk:acme/work:main:profiles';
    const commit = { sha: repo.shas.changed, parents: 1, committedAt: 1_700_000_000, subject: 'inline' };
    await trunk.recordTrunkRun({
      runId,
      repo: 'acme/work',
      branch: 'main',
      reason: 'schedule',
      plan: {
        kind: 'run',
        mode: 'normal',
        windowSeconds: 0,
        queueDepth: 0,
        pick: commit,
        range: { from: commit.sha, to: commit.sha, count: 1 },
        skipped: [],
      },
      baselineSha: repo.shas.baseline,
      platforms: [{ platform: 'x86-64-linux', status: 'ok', ref: jobKey }],
    });
    const report = (await store.use((s) => s.runReport(runId)))?.report ?? '';
    expect(report).toContain('### CPU profiles of the changed benchmarks');
    expect(report).toContain(`\`${REMOVED_HELPER}\` (baseline only)`);
    expect(await jobProfiles(store, jobKey)).toBeNull();
    expect((await runProfiles(store, runId, 'x86-64-linux'))?.manifest.profiles[0]?.benchmark).toBe('work');
  });

  it("benchbot profile save writes the run's profiles, which benchbot profile diff reads", () => {
    const configFile = join(dir, 'benchbot.yaml');
    writeFileSync(
      configFile,
      `version: 1\nresults: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }\nrepos: []\n`,
    );
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/benchbot.js', '-c', configFile, 'profile', ...args], {
        encoding: 'utf8',
      });
    const saved = cli('save', ref, '--out', join(dir, 'saved'));
    expect(saved.stderr).toBe('');
    expect(saved.stdout.trim().split('\n')).toEqual([
      join(dir, 'saved/work.baseline.pprof'),
      join(dir, 'saved/work.changed.pprof'),
    ]);
    const diff = cli('diff', join(dir, 'saved/work.baseline.pprof'), join(dir, 'saved/work.changed.pprof'));
    expect(diff.status).toBe(0);
    expect(diff.stdout).toContain(`\`${REMOVED_HELPER}\` (baseline only)`);
    const none = cli('save', 'bench:acme/work:manual:nothing', '--out', join(dir, 'none'));
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('no run "bench:acme/work:manual:nothing" is recorded');
  });
});
