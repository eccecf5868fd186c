import { randomUUID } from 'node:crypto';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openResultsStore } from '../../adapters/results-store/index.js';
import { commentRequestId } from '../../core/request/ids.js';
import { benchmarkRequest } from '../../workflows/index.js';
import { withWorker } from '../integration/worker-harness.js';
import { triggerComment } from '../support/trigger-comment.js';
import { type FakeCluster, startFakeCluster } from './fake-cluster.js';
import { BOT, REPO, type RequestWorld, startRequestWorld } from './request-world.js';

// Retry from the Web UI: a request whose runner image could not be pulled fails and says so in its
// status comment; once the image is there, an operator Resets the workflow to before its job (the
// Web UI's Reset calls ResetWorkflowExecution, as this test does). The new run measures, and the
// report lands in the same status comment: no second comment, one run in the store.

const EventType = temporal.api.enums.v1.EventType;

let world: RequestWorld;

vi.setConfig({ testTimeout: 240_000 });

beforeAll(async () => {
  world = await startRequestWorld('reset');
});

afterAll(async () => {
  await world?.stop();
});

const config = () =>
  world.config({
    pendingGraceSeconds: 3,
    benchmarks: [
      '{ name: hot, command: "node dist/bench.js hot > hot.txt", output: { path: hot.txt, format: go-bench }, iterations: 3, warmups: 0, timeoutMinutes: 2 }',
    ],
  });

describe('Reset of a failed request (the Web UI’s ResetWorkflowExecution)', () => {
  it('runs the job again and reports in the same status comment, once', async () => {
    const { plane, fake } = world;
    const pr = await world.openPullRequest();
    const body = 'run benchmark hot';
    const source = triggerComment(fake, REPO, pr, body);
    const workflowId = commentRequestId(REPO, source.commentId);
    const botComments = () => fake.comments(REPO, pr).filter((c) => c.author === BOT);
    let statusCommentId: number | undefined;
    let cluster: FakeCluster = await startFakeCluster({
      kubeConfig: plane.kubeConfig,
      mode: 'image-pull-error',
    });
    try {
      await withWorker(
        config(),
        async ({ client, taskQueue }) => {
          const failed = await client.workflow.start(benchmarkRequest, {
            taskQueue,
            workflowId,
            args: [{ source }],
          });
          expect(await failed.result()).toMatchObject({
            outcome: 'failed',
            message: expect.stringMatching(/ImagePullBackOff/),
          });
          expect(botComments()).toHaveLength(1);
          expect(botComments()[0]?.body).toMatch(/ImagePullBackOff/);
          statusCommentId = botComments()[0]?.id;

          // The image can be pulled now.
          await cluster.stop();
          cluster = await startFakeCluster({ kubeConfig: plane.kubeConfig });

          // What the Web UI's Reset does with "reset to" the workflow task that scheduled the job.
          const events = (await failed.fetchHistory()).events ?? [];
          const scheduled = events.findIndex(
            (e) =>
              e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED &&
              e.activityTaskScheduledEventAttributes?.activityType?.name === 'runJob',
          );
          const taskBefore = events
            .slice(0, scheduled)
            .reverse()
            .find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
          expect(taskBefore).toBeDefined();
          const { runId } = await client.workflowService.resetWorkflowExecution({
            namespace: config().temporal.namespace,
            workflowExecution: { workflowId, runId: failed.firstExecutionRunId },
            reason: 'the runner image is published now',
            workflowTaskFinishEventId: taskBefore?.eventId,
            requestId: randomUUID(),
          });
          const reset = client.workflow.getHandle(workflowId, runId ?? undefined);
          expect(await reset.result()).toMatchObject({ outcome: 'done' });
        },
        { env: world.env },
      );
    } finally {
      await cluster.stop();
    }
    // The same status comment now holds the report; no second one was posted.
    const comments = botComments();
    expect(comments).toHaveLength(1);
    expect(comments[0]?.id).toBe(statusCommentId);
    expect(comments[0]?.body).toContain('✅ done');
    expect(comments[0]?.body).toMatch(/`Hot`[^\n]*slower/);
    const store = await openResultsStore(config(), process.env, { readonly: true });
    try {
      const runs = await store.listRuns({ repository: REPO, limit: 10 });
      expect(runs.map((r) => r.runId)).toEqual([workflowId]);
    } finally {
      await store.close();
    }
  });
});
