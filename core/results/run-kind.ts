import type { RunReason } from './schema.js';

// The kinds of recorded run people ask for by name (`benchbot runs --reason`, the dashboard's Runs
// filter): a pull request's A/B, a `benchbot run`, or a run in a branch's history.

export const RUN_KINDS = ['pull-request', 'manual', 'trunk'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

export const isRunKind = (text: string): text is RunKind => (RUN_KINDS as readonly string[]).includes(text);

/** A run that belongs to a branch is trunk history; otherwise a pull-request comment's or a manual A/B. */
export function runKind(run: { branch: string | null; reason: RunReason }): RunKind {
  if (run.branch !== null) return 'trunk';
  return run.reason === 'pr-comment' ? 'pull-request' : 'manual';
}
