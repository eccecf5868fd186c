import type { RunReason } from '../results/schema.js';
import type { TriggerRequest } from '../trigger.js';
import type { CommentSource, ManualSource } from './types.js';

export type RunTrigger = Extract<TriggerRequest, { kind: 'run' }>;

/**
 * Where the two sides' commits are looked up: on a pull request, a null ref is its default (merge
 * base, head); in the repository itself (`benchbot run`) both refs are named.
 */
export type SidesToResolve =
  | { in: 'pull-request'; prNumber: number; baseline: string | null; changed: string | null }
  | { in: 'repository'; baseline: string; changed: string };

/**
 * Everything a benchmark run takes from what asked for it, decided once before the run starts, so
 * the run itself reads the same for a pull-request comment and for `benchbot run`.
 */
export interface RunPlan {
  repo: string;
  requester: string;
  benchmarks: string[];
  /** What was asked, as the status comment quotes it. */
  command: string;
  reason: Extract<RunReason, 'pr-comment' | 'manual'>;
  /** The pull request and the comment that asked: status, reactions and replies go there. */
  pullRequest: { number: number; commentId: number } | null;
  sides: SidesToResolve;
  env: { baseline: Record<string, string>; changed: Record<string, string> };
  /** The changed side is the pull request's head as it is now, so new commits outdate the run. */
  followsHead: boolean;
}

export function planCommentRun(source: CommentSource, request: RunTrigger): RunPlan {
  return {
    repo: source.repo,
    requester: source.requester,
    benchmarks: request.benchmarks,
    command: (source.body.split('\n').find((line) => line.trim() !== '') ?? '').trim(),
    reason: 'pr-comment',
    pullRequest: { number: source.pr, commentId: source.commentId },
    sides: {
      in: 'pull-request',
      prNumber: source.pr,
      baseline: request.baseline.ref,
      changed: request.changed.ref,
    },
    env: { baseline: request.baseline.env, changed: request.changed.env },
    followsHead: request.changed.ref === null,
  };
}

export function planManualRun(source: ManualSource): RunPlan {
  return {
    repo: source.repo,
    requester: source.requester,
    benchmarks: source.benchmarks,
    command: `benchbot run ${source.benchmarks.join(' ')}`,
    reason: 'manual',
    pullRequest: null,
    sides: { in: 'repository', baseline: source.baseline.ref, changed: source.changed.ref },
    env: { baseline: source.baseline.env, changed: source.changed.env },
    followsHead: false,
  };
}
