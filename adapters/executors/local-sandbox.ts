import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chown, lstat, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir, totalmem } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ETC_SECRETS,
  type HostPath,
  type JobSandbox,
  jobSandboxArgv,
  jobUid,
  maskedPaths,
  SYSTEM_TREES,
} from '../../core/sandbox.js';

// The machine's side of the local sandbox: whether bubblewrap can run here, and what of this host
// a job's box mounts and hides. core/sandbox.ts turns that into the command line.

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the runner loads: its code, the core it imports, its dependencies, the ESM package marker. */
const RUNNER_FILES = ['runner', 'core', 'node_modules', 'package.json', 'tsconfig.json'].map((p) =>
  join(PROJECT_ROOT, p),
);
const PROBE_TIMEOUT_MS = 10_000;

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

/** Starts a job box: stdin closed, stdout as asked, stderr a pipe. */
export function spawnBox(
  box: JobSandbox,
  env: Record<string, string>,
  stdout: 'pipe' | 'ignore',
): ChildProcess {
  const [file, ...args] = jobSandboxArgv(box);
  return spawn(file as string, args, { detached: true, env, stdio: ['ignore', stdout, 'pipe'] });
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
