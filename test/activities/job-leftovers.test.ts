import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createJobActivities, type RunJobInput } from '../../activities/job-activities.js';
import { createLocalExecutor, type RunnerIsolation } from '../../adapters/executors/local.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { checkpointArtifactKey } from '../../core/results/claim-check.js';
import { testConfig } from '../integration/test-config.js';

// A job's checkpoint stays in the results store for the attempt that resumes from it; when no
// attempt will (the last one failed, or the failure is final), it goes: nothing else would ever
// remove it. Real local executor and runner, real SQLite store, a real Temporal client.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-job-leftovers-'));
const SHA = 'a'.repeat(40);
let store: StoreAccess;
let connection: Connection;

const config = testConfig(`
version: 1
results: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }
repos:
  - name: acme/gone
    url: ${JSON.stringify(`file://${join(dir, 'no-such-repository')}`)}
    build: { command: "true" }
    benchmarks:
      - { name: hot, command: "true", output: { path: hot.txt, format: go-bench } }
`);

beforeAll(async () => {
  store = createStoreAccess(config, process.env);
  connection = await Connection.connect({ address: inject('temporalAddress') });
});

afterAll(async () => {
  await store?.close();
  await connection?.close();
  await rm(dir, { recursive: true, force: true });
});

function jobs(isolation: RunnerIsolation) {
  return createJobActivities({
    config,
    store,
    logger: pino({ level: 'silent' }),
    executor: createLocalExecutor({
      workRoot: join(dir, 'work'),
      hostEnv: process.env,
      passEnv: [],
      isolation,
      wallTimeMs: 600_000,
      logger: pino({ level: 'silent' }),
    }),
    publishStatus: async () => 0,
    pullRequestHead: async () => SHA,
  });
}

const side = { ref: 'main', label: 'main', sha: SHA, env: {} };
const input = (reason: RunJobInput['reason']): RunJobInput => ({
  repo: 'acme/gone',
  benchmarks: ['hot'],
  baseline: side,
  changed: side,
  reason,
  pullRequest: reason === 'pr-comment' ? 7 : null,
  status: null,
  byReference: true,
});

/** runJob as attempt `attempt` of 5 of the workflow `workflowId`'s job, its checkpoint in the store. */
async function attempt(
  workflowId: string,
  n: number,
  isolation: RunnerIsolation,
  reason: RunJobInput['reason'],
): Promise<unknown> {
  await store.use((s) => s.putArtifact(checkpointArtifactKey(workflowId), Buffer.from('{"kept":true}')));
  const env = new MockActivityEnvironment(
    {
      activityType: 'runJob',
      attempt: n,
      retryPolicy: { maximumAttempts: 5, nonRetryableErrorTypes: ['CodeUnderTestFailure'] },
      workflowExecution: { workflowId, runId: 'r' },
    },
    { client: new Client({ connection }), logger: quiet },
  );
  return env
    .run(() => jobs(isolation).runJob(input(reason)))
    .then(
      () => null,
      (error: unknown) => error,
    );
}

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const checkpointOf = (workflowId: string) =>
  store.use((s) => s.getArtifact(checkpointArtifactKey(workflowId)));
const unsandboxed: RunnerIsolation = { kind: 'unsandboxed', refusal: null };

describe("a failed job's checkpoint in the results store", () => {
  it('stays for the next attempt after a retryable failure', async () => {
    const failure = await attempt('bench:acme/gone:manual:retry', 2, unsandboxed, 'manual');
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure)).toMatch(/the retry resumes from its checkpoint/);
    expect(await checkpointOf('bench:acme/gone:manual:retry')).not.toBeNull();
  });

  it('goes when the last attempt fails', async () => {
    const failure = await attempt('bench:acme/gone:manual:last', 5, unsandboxed, 'manual');
    expect(String(failure)).toMatch(/the retry resumes from its checkpoint/);
    expect(await checkpointOf('bench:acme/gone:manual:last')).toBeNull();
  });

  it('goes when the failure is final, whatever the attempt', async () => {
    const refusing: RunnerIsolation = { kind: 'unsandboxed', refusal: 'bubblewrap is not installed' };
    const failure = await attempt('bench:acme/gone:comment:1', 1, refusing, 'pr-comment');
    expect(failure).toMatchObject({ type: 'SandboxUnavailable', nonRetryable: true });
    expect(await checkpointOf('bench:acme/gone:comment:1')).toBeNull();
  });
});
