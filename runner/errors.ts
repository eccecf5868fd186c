import type { CodeUnderTestFailure } from '../core/runner-protocol.js';

export { RUNNER_EXIT as EXIT } from '../core/runner-protocol.js';

/** A failure of the code or refs being benchmarked: reported to the PR, never retried. */
export class CodeUnderTestError extends Error {
  constructor(
    readonly failure: CodeUnderTestFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Input the runner cannot use (bad spec, foreign checkpoint, bad options). */
export class InvalidInputError extends Error {}
