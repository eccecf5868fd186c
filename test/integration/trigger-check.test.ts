import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { REPOSITORY, STATE } from '../../core/search-attributes.js';
import { triggerCheck } from '../../workflows/index.js';
import { DATAFUSION_LIKE, testConfig } from './test-config.js';
import { withWorker } from './worker-harness.js';

const config = testConfig(DATAFUSION_LIKE);

describe('triggerCheck workflow on a real Temporal dev server', () => {
  it('validates a trigger through the worker and records search attributes', async () => {
    await withWorker(config, async ({ client, taskQueue }) => {
      const workflowId = `test-trigger-${randomUUID()}`;
      const result = await client.workflow.execute(triggerCheck, {
        taskQueue,
        workflowId,
        args: [
          {
            repo: 'apache/datafusion',
            comment: 'run benchmark tpch clickbench_1\nenv:\n  RUST_LOG: debug\n',
          },
        ],
      });
      expect(result).toMatchObject({
        trigger: true,
        request: { kind: 'run', benchmarks: ['tpch', 'clickbench_1'] },
      });
      const description = await client.workflow.getHandle(workflowId).describe();
      expect(description.typedSearchAttributes.get(REPOSITORY)).toBe('apache/datafusion');
      expect(description.typedSearchAttributes.get(STATE)).toBe('done');
    });
  });

  it('returns user mistakes as values, naming the unknown benchmark', async () => {
    await withWorker(config, async ({ client, taskQueue }) => {
      const result = await client.workflow.execute(triggerCheck, {
        taskQueue,
        workflowId: `test-trigger-${randomUUID()}`,
        args: [{ repo: 'apache/datafusion', comment: 'run benchmark tpch nosuch' }],
      });
      expect(result.trigger).toBe(true);
      expect(JSON.stringify(result)).toContain('nosuch');
    });
  });

  it('fails without retrying for a repository that is not configured', async () => {
    await withWorker(config, async ({ client, taskQueue }) => {
      const failure = await client.workflow
        .execute(triggerCheck, {
          taskQueue,
          workflowId: `test-trigger-${randomUUID()}`,
          args: [{ repo: 'someone/else', comment: 'run benchmarks' }],
        })
        .catch((err: unknown) => err);
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      const activity = (failure as WorkflowFailedError).cause;
      expect(activity).toBeInstanceOf(ActivityFailure);
      expect((activity as ActivityFailure).retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
      expect((activity as ActivityFailure).cause?.message).toContain(
        'repository someone/else is not configured',
      );
    });
  });
});
