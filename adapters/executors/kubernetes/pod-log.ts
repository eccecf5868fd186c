import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { type KubeConfig, Log } from '@kubernetes/client-node';

export interface PodRef {
  namespace: string;
  pod: string;
  container: string;
}

/** A container's log as the API serves it, each line prefixed by the kubelet's RFC 3339 timestamp. */
export interface PodLogs {
  /**
   * Streams the log from `sinceTime` (whole seconds; null: from the start) into `onText`, and
   * resolves when the server ends the stream or `signal` aborts it.
   */
  stream(
    ref: PodRef,
    options: { follow: boolean; sinceTime: string | null },
    onText: (text: string) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** pods/log through the API server (which proxies the kubelet). */
export function apiPodLogs(kubeConfig: KubeConfig): PodLogs {
  return {
    async stream(ref, options, onText, signal) {
      const decoder = new StringDecoder('utf8');
      let finish = () => {};
      const ended = new Promise<void>((resolve) => {
        finish = resolve;
      });
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          onText(decoder.write(chunk));
          callback();
        },
        final(callback) {
          onText(decoder.end());
          finish();
          callback();
        },
      });
      sink.on('close', finish);
      const controller = await new Log(kubeConfig).log(ref.namespace, ref.pod, ref.container, sink, {
        follow: options.follow,
        timestamps: true,
        ...(options.sinceTime === null ? {} : { sinceTime: options.sinceTime }),
      });
      // A dropped connection leaves the pipe open without an error; the caller's signal (an idle
      // timeout, or the pod's end) is what closes it then.
      const abort = () => {
        controller.abort();
        finish();
      };
      if (signal.aborted) abort();
      signal.addEventListener('abort', abort, { once: true });
      try {
        await ended;
      } finally {
        signal.removeEventListener('abort', abort);
      }
    },
  };
}

type Stamp = readonly [seconds: number, nanos: number];

function parseStamp(text: string): Stamp | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (m === null) return null;
  const seconds = Date.parse(`${m[1]}${m[3]}`) / 1000;
  if (Number.isNaN(seconds)) return null;
  return [seconds, Number((m[2] ?? '').padEnd(9, '0'))];
}

const compare = (a: Stamp, b: Stamp) => a[0] - b[0] || a[1] - b[1];

/**
 * Turns timestamped log text, possibly from several overlapping streams (each reopened from the
 * last whole second seen after a dropped connection), into each line exactly once.
 */
export function createLineTracker(onLine: (line: string) => void) {
  let last: Stamp | null = null;
  let seenAtLast = 0;
  let partial = '';
  let skipAtLast = 0;
  const line = (raw: string) => {
    const space = raw.indexOf(' ');
    const stamp = space === -1 ? null : parseStamp(raw.slice(0, space));
    if (stamp === null) {
      onLine(raw);
      return;
    }
    const text = raw.slice(space + 1);
    const order = last === null ? 1 : compare(stamp, last);
    if (order < 0) return;
    if (order === 0) {
      if (skipAtLast > 0) {
        skipAtLast--;
        return;
      }
      seenAtLast++;
    } else {
      last = stamp;
      seenAtLast = 1;
      skipAtLast = 0;
    }
    onLine(text);
  };
  return {
    feed(text: string) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const raw of lines) line(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    },
    /** A stream ended: an unfinished last line comes again, whole, in the next one. */
    endOfStream() {
      partial = '';
      skipAtLast = seenAtLast;
    },
    /** Where the next stream starts: the API takes whole seconds, the overlap is skipped above. */
    sinceTime(): string | null {
      return last === null ? null : new Date(last[0] * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    },
  };
}
