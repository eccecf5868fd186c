import type { SideView } from './status-comment.js';

/** A trigger comment on a pull request, as the poller or webhook saw it. No secrets, by design. */
export interface CommentSource {
  kind: 'comment';
  repo: string;
  pr: number;
  commentId: number;
  requester: string;
  /** GitHub's author_association of the comment. */
  association: string;
  body: string;
}

/** `benchbot run`: the same path without GitHub. Refs are resolved in the repository itself. */
export interface ManualSource {
  kind: 'manual';
  repo: string;
  requester: string;
  benchmarks: string[];
  baseline: { ref: string; env: Record<string, string> };
  changed: { ref: string; env: Record<string, string> };
}

export type RequestSource = CommentSource | ManualSource;

export interface BenchmarkRequestInput {
  source: RequestSource;
}

export interface JobSide extends SideView {
  sha: string;
  env: Record<string, string>;
}

export type RequestOutcome =
  | { outcome: 'not-a-trigger' }
  | { outcome: 'invalid'; errors: number }
  | { outcome: 'unauthorized' }
  | { outcome: 'limited'; active: number }
  | { outcome: 'replied'; kind: 'queue' | 'cancel' }
  /** The report is in the results store under `runId`; requests from before it stayed there carry it here. */
  | { outcome: 'done'; summary: string; runId: string; report?: string }
  | { outcome: 'failed'; step: string; message: string }
  /** The pull request's head moved to `sha` before the job started (`trigger.onPush: supersede`). */
  | { outcome: 'superseded'; sha: string };
