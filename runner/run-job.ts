import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobSpec } from '../core/job-spec.js';
import { SIDES, serializeResults } from '../core/results/schema.js';
import { RUNNER_EXIT } from '../core/runner-protocol.js';
import { writeFileAtomic } from './atomic-write.js';
import { buildSide } from './build.js';
import { type Checkpoint, readCheckpoint, specDigest, writeCheckpoint } from './checkpoint.js';
import { CodeUnderTestError, InvalidInputError } from './errors.js';
import { git } from './git.js';
import { noiseWarnings, readMachineFacts } from './machine-facts.js';
import { createProgress } from './progress.js';
import { assembleResults, withoutCollisions } from './results-file.js';
import { runBenchmark } from './run-benchmark.js';
import { prepareWorktrees } from './workspace.js';

export interface JobOptions {
  spec: JobSpec;
  outDir: string;
  /** Clone and worktrees; default <outDir>/work. */
  workDir?: string;
  /** Where to resume from; default <outDir>/checkpoint.json. The checkpoint is always written there. */
  checkpointFile?: string;
  /** Default: one more than the checkpoint's last attempt, 1 without one. */
  attempt?: number;
  /** Overrides the spec's pinCpus. */
  pinCpus?: number[] | null;
  runnerVersion: string;
  /** Progress JSON lines. */
  writeProgress: (line: string) => void;
  /** Human-readable log lines. */
  log: (line: string) => void;
  now: () => Date;
}

async function tasksetWorks(cpus: readonly number[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('taskset', ['-c', cpus.join(','), 'true'], (error, _stdout, stderr) => {
      resolve(error === null ? null : stderr.trim() || error.message);
    });
  });
}

async function gitVersion(): Promise<boolean> {
  return (await git(['--version'])).ok;
}

/** Runs the job; returns the process exit code (see EXIT). */
export async function runJob(options: JobOptions): Promise<number> {
  const { spec, outDir, log } = options;
  const workDir = options.workDir ?? join(outDir, 'work');
  const logDir = join(outDir, 'logs');
  const checkpointPath = join(outDir, 'checkpoint.json');
  const failurePath = join(outDir, 'failure.json');
  try {
    await mkdir(logDir, { recursive: true });
    await rm(failurePath, { force: true });
    const previous = await readCheckpoint(options.checkpointFile ?? checkpointPath, spec);
    const lastAttempt = Math.max(0, ...(previous?.attempts.map((a) => a.attempt) ?? []));
    const attempt = options.attempt ?? lastAttempt + 1;
    if (!(await gitVersion()))
      throw new Error('git is not installed or not on PATH; the runner image needs it');

    let pinCpus = options.pinCpus === undefined ? spec.pinCpus : options.pinCpus;
    const warnings: string[] = [];
    if (pinCpus !== null) {
      const problem = await tasksetWorks(pinCpus);
      if (problem !== null) {
        warnings.push(`could not pin to CPUs ${pinCpus.join(',')} (${problem}); ran unpinned`);
        pinCpus = null;
      }
    }
    const machine = await readMachineFacts(pinCpus);
    warnings.push(...noiseWarnings(machine));
    for (const warning of warnings) log(`warning: ${warning}`);

    const checkpoint: Checkpoint = {
      checkpointVersion: 1,
      specDigest: specDigest(spec),
      attempts: [
        ...(previous?.attempts ?? []),
        { attempt, startedAt: options.now().toISOString(), machine, warnings },
      ],
      completed: previous?.completed ?? [],
    };
    await writeCheckpoint(checkpointPath, checkpoint);

    const isDone = (name: string) => checkpoint.completed.some((c) => c.name === name);
    const todo = spec.benchmarks.filter((b) => !isDone(b.name));
    const steps = (b: (typeof spec.benchmarks)[number]) => 2 * (b.warmups + b.iterations);
    const buildSteps = spec.build.command === null ? 0 : SIDES.length;
    const total = buildSteps + spec.benchmarks.reduce((sum, b) => sum + steps(b), 0);
    const progress = createProgress(options.writeProgress, total);
    progress.advance(spec.benchmarks.filter((b) => isDone(b.name)).reduce((sum, b) => sum + steps(b), 0));
    if (checkpoint.completed.length > 0) {
      log(
        `attempt ${attempt}: resuming, ${checkpoint.completed.length} of ${spec.benchmarks.length} benchmarks already done`,
      );
    }

    if (todo.length > 0) {
      progress.start({ phase: 'clone' });
      const worktrees = await prepareWorktrees(spec, workDir, log);
      for (const side of buildSteps > 0 ? SIDES : []) {
        progress.start({ phase: 'build', side });
        await buildSide(spec, side, worktrees[side], logDir, log);
        progress.advance();
      }
      for (const benchmark of todo) {
        log(`${benchmark.name}: ${benchmark.warmups} warm-up and ${benchmark.iterations} measured rounds`);
        const ran = await runBenchmark(
          { spec, worktrees, attempt, pinCpus, logDir, progress, log },
          benchmark,
        );
        const entry = withoutCollisions(checkpoint.completed, ran);
        checkpoint.completed.push(entry);
        await writeCheckpoint(checkpointPath, checkpoint);
        progress.checkpoint({
          benchmark: benchmark.name,
          status: entry.status,
          attempt,
          completed: checkpoint.completed.length,
          of: spec.benchmarks.length,
        });
        log(`${benchmark.name}: ${entry.status}`);
      }
    }

    const assembled = assembleResults(spec, checkpoint, options.now().toISOString(), options.runnerVersion);
    if (!assembled.ok) throw new Error(assembled.error);
    await writeFileAtomic(join(outDir, 'results.json'), serializeResults(assembled.results));
    progress.finish();
    log(`results written to ${join(outDir, 'results.json')}`);
    return RUNNER_EXIT.ok;
  } catch (error) {
    if (error instanceof CodeUnderTestError) {
      await writeFileAtomic(
        failurePath,
        `${JSON.stringify({ ...error.failure, message: error.message }, null, 2)}\n`,
      );
      log(`error: ${error.message}`);
      if (error.failure.kind === 'build' && error.failure.logTail !== '') log(error.failure.logTail);
      return RUNNER_EXIT.codeUnderTest;
    }
    if (error instanceof InvalidInputError) {
      log(`error: ${error.message}`);
      return RUNNER_EXIT.invalidInput;
    }
    log(`error: ${error instanceof Error ? error.message : String(error)}`);
    return RUNNER_EXIT.infrastructure;
  }
}
