import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { furthest, parseCheckpoint } from '../../core/checkpoint.js';
import {
  type CodeUnderTestFailure,
  describeCheckpoint,
  type ProgressEvent,
  parseProgressLine,
  RUNNER_EXIT,
} from '../../core/runner-protocol.js';
import {
  type Executor,
  type ExecutorHooks,
  type ExecutorJob,
  type ExecutorOutcome,
  workerShutdown,
} from './executor.js';

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

/**
 * The runner as a child process in its own process group, so a cancel or a timeout stops it and
 * everything it started (builds, benchmarks) with one signal.
 */
export function createLocalExecutor(workRoot: string, env: Record<string, string>): Executor {
  return {
    async run(job: ExecutorJob, hooks: ExecutorHooks): Promise<ExecutorOutcome> {
      const dir = join(workRoot, safeName(job.key));
      const out = join(dir, 'out');
      await mkdir(out, { recursive: true });
      const specFile = join(dir, 'spec.json');
      await writeFile(specFile, `${JSON.stringify(job.spec, null, 2)}\n`);
      // Every process of this job (the runner, builds, benchmarks and what they fork) inherits
      // this marker, so even the ones a killed worker left behind can be found and stopped.
      const marker = `BENCHBOT_JOB=${dir}`;
      await killMarked(marker);
      const checkpointFile = join(out, 'checkpoint.json');
      await resumeFrom(job, checkpointFile);

      const child = spawn(
        process.execPath,
        [RUNNER, '--spec', specFile, '--out', out, '--work-dir', join(dir, 'src')],
        {
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...env, BENCHBOT_JOB: dir },
        },
      );
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
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      const ticker = setInterval(() => hooks.heartbeat(), HEARTBEAT_MS);
      let stoppedFor: 'cancel' | 'shutdown' | null = null;
      const stopFor = (reason: 'cancel' | 'shutdown') => () => {
        stoppedFor ??= reason;
        // The runner stops its commands on SIGTERM and exits; its checkpoint is already on disk.
        killGroup(child.pid, 'SIGTERM');
        setTimeout(() => void killMarked(marker), KILL_GRACE_MS).unref();
      };
      const onCancel = stopFor('cancel');
      const onShutdown = stopFor('shutdown');
      hooks.signal.addEventListener('abort', onCancel, { once: true });
      hooks.shutdown.addEventListener('abort', onShutdown, { once: true });
      try {
        const [code, signal] = await exited;
        await saved;
        if (stoppedFor === 'cancel') return { kind: 'cancelled' };
        if (code === RUNNER_EXIT.ok)
          return { kind: 'results', text: await readFile(join(out, 'results.json'), 'utf8') };
        if (code === RUNNER_EXIT.codeUnderTest) {
          const failure = JSON.parse(
            await readFile(join(out, 'failure.json'), 'utf8'),
          ) as CodeUnderTestFailure;
          return { kind: 'code-under-test', failure };
        }
        if (code === RUNNER_EXIT.invalidInput) return { kind: 'invalid-input', message: tail(stderr, 20) };
        // A job that finished as the worker stopped keeps its outcome; one cut short is handed on.
        if (stoppedFor === 'shutdown') {
          const last = seen.checkpoint;
          // The last heartbeat before the attempt fails is what the Web UI shows for it.
          if (last !== null) hooks.onProgress(last);
          throw workerShutdown(
            `the worker shut down during the job; the retry resumes from the runner's checkpoint${last === null ? '' : ` (${describeCheckpoint(last)})`}`,
          );
        }
        throw new Error(
          `the runner ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; the retry resumes from its checkpoint.\n${tail(stderr, 20)}`,
        );
      } finally {
        clearInterval(ticker);
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

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
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
