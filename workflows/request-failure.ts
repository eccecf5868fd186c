import { ApplicationFailure } from '@temporalio/workflow';
import { CODE_UNDER_TEST_FAILURE, SUPERSEDED } from '../core/request/contract.js';
import type { FailureView } from '../core/request/status-comment.js';

// How a benchmark request reads the error its job ended with.

/** The head a job found the pull request at when it refused to start (see SUPERSEDED), or null. */
export function supersedingHead(err: unknown): string | null {
  const cause = err instanceof Error && err.cause instanceof ApplicationFailure ? err.cause : null;
  if (cause?.type !== SUPERSEDED) return null;
  const details = (cause.details?.[0] ?? {}) as { sha?: unknown };
  return typeof details.sha === 'string' ? details.sha : null;
}

/** What the PR is told when a run fails: which side, which step, and the end of the log. */
export function describeFailure(err: unknown): FailureView {
  const cause = err instanceof Error && err.cause instanceof ApplicationFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const details = (cause.details?.[0] ?? {}) as Partial<FailureView>;
    return {
      step: details.step ?? (cause.type === CODE_UNDER_TEST_FAILURE ? 'run' : 'request'),
      message: cause.message,
      ...(details.side ? { side: details.side } : {}),
      ...(details.logTail ? { logTail: details.logTail } : {}),
    };
  }
  return { step: 'infrastructure', message: err instanceof Error ? err.message : String(err) };
}
