import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { furthest, parseCheckpoint } from '../../core/checkpoint.js';
import { JOB_TIMED_OUT, SANDBOX_UNAVAILABLE } from '../../core/request/contract.js';
import { runnerEnv } from '../../core/runner-env.js';
import {
  type CodeUnderTestFailure,
  describeCheckpoint,
  type ProgressEvent,
  parseProgressLine,
} from '../../core/runner-protocol.js';
import { COMMAND_SANDBOX_ENV, type JobSandbox } from '../../core/sandbox.js';
import { readJobProfiles } from '../profiles/job-profiles.js';
import {
  type Executor,
  type ExecutorHooks,
  type ExecutorJob,
  type ExecutorOutcome,
  workerShutdown,
} from './executor.js';
import { localRepository, prepareJobSandbox, type SandboxSettings, spawnBox } from './local-sandbox.js';
import { outcomeOfRunnerExit } from './runner-exit.js';

const RUNNER = fileURLToPath(new URL('../../runner/bin.js', import.meta.url));
const KILL_GRACE_MS = 10_000;
const HEARTBEAT_MS = 10_000;

/** A directory name from a workflow id: readable, and unique because the id is. */
function safeName(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** How the local executor runs the runner; see local-sandbox.ts and README's Security section. */
export type RunnerIsolation =
  | { kind: 'sandbox'; settings: SandboxSettings }
  /**
   * `refusal` says why pull-request runs are refused (the sandbox was asked for but cannot run);
   * null when the config chose `sandbox: none`, and they run unsandboxed.
   */
  | { kind: 'unsandboxed'; refusal: string | null };

export interface LocalExecutorOptions {
  workRoot: string;
  /** The worker's environment; only what runner-env.ts allows of it reaches a job. */
  hostEnv: Readonly<Record<string, string | undefined>>;
  passEnv: readonly string[];
  isolation: RunnerIsolation;
  /** executor.local.limits.wallMinutes, in ms. */
  wallTimeMs: number;
  logger: Logger;
}

/** The per-job home and caches: builds write there, not into the worker's home. */
function jobFolders(dir: string) {
  return {
    HOME: join(dir, 'home'),
    TMPDIR: join(dir, 'tmp'),
    XDG_CACHE_HOME: join(dir, 'cache'),
    CARGO_HOME: join(dir, 'cache', 'cargo'),
    GOPATH: join(dir, 'cache', 'go'),
    GOCACHE: join(dir, 'cache', 'go-build'),
  };
}

interface StartedRunner {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Asks the runner to stop (it saves its checkpoint and kills its commands). */
  terminate(): void;
  /** Stops the runner and everything it started, now. */
  kill(): void;
}

/**
 * The runner as a child process in its own process group, so a cancel or a timeout stops it and
 * everything it started (builds, benchmarks) with one signal.
 */
function startUnsandboxed(
  argv: readonly string[],
  env: Record<string, string>,
  marker: string,
): StartedRunner {
  const [file, ...args] = argv;
  const child = spawn(file as string, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
  return {
    child,
    terminate: () => killGroup(child.pid, 'SIGTERM'),
    kill: () => void killMarked(marker),
  };
}

/**
 * The runner in its job box. A stop kills the box: everything in it goes at once, and the runner's
 * checkpoint (written atomically after each benchmark) keeps what was finished. bwrap's
 * `--die-with-parent` does the same when the worker dies.
 */
function startSandboxed(box: JobSandbox, env: Record<string, string>): StartedRunner {
  const child = spawnBox(box, env, 'pipe') as ChildProcessByStdio<null, Readable, Readable>;
  const kill = () => killPid(child.pid);
  return { child, terminate: kill, kill };
}

export function createLocalExecutor(options: LocalExecutorOptions): Executor {
  const { workRoot, isolation, logger } = options;
  return {
    async run(job: ExecutorJob, hooks: ExecutorHooks): Promise<ExecutorOutcome> {
      if (isolation.kind === 'unsandboxed') {
        if (isolation.refusal !== null && job.spec.reason === 'pr-comment')
          throw ApplicationFailure.nonRetryable(
            `this worker runs no code from pull requests unsandboxed, and it cannot sandbox them: ${isolation.refusal}. Fix the sandbox, or set executor.local.sandbox: none in benchbot's config to run pull requests unsandboxed (every status comment then says so).`,
            SANDBOX_UNAVAILABLE,
          );
        logger.warn(
          { job: job.key, reason: isolation.refusal ?? 'executor.local.sandbox: none' },
          'running a job unsandboxed',
        );
      }
      // The activity holds this worker's slot: the runner starts now.
      await hooks.beforeStart?.();
      const dir = join(workRoot, safeName(job.key));
      const out = join(dir, 'out');
      const folders = jobFolders(dir);
      const made = [out, folders.HOME, folders.TMPDIR, folders.XDG_CACHE_HOME];
      for (const folder of made) await mkdir(folder, { recursive: true });
      const specFile = join(dir, 'spec.json');
      await writeFile(specFile, `${JSON.stringify(job.spec, null, 2)}\n`);
      // Every process of this job (the runner, builds, benchmarks and what they fork) inherits
      // this marker, so even the ones a killed worker left behind can be found and stopped.
      const marker = `BENCHBOT_JOB=${dir}`;
      await killMarked(marker);
      const checkpointFile = join(out, 'checkpoint.json');
      await resumeFrom(job, checkpointFile);

      const argv = [
        process.execPath,
        RUNNER,
        '--spec',
        specFile,
        '--out',
        out,
        '--work-dir',
        join(dir, 'src'),
      ];
      const sandboxed = isolation.kind === 'sandbox';
      const repository = localRepository(job.spec.url);
      // A repository on this machine belongs to another uid than the job's: git reads it only when
      // the global config (the job's own, in its home) says so.
      if (repository !== null)
        await writeFile(join(folders.HOME, '.gitconfig'), `[safe]\n\tdirectory = ${repository}/.git\n`);
      const env = runnerEnv(options.hostEnv, options.passEnv, {
        ...folders,
        BENCHBOT_JOB: dir,
        ...(sandboxed ? { [COMMAND_SANDBOX_ENV]: 'bubblewrap' } : {}),
      });
      const runner = sandboxed
        ? startSandboxed(
            await prepareJobSandbox({
              settings: isolation.settings,
              jobKey: job.key,
              jobDir: dir,
              ownedPaths: [...made, specFile],
              repositoryUrl: job.spec.url,
              command: argv,
            }),
            env,
          )
        : startUnsandboxed(argv, env, marker);
      const { child } = runner;
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = tail(stderr + chunk.toString(), 200);
      });
      const seen: { checkpoint: Extract<ProgressEvent, { type: 'checkpoint' }> | null } = {
        checkpoint: null,
      };
      // Each checkpoint goes to the store, for a retry on another machine (this disk is not shared).
      let saved: Promise<void> = Promise.resolve();
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = parseProgressLine(line);
        if (event === null) return;
        if (event.type === 'checkpoint') {
          seen.checkpoint = event;
          // One after another: each reads the file as it is then, never an older one after a newer.
          saved = saved.then(() =>
            readFile(checkpointFile, 'utf8').then(
              (text) => job.checkpoints.save(text),
              () => undefined,
            ),
          );
        }
        hooks.onProgress(event);
      });
      // A runner that cannot even start (a tool missing since the start-up check) is lost infrastructure.
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
        child.once('exit', (code, signal) => resolve([code, signal]));
        child.once('error', reject);
      });
      const ticker = setInterval(() => hooks.heartbeat(), HEARTBEAT_MS);
      let stoppedFor: 'cancel' | 'shutdown' | 'wall-time' | null = null;
      const stopFor = (reason: 'cancel' | 'shutdown' | 'wall-time') => () => {
        stoppedFor ??= reason;
        // Unboxed, the runner stops its commands on SIGTERM and exits; its checkpoint is on disk.
        runner.terminate();
        setTimeout(runner.kill, KILL_GRACE_MS).unref();
      };
      const onCancel = stopFor('cancel');
      const onShutdown = stopFor('shutdown');
      hooks.signal.addEventListener('abort', onCancel, { once: true });
      hooks.shutdown.addEventListener('abort', onShutdown, { once: true });
      const wallTimer = setTimeout(stopFor('wall-time'), options.wallTimeMs);
      try {
        const [code, signal] = await exited;
        await saved;
        if (stoppedFor === 'cancel') return { kind: 'cancelled' };
        if (stoppedFor === 'wall-time')
          throw ApplicationFailure.nonRetryable(
            `the job ran longer than executor.local.limits.wallMinutes (${Math.round(options.wallTimeMs / 60_000)} min) and was stopped`,
            JOB_TIMED_OUT,
          );
        return await outcomeOfRunnerExit(code, {
          results: async () => ({
            text: await readFile(join(out, 'results.json'), 'utf8'),
            profiles: await readJobProfiles(out),
          }),
          failure: async () =>
            JSON.parse(await readFile(join(out, 'failure.json'), 'utf8')) as CodeUnderTestFailure,
          invalidInputMessage: () => tail(stderr, 20),
          infrastructure: () => {
            // A job that finished as the worker stopped keeps its outcome; one cut short is handed on.
            if (stoppedFor === 'shutdown') {
              const last = seen.checkpoint;
              // The last heartbeat before the attempt fails is what the Web UI shows for it.
              if (last !== null) hooks.onProgress(last);
              return workerShutdown(
                `the worker shut down during the job; the retry resumes from the runner's checkpoint${last === null ? '' : ` (${describeCheckpoint(last)})`}`,
              );
            }
            return new Error(
              `the runner ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; the retry resumes from its checkpoint.\n${tail(stderr, 20)}`,
            );
          },
        });
      } finally {
        clearInterval(ticker);
        clearTimeout(wallTimer);
        hooks.signal.removeEventListener('abort', onCancel);
        hooks.shutdown.removeEventListener('abort', onShutdown);
      }
    },
  };
}

/**
 * Puts the job's furthest checkpoint where the runner resumes from: its own file when this machine
 * ran the job before, or the store's, written by whichever worker ran the previous attempt.
 */
async function resumeFrom(job: ExecutorJob, file: string): Promise<void> {
  const parse = (text: string | null) => {
    const parsed = text === null ? null : parseCheckpoint(text);
    return parsed?.ok ? parsed.checkpoint : null;
  };
  const stored = await job.checkpoints.load().catch(() => null);
  const storedCheckpoint = parse(stored);
  if (stored === null || storedCheckpoint === null) return;
  const local = parse(await readFile(file, 'utf8').catch(() => null));
  if (furthest(local, storedCheckpoint) === storedCheckpoint) await writeFile(file, stored);
}

/**
 * Stops every process that carries the job's marker in its environment. A worker killed outright
 * leaves its runner (and the runner's commands, each in a process group of its own) running; the
 * retry stops them first, so two runs never share a checkpoint or a machine.
 */
async function killMarked(marker: string): Promise<void> {
  const marked = async () => {
    const pids: number[] = [];
    for (const entry of await readdir('/proc').catch(() => [])) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) continue;
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
      if (environ.split('\0').includes(marker)) pids.push(pid);
    }
    return pids;
  };
  for (let round = 0; round < 50; round++) {
    const pids = await marked();
    if (pids.length === 0) return;
    for (const pid of pids) killPid(pid);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function killPid(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}
