import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ExecutorJob } from '../../adapters/executors/executor.js';
import { createLocalExecutor } from '../../adapters/executors/local.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { jobCheckpoints } from '../../adapters/results-store/job-artifacts.js';
import { parseCheckpoint } from '../../core/checkpoint.js';
import { WORKER_SHUTDOWN } from '../../core/request/contract.js';
import { parseResults } from '../../core/results/index.js';
import type { ProgressEvent } from '../../core/runner-protocol.js';
import { testConfig } from '../integration/test-config.js';
import { benchmark, type FixtureRepo, makeFixtureRepo, makeSpec } from './fixture-repo.js';

vi.setConfig({ testTimeout: 120_000 });

// A deployment's workers do not share a disk: a job stopped on one machine resumes on another from
// the checkpoint the first worker kept in the results store, by round.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-local-resume-'));
let fixture: FixtureRepo;
let store: StoreAccess;

/** A worker's local executor on a machine of its own (work folder); the sandbox is not what is tested. */
const executorOn = (workRoot: string) =>
  createLocalExecutor({
    workRoot,
    hostEnv: process.env,
    passEnv: [],
    isolation: { kind: 'unsandboxed', refusal: null },
    wallTimeMs: 600_000,
    logger: pino({ level: 'silent' }),
  });

beforeAll(async () => {
  fixture = await makeFixtureRepo();
  const config = testConfig(
    `version: 1\nresults: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }\nrepos: []\n`,
  );
  store = createStoreAccess(config, process.env);
});

afterAll(async () => {
  await store?.close();
  await rm(dir, { recursive: true, force: true });
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

function hooksFor(onEvent: (event: ProgressEvent) => void, shutdown = new AbortController().signal) {
  return { onProgress: onEvent, heartbeat: () => {}, signal: new AbortController().signal, shutdown };
}

describe('the local executor across machines', () => {
  it('a job stopped after two rounds on one worker resumes on another from the stored checkpoint', async () => {
    const key = 'bench:acme/widget:comment:resume';
    const job: ExecutorJob = {
      spec: makeSpec(fixture, 'slow', [benchmark('hot', { iterations: 5, warmups: 1 })]),
      key,
      checkpoints: jobCheckpoints(store, key, (message, error) => {
        throw new Error(`${message}: ${String(error)}`);
      }),
    };
    const shutdown = new AbortController();
    const first = executorOn(join(dir, 'machine-a'));
    await expect(
      first.run(
        job,
        hooksFor((e) => {
          if (e.type === 'checkpoint' && e.round === 1) shutdown.abort();
        }, shutdown.signal),
      ),
    ).rejects.toMatchObject({ type: WORKER_SHUTDOWN, message: expect.stringMatching(/hot at round 2 of 5/) });
    const stored = parseCheckpoint((await job.checkpoints.load()) ?? '');
    expect(stored.ok && stored.checkpoint.benchmarks[0]?.rounds.map((r) => r.round)).toEqual([0, 1]);

    // Another machine: an empty work directory, the same store.
    const events: ProgressEvent[] = [];
    const second = executorOn(join(dir, 'machine-b'));
    const outcome = await second.run(
      job,
      hooksFor((e) => events.push(e)),
    );
    expect(outcome.kind).toBe('results');
    if (outcome.kind !== 'results') return;
    // Only rounds 2 to 4 ran here (after the warm-up, run again on this machine).
    const rounds = events.filter((e) => e.type === 'checkpoint' && e.status === 'running');
    expect(rounds.map((e) => (e.type === 'checkpoint' ? e.round : null))).toEqual([2, 3, 4]);
    const parsed = parseResults(outcome.text, 'results.json');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const [hot] = parsed.results.benchmarks;
    for (const side of [hot?.samples.baseline, hot?.samples.changed]) {
      expect(side?.map((s) => [s.round, s.attempt])).toEqual([
        [0, 1],
        [1, 1],
        [2, 2],
        [3, 2],
        [4, 2],
      ]);
    }
  });
});
