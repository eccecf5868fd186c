import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { PROJECT_ROOT } from '../runner/fixture-repo.js';
import { TOKEN_ENV } from './world.js';

/**
 * `benchbot start` as its own process, the way it runs in production, so that it can be killed
 * outright. Everything it prints goes to `logFile`, which a test can read (and a person debug).
 */
export class WorkerProcess {
  private child: ChildProcess | null = null;
  starts = 0;

  constructor(
    private readonly configFile: string,
    readonly logFile: string,
    private readonly logLevel: 'info' | 'warn' = 'warn',
    /** More environment for the worker (e.g. the results store's database URL). */
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  /** The running process's id (undefined when stopped). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.child !== null) throw new Error('WorkerProcess.start: already running');
    this.starts += 1;
    appendFileSync(this.logFile, `--- start ${this.starts}\n`);
    const child = spawn(process.execPath, ['bin/benchbot.js', 'start'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        ...TOKEN_ENV,
        ...this.env,
        BENCHBOT_CONFIG: this.configFile,
        BENCHBOT_LOG_LEVEL: this.logLevel,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = (chunk: Buffer) => appendFileSync(this.logFile, chunk);
    child.stdout?.on('data', log);
    child.stderr?.on('data', log);
    this.child = child;
  }

  /** SIGKILL: no shutdown, no last heartbeat, in-flight tasks simply vanish. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * The graceful stop: SIGINT is what Ctrl-C gives, SIGTERM what Kubernetes sends. Resolves with the
   * exit code (null if it had to be SIGKILLed after 20 s).
   */
  async stop(signal: 'SIGINT' | 'SIGTERM' = 'SIGINT'): Promise<number | null> {
    const child = this.child;
    this.child = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null)
      return child?.exitCode ?? null;
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code] = await exited;
    clearTimeout(timer);
    return code;
  }

  /** Whether the process is still there (not killed by anything but this object). */
  alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  log(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  /** Waits until the current start has printed `text` (e.g. `ready.`). */
  async waitFor(text: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const marker = `--- start ${this.starts}\n`;
    while (!this.log().split(marker)[1]?.includes(text)) {
      if (Date.now() > deadline)
        throw new Error(`benchbot start did not print "${text}"; see ${this.logFile}`);
      await sleep(100);
    }
  }
}

/** A port nothing listens on right now, to be reused across restarts of a server. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not pick a free port');
  return address.port;
}

/** mulberry32: a few lines of seeded randomness, so a failing schedule can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
