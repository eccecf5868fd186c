import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../runner/fixture-repo.js';
import { CONTAINERS_CONF } from '../support/runner-image.js';

// How the fake kubelet (fake-cluster.ts) runs a pod's container. Two runtimes:
//   process  the runner as a local process, the image's paths mapped to the checkout and the
//            volumes' folders: quick, for the tests of the executor's own behaviour (log streams,
//            lost nodes, scale), which nothing in the image changes;
//   podman   the real runner image, with the pod's command, args, env, volumes, user and limits:
//            what a kubelet does, for the end-to-end test.

export interface ContainerMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

/** One container of a pod, as the kubelet reads it from the pod spec. */
export interface ContainerSpec {
  /** Unique on the machine while it runs (the pod's name). */
  name: string;
  image: string;
  /** The container's command; empty runs the image's entrypoint. */
  command: readonly string[];
  args: readonly string[];
  env: Readonly<Record<string, string>>;
  mounts: readonly ContainerMount[];
  /** runAsUser / runAsGroup; null runs as the image's user. */
  user: { uid: number; gid: number } | null;
  /** The pod's fsGroup: writable volumes are made group-owned by it, as the kubelet does. */
  fsGroup: number | null;
  /** Resource limits as Kubernetes quantities ("2", "500m"; "2Gi"). */
  limits: { cpu?: string; memory?: string };
}

export interface ContainerExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningContainer {
  /** Settles once the container has exited and its output has ended. */
  exited: Promise<ContainerExit>;
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export interface ContainerRuntime {
  /** Starts the container; every line it prints (stdout and stderr) goes to onLine. */
  start(spec: ContainerSpec, onLine: (line: string) => void): Promise<RunningContainer>;
}

/** The image's working directory (runner/image/Containerfile). */
const IMAGE_WORKDIR = '/work';

/** A child's stdout and stderr as lines, and its exit once both have ended. */
function watch(child: ChildProcess, onLine: (line: string) => void): Promise<ContainerExit> {
  const streams = [child.stdout, child.stderr].filter((s) => s !== null);
  const closed = Promise.all(streams.map((s) => new Promise((r) => s.once('close', r))));
  for (const stream of streams) createInterface({ input: stream }).on('line', onLine);
  const exit = new Promise<ContainerExit>((resolve) =>
    child.once('exit', (exitCode, signal) => resolve({ exitCode, signal })),
  );
  return closed.then(() => exit);
}

/** The runner as a local process: `node <script>` with the image's paths mapped to host paths. */
export function processRuntime(): ContainerRuntime {
  return {
    async start(spec, onLine) {
      const paths: [string, string][] = [
        ['/opt/benchbot', PROJECT_ROOT],
        ...spec.mounts.map((m): [string, string] => [m.containerPath, m.hostPath]),
      ];
      const map = (arg: string) => {
        const hit = paths.find(([from]) => arg === from || arg.startsWith(`${from}/`));
        return hit === undefined ? arg : hit[1] + arg.slice(hit[0].length);
      };
      const [, script = ''] = spec.command;
      const workDir = map(IMAGE_WORKDIR);
      const child = spawn(process.execPath, [map(script), ...spec.args.map(map)], {
        cwd: workDir,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH ?? '', HOME: workDir },
      });
      const exited = watch(child, onLine);
      return {
        exited,
        async kill(signal) {
          child.kill(signal);
        },
      };
    },
  };
}

const run = promisify(execFile);

/** Kubernetes CPU quantity ("2", "1.5", "500m") as podman's --cpus. */
function cpus(quantity: string): string {
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity);
  if (match === null) throw new Error(`cpu limit ${quantity}: expected a number of cores or millicores`);
  return String(Number(match[1]) / (match[2] === 'm' ? 1000 : 1));
}

const BINARY_UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Kubernetes memory quantity ("2Gi", "512Mi", bytes) as podman's --memory in bytes. */
function memoryBytes(quantity: string): string {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  const unit = BINARY_UNITS[match?.[2] ?? ''];
  if (match === null || unit === undefined) {
    throw new Error(`memory limit ${quantity}: expected bytes or Ki, Mi, Gi, Ti`);
  }
  return `${Number(match[1]) * unit}b`;
}

export interface PodmanRuntimeOptions {
  /**
   * Host folders mounted read-only at the same path in every container: what a pod would reach
   * over the network, such as the tests' git repositories cloned over file://. They must be
   * readable by the container's user. Git refuses repositories owned by another user (its
   * safe.directory check, which a clone over https never meets), so the container's system git
   * config lists them as safe.
   */
  hostPaths?: readonly string[];
}

/**
 * The real image with podman: `podman run` attached, so its output is the container's log and
 * its exit status the container's. No network (the tests' repositories come as hostPaths) and no
 * image pulls: the image must be built on the machine (test/support/runner-image.ts).
 */
export function podmanRuntime(options: PodmanRuntimeOptions = {}): ContainerRuntime {
  const env = { ...process.env, CONTAINERS_CONF };
  const podman = (...args: string[]) => run('podman', args, { env });
  return {
    async start(spec, onLine) {
      const exists = await podman('image', 'exists', spec.image).then(
        () => true,
        () => false,
      );
      if (!exists) {
        throw new Error(
          `image ${spec.image} is not on this machine; build it with scripts/build-runner-image.sh`,
        );
      }
      const name = `benchbot-kubelet-${spec.name}`;
      const args = [
        'run',
        '--rm',
        '--name',
        name,
        '--pull=never',
        '--network=none',
        // The pod's container securityContext: no capabilities, no privilege escalation.
        '--cap-drop=all',
        '--security-opt=no-new-privileges',
      ];
      if (spec.user !== null) args.push(`--user=${spec.user.uid}:${spec.user.gid}`);
      if (spec.fsGroup !== null) {
        args.push(`--group-add=${spec.fsGroup}`);
        for (const mount of spec.mounts.filter((m) => !m.readOnly)) {
          await chown(mount.hostPath, 0, spec.fsGroup);
          await chmod(mount.hostPath, 0o2775);
        }
      }
      if (spec.limits.cpu !== undefined) args.push(`--cpus=${cpus(spec.limits.cpu)}`);
      if (spec.limits.memory !== undefined) args.push(`--memory=${memoryBytes(spec.limits.memory)}`);
      for (const m of spec.mounts)
        args.push(`--volume=${m.hostPath}:${m.containerPath}${m.readOnly ? ':ro' : ''}`);
      const hostPaths = options.hostPaths ?? [];
      const gitDir = await mkdtemp(join(tmpdir(), 'benchbot-gitconfig-'));
      if (hostPaths.length > 0) {
        const safe = hostPaths.map((path) => `\tdirectory = ${path}/*\n`).join('');
        await writeFile(join(gitDir, 'gitconfig'), `[safe]\n${safe}`, { mode: 0o644 });
        await chmod(gitDir, 0o755);
        args.push(`--volume=${join(gitDir, 'gitconfig')}:/etc/gitconfig:ro`);
      }
      for (const path of hostPaths) args.push(`--volume=${path}:${path}:ro`);
      for (const [key, value] of Object.entries(spec.env)) args.push(`--env=${key}=${value}`);
      if (spec.command.length > 0) args.push(`--entrypoint=${JSON.stringify(spec.command)}`);
      args.push(spec.image, ...spec.args);
      const child = spawn('podman', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = watch(child, onLine).finally(() => rm(gitDir, { recursive: true, force: true }));
      return {
        exited,
        async kill(signal) {
          // Exits non-zero once the container is gone, which is what was asked for.
          await podman('kill', `--signal=${signal}`, name).catch(() => {});
        },
      };
    },
  };
}
