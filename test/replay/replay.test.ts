import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../worker/create-worker.js';
import { loadHistories } from './history-set.js';

// Every history recorded by a released version of the workflows must replay on today's code: a
// workflow still in flight at an upgrade is replayed by the new worker, and a change to its
// commands without patched() would fail it with a nondeterminism error. New sets come from
// test/replay/capture-histories.ts (see README, Development).

describe('workflow histories of released versions', () => {
  it('replay on the current workflow code without nondeterminism', async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const stored = await loadHistories();
    // A set that vanished would make this test pass without proving anything.
    expect(stored.length).toBeGreaterThanOrEqual(15);
    const failures: string[] = [];
    let replayed = 0;
    // The bundle is built as the worker builds it (worker/create-worker.ts: workflowsPath alone).
    const results = Worker.runReplayHistories(
      { workflowsPath: WORKFLOWS_PATH, replayName: 'benchbot-replay-test' },
      stored.map(({ workflowId, history }) => ({ workflowId, history })),
    );
    // One history at a time, in order: result i is stored[i] (histories share workflow ids).
    for await (const result of results) {
      const file = stored[replayed]?.file ?? `history ${replayed}`;
      replayed++;
      if (result.error) failures.push(`${file}: ${result.error.name}: ${result.error.message}`);
    }
    expect(failures, 'histories that no longer replay (wrap the change in patched())').toEqual([]);
    expect(replayed).toBe(stored.length);
  }, 180_000);
});
