import { WorkflowFailedError, type WorkflowHandle, WorkflowNotFoundError } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describeProgress } from '../core/request/status-comment.js';
import type { RequestOutcome } from '../core/request/types.js';
import type { ProgressEvent } from '../core/runner-protocol.js';
import type { statusQuery } from '../workflows/index.js';

type Progress = Extract<ProgressEvent, { type: 'progress' }>;

/**
 * The runner's progress in a job activity's heartbeat, or null when this heartbeat carries none.
 * Heartbeats come in several shapes (a bare keep-alive tick, the Kubernetes executor's
 * checkpoint-only beat, a payload from a newer or foreign converter), and a follower must read
 * every one of them without failing: it only shows progress, it never decides anything.
 */
export function progressFromHeartbeat(payload: Payload | undefined): Progress | null {
  if (payload === undefined) return null;
  let details: unknown;
  try {
    details = defaultPayloadConverter.fromPayload(payload);
  } catch {
    return null;
  }
  if (typeof details !== 'object' || details === null || !('progress' in details)) return null;
  const { progress } = details as { progress: unknown };
  if (typeof progress !== 'object' || progress === null) return null;
  const event = progress as Partial<Progress>;
  return event.type === 'progress' && typeof event.phase === 'string' && typeof event.total === 'number'
    ? (event as Progress)
    : null;
}

async function latestProgress(handle: WorkflowHandle): Promise<Progress | null> {
  const description = await handle.describe();
  for (const activity of description.raw.pendingActivities ?? []) {
    if (activity.activityType?.name !== 'runJob') continue;
    const progress = progressFromHeartbeat(activity.heartbeatDetails?.payloads?.[0] ?? undefined);
    if (progress !== null) return progress;
  }
  return null;
}

/**
 * The request's outcome, waiting through a server that goes away and comes back (an embedded
 * `npm start` restarted meanwhile): only the workflow's own end, or its absence, is final.
 */
async function outcomeOf(
  handle: WorkflowHandle,
  say: (line: string) => void,
  pollMs: number,
): Promise<RequestOutcome> {
  for (;;) {
    try {
      return (await handle.result()) as RequestOutcome;
    } catch (error) {
      if (error instanceof WorkflowFailedError || error instanceof WorkflowNotFoundError) throw error;
      say(
        `lost Temporal (${error instanceof Error ? error.message : String(error)}); waiting for it to come back`,
      );
      await new Promise((r) => setTimeout(r, Math.max(pollMs, 1000)));
    }
  }
}

export interface FollowOptions {
  say: (line: string) => void;
  pollMs?: number;
}

/**
 * Prints a request's state and its runner's progress until it ends, and returns its outcome.
 * A poll that fails (the worker restarting, so the status query has no one to answer it; the
 * server briefly away) is said once and followed by the next one: only the workflow's result ends
 * the loop, so the report is never lost to the terminal.
 */
export async function followRequest(
  handle: WorkflowHandle,
  query: typeof statusQuery,
  { say, pollMs = 1000 }: FollowOptions,
): Promise<RequestOutcome> {
  let finished = false;
  const result = outcomeOf(handle, say, pollMs).finally(() => {
    finished = true;
  });
  let last = '';
  // A bare keep-alive heartbeat replaces the one with progress on the server; until the runner
  // says something new, the last progress line stays the news.
  let progress: Progress | null = null;
  while (!finished) {
    let line: string;
    try {
      const [status, latest] = await Promise.all([handle.query(query), latestProgress(handle)]);
      const active = status.state === 'queued' || status.state === 'building' || status.state === 'running';
      progress = active ? (latest ?? progress) : null;
      const position =
        status.state === 'queued' && status.queuePosition ? ` (position ${status.queuePosition})` : '';
      line = progress ? describeProgress(progress) : `${status.state}${position}`;
    } catch (error) {
      if (finished) break;
      line = `no answer yet, still following (${error instanceof Error ? error.message : String(error)})`;
    }
    if (line !== last) say(line);
    last = line;
    await Promise.race([result.catch(() => {}), new Promise((r) => setTimeout(r, pollMs))]);
  }
  return result;
}
