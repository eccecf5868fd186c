import type { ProgressEvent } from '../core/runner-protocol.js';

// Progress goes to stdout as JSON lines, one object per line and nothing else on stdout, so the
// executor can turn it into heartbeats and the PR status line. Human logs go to stderr.

export interface Progress {
  /** Announces the step about to start. */
  start(event: Omit<Extract<ProgressEvent, { type: 'progress' }>, 'type' | 'done' | 'total'>): void;
  /** Marks `count` steps finished (skipped steps of a resumed run count as finished). */
  advance(count?: number): void;
  /** Adds `count` steps to the total (extra rounds decided on the way). */
  extend(count: number): void;
  checkpoint(event: Omit<Extract<ProgressEvent, { type: 'checkpoint' }>, 'type'>): void;
  finish(): void;
}

export function createProgress(write: (line: string) => void, planned: number): Progress {
  let done = 0;
  let total = planned;
  const emit = (event: ProgressEvent) => write(`${JSON.stringify(event)}\n`);
  return {
    start: (event) => emit({ type: 'progress', ...event, done, total }),
    advance: (count = 1) => {
      done = Math.min(total, done + count);
    },
    extend: (count) => {
      total += count;
    },
    checkpoint: (event) => emit({ type: 'checkpoint', ...event }),
    finish: () => {
      done = total;
      emit({ type: 'progress', phase: 'done', done, total });
    },
  };
}
