import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chown, lstat, mkdtemp, readFile, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  boxResolvConf,
  ETC_SECRETS,
  type HostPath,
  type JobSandbox,
  jobSandboxArgv,
  jobUid,
  maskedPaths,
  NETWORK_FDS,
  SLIRP_FDS,
  SYSTEM_TREES,
  slirp4netnsArgv,
} from '../../core/sandbox.js';

// The machine's side of the local sandbox: whether bubblewrap can run here, and what of this host
// a job's box mounts and hides. core/sandbox.ts turns that into the command line.

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the runner loads: its code, the core it imports, its dependencies, the ESM package marker. */
const RUNNER_FILES = ['runner', 'core', 'node_modules', 'package.json', 'tsconfig.json'].map((p) =>
  join(PROJECT_ROOT, p),
);
const PROBE_TIMEOUT_MS = 10_000;
const HOST_RESOLV_CONF = '/etc/resolv.conf';
const LOOPBACK_TIMEOUT_MS = 10_000;
const EXIT_GRACE_MS = 200;
const NO_NETWORK_STACK =
  "slirp4netns is not on PATH, and jobs with the network on (executor.local.network: true, the default) need it for a network of their own, apart from this host's loopback: install Debian's slirp4netns (npm run setup does, as root), or set executor.local.network: false";

export interface SandboxSettings {
  network: boolean;
  /** Extra read-only trees from the config (toolchains outside /usr). */
  readOnlyPaths: readonly string[];
  /** Paths no job may see: the data folder, the work root, the results store, the config file. */
  hidden: readonly string[];
  limits: { processes: number; memoryMiB: number | null };
  /** Where to look for bwrap, prlimit, choom and setpriv: the worker's PATH. */
  path: string | undefined;
}

export type SandboxStatus = { available: true } | { available: false; reason: string };

async function hostPath(path: string): Promise<HostPath | null> {
  try {
    return { path, kind: (await lstat(path)).isDirectory() ? 'dir' : 'file' };
  } catch {
    return null;
  }
}

async function existing(paths: readonly string[]): Promise<HostPath[]> {
  return (await Promise.all(paths.map(hostPath))).filter((p): p is HostPath => p !== null);
}

/** A repository the runner clones from this machine (file:// or a plain path) must be mounted. */
export function localRepository(url: string): string | null {
  if (url.startsWith('file://')) return fileURLToPath(url);
  return url.startsWith('/') ? url : null;
}

/** Node's own install when it is not under /usr (nvm, a tarball in /opt). */
async function nodeInstall(): Promise<string | null> {
  const prefix = dirname(dirname(await realpath(process.execPath)));
  return SYSTEM_TREES.some((tree) => prefix === tree || prefix.startsWith(`${tree}/`)) ? null : prefix;
}

// A worker that is not root runs bwrap in a user namespace, and bwrap nests a second one for the
// runner: the box's network namespace belongs to the outer one, which slirp4netns cannot join.
const NON_ROOT_HINT =
  process.getuid?.() === 0
    ? ''
    : '. A worker that is not root cannot attach a network to its boxes yet: run it as root, or set executor.local.network: false';

/**
 * Where the box's resolv.conf comes from when the host's names a loopback resolver: a file the
 * worker writes into the job's folder, mounted read-only where /etc/resolv.conf leads (a symlink
 * into /run, unmounted in the box, cannot be a mount point).
 */
async function resolvConfFor(jobDir: string): Promise<JobSandbox['resolvConf']> {
  const at = await realpath(HOST_RESOLV_CONF).catch(() => HOST_RESOLV_CONF);
  const content = boxResolvConf(await readFile(at, 'utf8').catch(() => ''));
  if (content === null) return null;
  const file = join(jobDir, 'resolv.conf');
  await writeFile(file, content);
  return { file, at };
}

/** Root cannot be held to a process limit; each job then runs as a uid of its own. */
function sandboxUid(jobKey: string): number | null {
  return process.getuid?.() === 0 ? jobUid(jobKey) : null;
}

/**
 * The box for one job. Its folder (and what the worker wrote there) is handed to the job's uid,
 * so that a job running as that uid can write nowhere else.
 */
export async function prepareJobSandbox(input: {
  settings: SandboxSettings;
  jobKey: string;
  jobDir: string;
  /** Folders the worker made in the job folder before the start. */
  ownedPaths: readonly string[];
  repositoryUrl: string;
  command: readonly string[];
}): Promise<JobSandbox> {
  const { settings, jobDir } = input;
  const repository = localRepository(input.repositoryUrl);
  const node = await nodeInstall();
  const readOnly = (
    await existing([...RUNNER_FILES, ...(node ? [node] : []), ...(repository ? [repository] : [])])
  ).map((p) => p.path);
  // The config's paths were checked at start (probeSandbox); one gone since fails the job loudly.
  readOnly.push(...settings.readOnlyPaths);
  const secrets = await existing([...ETC_SECRETS, ...settings.hidden]);
  const uid = sandboxUid(input.jobKey);
  if (uid !== null) await Promise.all([jobDir, ...input.ownedPaths].map((p) => chown(p, uid, uid)));
  return {
    jobDir,
    readOnly,
    masks: maskedPaths(secrets, [...SYSTEM_TREES, ...readOnly], jobDir),
    network: settings.network,
    resolvConf: settings.network ? await resolvConfFor(jobDir) : null,
    uid,
    limits: {
      processes: settings.limits.processes,
      memoryBytes:
        settings.limits.memoryMiB === null
          ? Math.floor(totalmem() * 0.8)
          : settings.limits.memoryMiB * 1024 * 1024,
    },
    command: input.command,
  };
}

/**
 * Starts a job box: stdin closed, stdout as asked, stderr a pipe. With the network on, the box
 * waits (bwrap `--block-fd`) until slirp4netns has configured its namespace; a stack that fails to
 * start kills the box and surfaces as the child's 'error', so the job never runs on a network it
 * was not meant to have.
 */
export function spawnBox(
  box: JobSandbox,
  env: Record<string, string>,
  stdout: 'pipe' | 'ignore',
): ChildProcess {
  const [file, ...args] = jobSandboxArgv(box);
  const child = spawn(file as string, args, {
    detached: true,
    env,
    stdio: ['ignore', stdout, 'pipe', ...(box.network ? (['pipe', 'pipe'] as const) : [])],
  });
  if (box.network)
    attachNetwork(child, env).catch(async (error: Error) => {
      const ended = () => child.exitCode !== null || child.signalCode !== null;
      // A box stopped on purpose (a cancel in its first moments) also fails the attach: its exit,
      // which may still be on its way, is the outcome, not this error.
      if (!ended()) await Promise.race([once(child, 'exit'), sleep(EXIT_GRACE_MS)]);
      if (ended()) return;
      killBox(child);
      child.emit('error', error);
    });
  return child;
}

function killBox(child: ChildProcess): void {
  try {
    child.kill('SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * Waits until bwrap has set up the box's loopback. bwrap reports the pid as soon as it has cloned
 * the box, while the box still configures lo over netlink; slirp4netns configuring the namespace
 * at the same time makes bwrap fail ("loopback: Failed RTM_NEWADDR"). The local route of
 * 127.0.0.1 appears once lo has its address and is up, bwrap's last netlink request.
 */
async function loopbackConfigured(pid: number): Promise<void> {
  const deadline = Date.now() + LOOPBACK_TIMEOUT_MS;
  for (;;) {
    const trie = await readFile(`/proc/${pid}/net/fib_trie`, 'utf8').catch(() => null);
    // The box is gone: its exit says why.
    if (trie === null) throw new Error(`the job box (pid ${pid}) ended before its network was attached`);
    if (/127\.0\.0\.1\s*\n\s*\/32 host LOCAL/.test(trie)) return;
    if (Date.now() > deadline)
      throw new Error(`the job box's loopback was not up after ${LOOPBACK_TIMEOUT_MS / 1000} s`);
    await sleep(1);
  }
}

async function attachNetwork(box: ChildProcess, env: Record<string, string>): Promise<void> {
  const info = box.stdio[NETWORK_FDS.info] as Readable;
  const release = box.stdio[NETWORK_FDS.block] as Writable;
  // These are socket pairs: the other end going away with its process reads as ECONNRESET.
  for (const fd of [info, release]) fd.on('error', () => undefined);
  let report = '';
  info.on('data', (chunk: Buffer) => {
    report += chunk.toString();
  });
  // bwrap closes the descriptor once it has written the report, or when it fails before.
  await once(info, 'end');
  // No report: bwrap itself failed, and its exit says why.
  if (report === '') return;
  const { 'child-pid': pid, 'net-namespace': netns } = JSON.parse(report) as Record<string, unknown>;
  if (typeof pid !== 'number') throw new Error(`bwrap reported no box pid: ${report}`);
  // slirp4netns --configure on the worker's own namespace would rewire this host's network.
  if (netns === undefined || (await readlink('/proc/self/ns/net')) === `net:[${netns}]`)
    throw new Error('the job box has no network namespace of its own; refusing to attach slirp4netns');
  await loopbackConfigured(pid);
  const [stack, ...args] = slirp4netnsArgv(pid);
  const slirp = spawn(stack as string, args, {
    env: { PATH: env.PATH ?? '/usr/bin:/bin' },
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  slirp.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  // Closing the exit descriptor stops the stack; the worker's death closes it too.
  const exitFd = slirp.stdio[SLIRP_FDS.exit] as Writable;
  const ready = slirp.stdio[SLIRP_FDS.ready] as Readable;
  for (const fd of [exitFd, ready]) fd.on('error', () => undefined);
  box.once('exit', () => exitFd.destroy());
  let attached = false;
  const failed = new Promise<never>((_, reject) => {
    const fail = (why: string) =>
      reject(
        new Error(
          `slirp4netns could not give the job its network (${why}): ${stderr.trim()}${NON_ROOT_HINT}`,
        ),
      );
    slirp.once('error', (error) => fail(error.message));
    // After the start, the stack ends with the box; a crash mid-job only cuts the job's connections.
    slirp.once('exit', (code, signal) => {
      if (!attached) fail(signal ? `killed by ${signal}` : `exit code ${code}`);
    });
  });
  await Promise.race([once(ready, 'data'), failed]);
  attached = true;
  release.end('1');
}

function onPath(name: string, path: string | undefined): boolean {
  return (path ?? '/usr/bin:/bin').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, name)));
}

/**
 * Starts one empty box the way jobs are started: bwrap present, user namespaces allowed, the
 * limits tools (util-linux) there. The reason names what is missing and how to get it.
 */
export async function probeSandbox(settings: SandboxSettings): Promise<SandboxStatus> {
  if (process.platform !== 'linux')
    return { available: false, reason: `bubblewrap needs Linux namespaces; this is ${process.platform}` };
  if (!onPath('bwrap', settings.path))
    return {
      available: false,
      reason: "bwrap is not on PATH: install Debian's bubblewrap (npm run setup does, as root)",
    };
  for (const tool of ['prlimit', 'choom', 'setpriv'])
    if (!onPath(tool, settings.path))
      return { available: false, reason: `${tool} is not on PATH: install util-linux` };
  if (settings.network && !onPath('slirp4netns', settings.path))
    return { available: false, reason: NO_NETWORK_STACK };
  for (const path of settings.readOnlyPaths)
    if ((await hostPath(path)) === null)
      return {
        available: false,
        reason: `executor.local.readOnlyPaths names ${path}, which does not exist: fix or remove it`,
      };
  const jobDir = await mkdtemp(join(tmpdir(), 'benchbot-sandbox-probe-'));
  try {
    const box = await prepareJobSandbox({
      settings,
      jobKey: 'probe',
      jobDir,
      ownedPaths: [],
      repositoryUrl: '',
      command: ['/bin/true'],
    });
    const child = spawnBox(box, { PATH: settings.path ?? '/usr/bin:/bin' }, 'ignore');
    const timer = setTimeout(() => child.kill('SIGKILL'), PROBE_TIMEOUT_MS);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    if (code === 0) return { available: true };
    return {
      available: false,
      reason: `bwrap cannot start a sandbox here (${stderr.trim() || `exit code ${code}`}); user namespaces may be off (sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > 0)`,
    };
  } catch (error) {
    return { available: false, reason: `bwrap cannot start a sandbox here: ${(error as Error).message}` };
  } finally {
    await rm(jobDir, { recursive: true, force: true });
  }
}
