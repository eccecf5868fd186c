import { join, resolve } from 'node:path';
import type { JobSpec } from '../core/job-spec.js';
import type { SideName } from '../core/results/schema.js';
import { CodeUnderTestError } from './errors.js';
import { describeOutcome, mergeEnv, runCommand } from './exec.js';

/**
 * Builds one side in its worktree with its env (side env over the build's own). Builds are never
 * pinned to CPUs: they want every core, and only the measured runs need quiet ones.
 */
export async function buildSide(
  spec: Pick<JobSpec, 'build' | 'sides'>,
  side: SideName,
  worktree: string,
  logDir: string,
  log: (line: string) => void,
): Promise<void> {
  const { build } = spec;
  if (build.command === null) return;
  const sideSpec = spec.sides[side];
  log(`building ${side} (${sideSpec.ref}): ${build.command}`);
  const timeoutMs = build.timeoutSeconds * 1000;
  const outcome = await runCommand({
    command: build.command,
    cwd: resolve(worktree, build.workdir),
    env: mergeEnv(process.env, build.env, sideSpec.env, { BENCHBOT_SIDE: side }),
    timeoutMs,
    logFile: join(logDir, `build-${side}.log`),
    logHeader: `build ${side} ${sideSpec.ref} ${sideSpec.sha}`,
    pinCpus: null,
  });
  if (outcome.exitCode === 0 && !outcome.timedOut) return;
  throw new CodeUnderTestError(
    {
      kind: 'build',
      side,
      ref: sideSpec.ref,
      sha: sideSpec.sha,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      timedOut: outcome.timedOut,
      logTail: outcome.logTail,
    },
    `the build of ${side} (${sideSpec.ref} at ${sideSpec.sha.slice(0, 12)}) ${describeOutcome(outcome, timeoutMs)}`,
  );
}
