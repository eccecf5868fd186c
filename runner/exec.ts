import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { COMMAND_SANDBOX_ENV, commandSandboxArgv } from '../core/sandbox.js';

// Runs one shell command of the code under test: in its own process group, so a timeout or a
// cancelled job kills the whole tree (cargo, the benchmark binary, anything it forked).

export const LOG_TAIL_LINES = 100;
const KILL_GRACE_MS = 5_000;
// After the shell exits, how long to wait for a grandchild still holding stdout open.
const PIPE_DRAIN_MS = 2_000;
const TAIL_KEEP_CHARS = 256 * 1024;

export interface CommandRun {
  command: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Appended to; a header line names the run. */
  logFile: string;
  logHeader: string;
  /** taskset -c list; null runs unpinned. */
  pinCpus: readonly number[] | null;
}

export interface CommandOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** From spawn to the shell's exit, for commands the runner times itself. */
  elapsedNs: bigint;
  /** The last LOG_TAIL_LINES lines of stdout and stderr together. */
  logTail: string;
}

const running = new Set<ChildProcess>();

/** Kills every command still running (used on SIGTERM, so a cancelled job leaves nothing behind). */
export function killRunningCommands(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export function lastLines(text: string, count: number): string {
  const lines = text.replace(/\n$/, '').split('\n');
  return lines.slice(-count).join('\n');
}

export function mergeEnv(
  ...layers: ReadonlyArray<Readonly<Record<string, string | undefined>>>
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) env[key] = value;
  }
  return env;
}

export async function runCommand(run: CommandRun): Promise<CommandOutcome> {
  const log = createWriteStream(run.logFile, { flags: 'a' });
  log.write(`\n===== ${run.logHeader}\n$ ${run.command}\n`);
  const shell = ['/bin/sh', '-c', run.command];
  // In the local executor's sandbox each command gets a box of its own (core/sandbox.ts).
  const boxed = process.env[COMMAND_SANDBOX_ENV] === 'bubblewrap' ? commandSandboxArgv(shell) : shell;
  const [file, ...args] = run.pinCpus === null ? boxed : ['taskset', '-c', run.pinCpus.join(','), ...boxed];
  let tail = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    tail += chunk.toString('utf8');
    if (tail.length > TAIL_KEEP_CHARS) tail = tail.slice(-TAIL_KEEP_CHARS / 2);
  };
  const started = process.hrtime.bigint();
  const child = spawn(file as string, args, {
    cwd: run.cwd,
    env: run.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const closed = once(child, 'close').catch(() => undefined);

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timeout = setTimeout(() => {
    timedOut = true;
    killGroup(child, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
  }, run.timeoutMs);

  const { exitCode, signal, spawnError } = await new Promise<{
    exitCode: number | null;
    signal: string | null;
    spawnError?: Error;
  }>((resolve) => {
    child.once('error', (error) => resolve({ exitCode: null, signal: null, spawnError: error }));
    child.once('exit', (code, sig) => resolve({ exitCode: code, signal: sig }));
  });
  const elapsedNs = process.hrtime.bigint() - started;
  clearTimeout(timeout);
  if (killTimer !== undefined) clearTimeout(killTimer);
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, PIPE_DRAIN_MS).unref())]);
  // Whatever the shell left behind (a daemon, a stuck grandchild) must not outlive the run.
  killGroup(child, 'SIGKILL');
  if (process.env[COMMAND_SANDBOX_ENV] === 'pod') await killStrays();
  running.delete(child);
  if (spawnError !== undefined) tail += `\n${spawnError.message}\n`;
  const footer = timedOut
    ? `timed out after ${run.timeoutMs / 1000}s`
    : `exit code ${exitCode ?? 'none'}${signal === null ? '' : `, signal ${signal}`}`;
  log.end(`===== ${footer}\n`);
  await once(log, 'close').catch(() => undefined);
  return { exitCode, signal, timedOut, elapsedNs, logTail: lastLines(tail, LOG_TAIL_LINES) };
}

/** A process's parent and state from /proc/<pid>/stat; null once it is gone. */
async function procStat(pid: number): Promise<{ ppid: number; state: string } | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // After the command name in parentheses (which may hold spaces): state, then the parent's pid.
  const [state = '', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(ppid), state };
}

/**
 * In a pod, every process but the entrypoint (PID 1) and the runner is what a command left behind:
 * daemons (`setsid`, `nohup`) that escaped the command's process group, which would otherwise run
 * on beside the next command, the other side's included. Commands run one at a time, so none is
 * running now. Only where the runner's parent is PID 1, i.e. the pod has a PID namespace of its
 * own: anywhere else (a runner started as a plain process) the other processes are not the job's.
 */
async function killStrays(): Promise<void> {
  if ((await procStat(process.pid))?.ppid !== 1) return;
  for (let round = 0; round < 20; round++) {
    let signalled = 0;
    for (const entry of await readdir('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === 1 || pid === process.pid) continue;
      // A zombie is dead already; PID 1 (node) does not reap orphans, so it stays listed.
      if ((await procStat(pid))?.state !== 'Z' && signal(pid)) signalled += 1;
    }
    if (signalled === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function signal(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false; // Gone already.
  }
}

export function describeOutcome(outcome: CommandOutcome, timeoutMs: number): string {
  if (outcome.timedOut) return `timed out after ${Math.round(timeoutMs / 1000)}s and was killed`;
  if (outcome.signal !== null) return `was killed by ${outcome.signal}`;
  return `exited with code ${outcome.exitCode ?? 'none'}`;
}
