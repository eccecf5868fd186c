import { gunzipSync } from 'node:zlib';
import type { V1Pod } from '@kubernetes/client-node';
import { type Checkpoint, parseCheckpoint } from '../../../core/checkpoint.js';
import { createFrameDecoder, type FramedFile, type FramedFileName } from '../../../core/pod-log-frames.js';
import { type ProgressEvent, parseProgressLine } from '../../../core/runner-protocol.js';
import { sleep } from './api.js';
import { RUNNER_CONTAINER, sha256 } from './job-manifest.js';
import { createLineTracker, type PodLogs } from './pod-log.js';

// The runner's side of the conversation: its pod's log, followed while it runs and read to the end
// when it stops. Every line counts once, in order, even across reconnects and pods.

const HUMAN_TAIL_LINES = 40;

/** The plain bytes of a framed file, or null when they do not match their digest. */
function unframe(file: { payload: string; sha256: string }): Buffer | null {
  try {
    const data = gunzipSync(Buffer.from(file.payload, 'base64'));
    return sha256(data) === file.sha256 ? data : null;
  } catch {
    return null;
  }
}

export function parsedOrNull(text: string | null): Checkpoint | null {
  const parsed = text === null ? null : parseCheckpoint(text);
  return parsed?.ok ? parsed.checkpoint : null;
}

export interface RunnerLogOptions {
  logs: PodLogs;
  namespace: string;
  /** Cuts the retries of a final read short. */
  cancel: AbortSignal;
  onCheckpoint(checkpoint: Checkpoint): void;
  onProgress(event: ProgressEvent): void;
}

export interface RunnerLog {
  /** The framed files that came through intact, by name (the newest of each). */
  files: Map<FramedFileName, Buffer>;
  /** The runner's last human-readable lines, for an error message. */
  tail(): string;
  /** Follows the pod's log in the background (a no-op when it already follows that pod). */
  startFollowing(pod: string): void;
  stopFollowing(): Promise<void>;
  /** Reads what the follower has not seen yet (all of it if there was none). */
  readRest(pod: V1Pod | null, timeoutMs: number): Promise<void>;
}

export function createRunnerLog(options: RunnerLogOptions): RunnerLog {
  const { logs, namespace } = options;
  const files = new Map<FramedFileName, Buffer>();
  const human: string[] = [];
  const decoder = createFrameDecoder();
  const onFile = (file: FramedFile) => {
    const data = unframe(file);
    if (data === null) return;
    files.set(file.name, data);
    const incoming = file.name === 'checkpoint.json' ? parsedOrNull(data.toString('utf8')) : null;
    if (incoming !== null) options.onCheckpoint(incoming);
  };
  const tracker = createLineTracker((line) => {
    const file = decoder.push(line);
    if (file !== null) return onFile(file);
    if (decoder.inFrame || line.startsWith('{"type":"file-')) return;
    const event = parseProgressLine(line);
    if (event !== null) return options.onProgress(event);
    human.push(line);
    if (human.length > HUMAN_TAIL_LINES) human.shift();
  });

  let follow: { pod: string; stop: AbortController; done: Promise<void> } | null = null;
  const stopFollowing = async () => {
    if (follow === null) return;
    follow.stop.abort();
    await follow.done;
    follow = null;
  };
  const startFollowing = (pod: string) => {
    if (follow?.pod === pod) return;
    const stop = new AbortController();
    const ref = { namespace, pod, container: RUNNER_CONTAINER };
    const done = (async () => {
      while (!stop.signal.aborted) {
        await logs
          .stream(ref, { follow: true, sinceTime: tracker.sinceTime() }, (t) => tracker.feed(t), stop.signal)
          .catch(() => {});
        tracker.endOfStream();
        await sleep(1_000, stop.signal);
      }
    })();
    follow = { pod, stop, done };
  };
  const readRest = async (pod: V1Pod | null, timeoutMs: number) => {
    await stopFollowing();
    const podName = pod?.metadata?.name;
    if (podName === undefined) return;
    const ref = { namespace, pod: podName, container: RUNNER_CONTAINER };
    for (let i = 0; i < 3; i++) {
      try {
        await logs.stream(
          ref,
          { follow: false, sinceTime: tracker.sinceTime() },
          (t) => tracker.feed(t),
          AbortSignal.timeout(timeoutMs),
        );
        tracker.endOfStream();
        return;
      } catch {
        tracker.endOfStream();
        await sleep(1_000, options.cancel);
      }
    }
  };
  return { files, tail: () => human.join('\n'), startFollowing, stopFollowing, readRest };
}
