import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_VERSION,
  type Checkpoint,
  type CheckpointBenchmark,
  hasAllSamples,
} from '../core/checkpoint.js';
import { assembleResults, benchmarkStatus } from '../core/job-results.js';
import type { JobBenchmark, JobSpec } from '../core/job-spec.js';
import { SIDES, serializeResults } from '../core/results/schema.js';
import { RUNNER_EXIT } from '../core/runner-protocol.js';
import { runAdaptiveRounds } from './adaptive-rounds.js';
import { writeFileAtomic } from './atomic-write.js';
import { buildSide } from './build.js';
import { captureProfiles, profilesToCapture, writeProfileManifest } from './capture-profiles.js';
import { readCheckpoint, specDigest, writeCheckpoint } from './checkpoint.js';
import { CodeUnderTestError, InvalidInputError } from './errors.js';
import { git } from './git.js';
import { noiseWarnings, readMachineFacts } from './machine-facts.js';
import { createProgress } from './progress.js';
import { runBenchmark } from './run-benchmark.js';
import { prepareWorktrees, type Worktrees } from './workspace.js';

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
    const previous = await readCheckpoint(options.checkpointFile ?? checkpointPath, spec, log);
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
      checkpointVersion: CHECKPOINT_VERSION,
      specDigest: specDigest(spec),
      attempts: [
        ...(previous?.attempts ?? []),
        {
          attempt,
          startedAt: options.now().toISOString(),
          machine,
          warnings,
          runnerVersion: options.runnerVersion,
        },
      ],
      benchmarks: previous?.benchmarks ?? [],
      ...(previous?.look === undefined ? {} : { look: previous.look }),
    };
    await writeCheckpoint(checkpointPath, checkpoint);

    const entryOf = (name: string) => checkpoint.benchmarks.find((b) => b.name === name);
    const isDone = (name: string) => (entryOf(name)?.status ?? 'running') !== 'running';
    const finished = () => checkpoint.benchmarks.filter((b) => b.status !== 'running').length;
    const todo = spec.benchmarks.filter((b) => !isDone(b.name));
    const steps = (b: (typeof spec.benchmarks)[number]) => 2 * (b.warmups + b.iterations);
    const buildSteps = spec.build.command === null ? 0 : SIDES.length;
    const total = buildSteps + spec.benchmarks.reduce((sum, b) => sum + steps(b), 0);
    const progress = createProgress(options.writeProgress, total);
    progress.advance(spec.benchmarks.filter((b) => isDone(b.name)).reduce((sum, b) => sum + steps(b), 0));
    if (checkpoint.benchmarks.length > 0) {
      const rounds = checkpoint.benchmarks
        .filter((b) => b.status === 'running' && b.rounds.length > 0)
        .map((b) => `, ${b.rounds.length} rounds of ${b.name}`);
      log(
        `attempt ${attempt}: resuming, ${finished()} of ${spec.benchmarks.length} benchmarks already done${rounds.join('')}`,
      );
    }

    // Cloned and built on first need: a resumed job may have nothing left to measure.
    let worktrees: Worktrees | null = null;
    const checkout = async (): Promise<Worktrees> => {
      if (worktrees !== null) return worktrees;
      progress.start({ phase: 'clone' });
      const prepared = await prepareWorktrees(spec, workDir, log);
      for (const side of buildSteps > 0 ? SIDES : []) {
        progress.start({ phase: 'build', side });
        await buildSide(spec, side, prepared[side], logDir, log);
        progress.advance();
      }
      worktrees = prepared;
      return prepared;
    };
    const of = spec.benchmarks.length;
    const measure = async (benchmark: JobBenchmark, rounds: number, warmups: number) => {
      const trees = await checkout();
      let entry: CheckpointBenchmark | undefined = entryOf(benchmark.name);
      if (entry === undefined) {
        entry = { name: benchmark.name, status: 'running', attempt, rounds: [], warnings: [] };
        checkpoint.benchmarks.push(entry);
      }
      entry.attempt = attempt;
      const left = rounds - entry.rounds.length;
      log(`${benchmark.name}: ${warmups} warm-up and ${left} measured rounds`);
      await runBenchmark(
        { spec, worktrees: trees, attempt, pinCpus, logDir, progress, log },
        { ...benchmark, iterations: rounds, warmups },
        entry,
        async (round) => {
          await writeCheckpoint(checkpointPath, checkpoint);
          const status = 'running';
          progress.checkpoint({
            benchmark: benchmark.name,
            status,
            round,
            rounds,
            attempt,
            completed: finished(),
            of,
          });
        },
      );
      await writeCheckpoint(checkpointPath, checkpoint);
      const status = benchmarkStatus(entry);
      progress.checkpoint({ benchmark: benchmark.name, status, attempt, completed: finished(), of });
      log(`${benchmark.name}: ${status} after ${entry.rounds.length} rounds`);
    };
    for (const benchmark of todo) await measure(benchmark, benchmark.iterations, benchmark.warmups);
    await runAdaptiveRounds({
      spec,
      checkpoint,
      log,
      progress,
      measure,
      saveLook: async (look) => {
        await writeCheckpoint(checkpointPath, checkpoint);
        const first = look.benchmarks[0];
        if (first === undefined) return;
        const status = entryOf(first.name)?.status ?? 'ok';
        progress.checkpoint({ benchmark: first.name, status, attempt, completed: finished(), of });
      },
    });

    // Profiles come after every measured round (adaptive ones too), so none is slowed by them; a
    // job resumed after its rounds still takes the ones it misses.
    const profiling = await profilesToCapture(spec, checkpoint, outDir);
    if (profiling.length > 0) {
      progress.extend(2 * profiling.length);
      const context = { spec, worktrees: await checkout(), pinCpus, outDir, logDir, progress, log };
      await captureProfiles(context, profiling, checkpoint);
      await writeCheckpoint(checkpointPath, checkpoint);
    }
    await writeProfileManifest(spec, checkpoint, outDir);

    if (!hasAllSamples(checkpoint)) {
      // Resumed from a ledger (on Kubernetes): the earlier rounds' samples are with the executor,
      // which assembles the results from its copy of the checkpoint.
      progress.finish();
      log('done; the executor holds the earlier rounds and assembles the results');
      return RUNNER_EXIT.ok;
    }
    const assembled = assembleResults(spec, checkpoint, options.now().toISOString());
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
