import { BatchV1Api } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it, vi } from 'vitest';
import { createSlots } from '../../adapters/executors/kubernetes/slots.js';
import { SUPERSEDED } from '../../core/request/contract.js';
import { attempt, hooks, kubeHarness, waitFor } from './executor-harness.js';

vi.setConfig({ testTimeout: 120_000 });

// A job that waited for one of its platform's slots (another worker's job held it) is asked
// whether to start only once it has the slot: with trigger.onPush: supersede, the job activity
// reads the pull request's head there, so the wait cannot make it measure an outdated head.

const harness = kubeHarness();

describe('a job refused when it gets its slot', () => {
  it('is asked after the wait, makes no Job, and gives the slot back', async () => {
    const { namespace, cluster, config } = await harness.setup();
    const kubeConfig = harness.plane().kubeConfig;
    const slotsOfWorker = () => createSlots({ kubeConfig, namespace, platform: 'x86-64-linux', count: 1 });
    const [other, mine] = [slotsOfWorker(), slotsOfWorker()];
    const never = new AbortController().signal;
    try {
      // Another worker's job holds the platform's only slot.
      expect(await other.acquire('other-job', never, () => {})).toBe(true);
      const asked: number[] = [];
      const { beats, context } = attempt(1);
      const refused = harness
        .executorFor(config, context, 300, { slots: mine })
        .run(harness.jobOf(harness.spec(), 'bench:acme/widget:comment:refused'), {
          ...hooks().hooks,
          beforeStart: async () => {
            asked.push(Date.now());
            throw ApplicationFailure.nonRetryable('the head moved', SUPERSEDED);
          },
        });
      const failed = refused.then(
        () => null,
        (error: unknown) => error,
      );
      await waitFor('the job to wait for the slot', () => beats.some((b) => b.phase === 'waiting-for-slot'));
      expect(asked).toEqual([]);

      await other.release('other-job');
      expect(await failed).toMatchObject({ type: SUPERSEDED });
      expect(asked).toHaveLength(1);
      const jobs = await kubeConfig.makeApiClient(BatchV1Api).listNamespacedJob({ namespace });
      expect(jobs.items).toEqual([]);
      // The slot is free for the next job at once, not after the grace of a holder without a Job.
      expect(await other.acquire('next-job', AbortSignal.timeout(5_000), () => {})).toBe(true);
    } finally {
      await cluster.stop();
    }
  });
});
