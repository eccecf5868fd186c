import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, RawValue } from '@temporalio/common';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import type { ProgressEvent } from '../../core/runner-protocol.js';
import { followRequest, progressFromHeartbeat } from '../../starter/follow-request.js';
import { answerSignal, heartbeatShapes, statusQuery } from './heartbeat-shapes/workflow.js';

const progress: ProgressEvent = {
  type: 'progress',
  phase: 'run',
  side: 'changed',
  benchmark: 'startup',
  round: 3,
  rounds: 5,
  done: 8,
  total: 12,
};
const checkpoint = { checkpoint: { payload: 'eyJkb25lIjpbXX0=', sha256: 'ab'.repeat(32) } };
/** What a converter benchbot does not have would write: an encoding the default one cannot read. */
const opaque: Payload = {
  metadata: { encoding: new TextEncoder().encode('binary/encrypted') },
  data: new Uint8Array([1, 2, 3]),
};

describe('reading a job heartbeat', () => {
  it('finds the progress in a heartbeat that carries it', () => {
    expect(progressFromHeartbeat(defaultPayloadConverter.toPayload({ progress }))).toEqual(progress);
  });

  it('reads a bare keep-alive, a checkpoint-only beat and an undecodable payload as no progress', () => {
    expect(progressFromHeartbeat(defaultPayloadConverter.toPayload(undefined))).toBeNull();
    expect(progressFromHeartbeat(defaultPayloadConverter.toPayload(checkpoint))).toBeNull();
    expect(
      progressFromHeartbeat(defaultPayloadConverter.toPayload({ progress: { type: 'checkpoint' } })),
    ).toBeNull();
    expect(progressFromHeartbeat(defaultPayloadConverter.toPayload(null))).toBeNull();
    expect(progressFromHeartbeat(defaultPayloadConverter.toPayload('a string'))).toBeNull();
    expect(progressFromHeartbeat(opaque)).toBeNull();
    expect(progressFromHeartbeat(undefined)).toBeNull();
  });
});

type Shape = 'bare' | 'checkpoint' | 'opaque' | 'progress';

/** Which heartbeat shape a describe answer shows for the pending `runJob`, if any. */
function shapeIn(payload: Payload | null | undefined): Shape | null {
  if (!payload?.metadata) return null;
  const encoding = new TextDecoder().decode(payload.metadata.encoding ?? undefined);
  if (encoding === 'binary/null') return 'bare';
  if (encoding === 'binary/encrypted') return 'opaque';
  const text = new TextDecoder().decode(payload.data ?? undefined);
  if (text.includes('"checkpoint"')) return 'checkpoint';
  return text.includes('"progress"') ? 'progress' : null;
}

async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('following a request (benchbot run) on a real Temporal server', () => {
  it('survives a status query that fails and every heartbeat shape, then prints the outcome', async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    const address = inject('temporalAddress');
    const taskQueue = `follow-${randomUUID()}`;
    // Every shape the follower has been shown by the server, so the job moves on only once the
    // follower has read the shape it heartbeats (no timing guesses).
    const seen = new Set<Shape>();
    const said: string[] = [];
    const beats: Record<Shape, () => unknown> = {
      bare: () => undefined,
      checkpoint: () => checkpoint,
      opaque: () => RawValue.fromPayload(opaque),
      progress: () => ({ progress }),
    };
    const activities = {
      async runJob(): Promise<void> {
        for (const shape of ['bare', 'checkpoint', 'opaque', 'progress'] as const) {
          Context.current().heartbeat(beats[shape]());
          await waitFor(() => seen.has(shape));
        }
        await waitFor(() => said.some((line) => line.startsWith('running startup')));
      },
    };
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath: fileURLToPath(new URL('./heartbeat-shapes/workflow.ts', import.meta.url)),
      activities,
      maxHeartbeatThrottleInterval: '50 milliseconds',
    });
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    try {
      await worker.runUntil(async () => {
        const real = await client.workflow.start(heartbeatShapes, {
          taskQueue,
          workflowId: `follow-${randomUUID()}`,
        });
        // The real handle, watched: each describe answer notes the heartbeat shape it showed.
        const handle = new Proxy(real, {
          get(target, key, receiver) {
            if (key !== 'describe') return Reflect.get(target, key, receiver);
            return async () => {
              const description = await target.describe();
              for (const activity of description.raw.pendingActivities ?? []) {
                const shape = shapeIn(activity.heartbeatDetails?.payloads?.[0]);
                if (shape !== null) seen.add(shape);
              }
              return description;
            };
          },
        }) as WorkflowHandle;
        const following = followRequest(handle, statusQuery, { say: (line) => said.push(line), pollMs: 50 });
        await waitFor(() => said.some((line) => line.startsWith('no answer yet')));
        await real.signal(answerSignal);
        const outcome = await following;
        expect(outcome).toMatchObject({ outcome: 'done', report: 'the report' });
      });
    } finally {
      await connection.close();
      await nativeConnection.close();
    }
    expect([...seen]).toEqual(['bare', 'checkpoint', 'opaque', 'progress']);
    expect(said[0]).toMatch(/^no answer yet, still following \(.*not answering yet/);
    // Once the query answers, no heartbeat shape makes a poll fail.
    expect(said.slice(1).filter((line) => line.startsWith('no answer yet'))).toEqual([]);
    expect(said).toContain('running');
    expect(said).toContain('running startup (changed): round 3/5 · step 9/12');
    expect(said.indexOf('running')).toBeLessThan(
      said.indexOf('running startup (changed): round 3/5 · step 9/12'),
    );
  });
});
