// The command lines that box in code from a pull request on the local executor. Pure: the executor
// finds out what exists on the machine (core/sandbox.ts never touches the disk) and this module
// turns it into argv, so what the sandbox mounts, hides and limits can be read and tested here.
//
// Two boxes, one inside the other:
//   job box      prlimit -> choom -> bwrap -> [setpriv] -> the runner, in a PID namespace of its own
//                Only the job's folder is writable; benchbot's data folder, config and other jobs'
//                folders are not mounted; the worker's processes are not in its PID namespace.
//   command box  bwrap -> sh -c <command>, once per build or benchmark command, started by the
//                runner: the command cannot signal the runner (it sees the job box's /proc, where
//                the runner's environment is the allowlisted one), and everything it leaves
//                behind dies with its PID namespace when the command ends.
// Network: the job box always has a network namespace of its own. With the network on, slirp4netns
// (see slirp4netnsArgv) gives it a NATed link out that cannot reach the host's loopback, so a job
// cannot talk to the Temporal server, dashboard or database listening on 127.0.0.1.

export const SANDBOX_KINDS = ['bubblewrap', 'none'] as const;

/**
 * The runner's protocol variable that says how its commands are contained (see runner/exec.ts):
 * `bubblewrap` boxes each command (the local executor's job box); `pod` says the runner is alone in
 * a Kubernetes pod, so whatever a command leaves running is stopped when it ends.
 */
export const COMMAND_SANDBOX_ENV = 'BENCHBOT_COMMAND_SANDBOX';

/** Read-only system trees every job needs (binaries, libraries, certificates, resolv.conf). */
export const SYSTEM_TREES: readonly string[] = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/etc',
  // CPU topology and frequencies, which build tools and the runner's machine facts read.
  '/sys',
];

/** Credentials a host may keep under /etc; hidden where they exist. */
export const ETC_SECRETS: readonly string[] = [
  '/etc/shadow',
  '/etc/shadow-',
  '/etc/gshadow',
  '/etc/gshadow-',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/ssl/private',
  '/etc/ssh',
  '/etc/security/opasswd',
  '/etc/kubernetes',
  '/etc/rancher',
  '/etc/docker',
  '/etc/containerd',
];

// Sandboxes get uids of their own when the worker is root: RLIMIT_NPROC counts the processes of a
// uid, and root is exempt from it, so a per-job uid is what makes the process limit bite and keeps
// one job's fork bomb from eating another's budget. Far above any uid a system hands out.
const JOB_UID_BASE = 1_500_000_000;
const JOB_UID_RANGE = 1_000_000;

/** A path that exists on the host, and whether it is a directory (hidden by a tmpfs) or a file. */
export interface HostPath {
  path: string;
  kind: 'dir' | 'file';
}

export interface JobSandbox {
  /** The only writable place, mounted at its own path. */
  jobDir: string;
  /** Host paths mounted read-only at their own paths, besides {@link SYSTEM_TREES}. */
  readOnly: readonly string[];
  /** Existing host paths to hide inside the mounted trees (see {@link maskedPaths}). */
  masks: readonly HostPath[];
  network: boolean;
  /**
   * A resolv.conf naming slirp4netns's DNS, mounted over the host's (at the file /etc/resolv.conf
   * resolves to) when the host's names a resolver on its loopback, which the box cannot reach.
   */
  resolvConf: { file: string; at: string } | null;
  /** The uid and gid the job runs as; null keeps the worker's (which must then not be root). */
  uid: number | null;
  limits: { processes: number; memoryBytes: number };
  /** The runner's argv (node and its arguments). */
  command: readonly string[];
}

function inside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * Of the paths that must stay out of the job's reach (the data folder, the config file, the work
 * root), those that a mounted tree would otherwise show: a path nothing mounts is absent already.
 */
export function maskedPaths(
  secrets: readonly HostPath[],
  mounted: readonly string[],
  jobDir: string,
): HostPath[] {
  return secrets.filter(
    (s) => !inside(s.path, jobDir) && mounted.some((root) => inside(s.path, root) && s.path !== root),
  );
}

/** The folders above the mounted paths that the box itself must create, outermost first. */
function openAncestors(paths: readonly string[], mountedTrees: readonly string[]): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/').filter((p) => p !== '');
    for (let i = 1; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      if (!mountedTrees.some((tree) => inside(dir, tree)) && !paths.some((p) => inside(dir, p)))
        dirs.add(dir);
    }
  }
  return [...dirs].sort((a, b) => a.split('/').length - b.split('/').length);
}

/** A uid for a job's sandbox, stable across the retries of one job (they share its folder). */
export function jobUid(jobKey: string): number {
  // FNV-1a: a spread of keys over the range, no cryptography needed.
  let hash = 0x811c9dc5;
  for (let i = 0; i < jobKey.length; i++) {
    hash ^= jobKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return JOB_UID_BASE + (hash % JOB_UID_RANGE);
}

/**
 * The job box's descriptors for attaching its network: bwrap writes `{"child-pid": N, ...}` to
 * `info` and closes it, then waits for a byte on `block` before starting the runner.
 */
export const NETWORK_FDS = { info: 3, block: 4 } as const;

/** slirp4netns's descriptors: a byte on `ready` once tap0 is configured; it exits when `exit` closes. */
export const SLIRP_FDS = { ready: 3, exit: 4 } as const;

/** The address slirp4netns answers DNS on, inside the box. */
export const SLIRP_DNS = '10.0.2.3';

/**
 * The user-mode network stack for a job box's namespace, started by the worker once bwrap has
 * reported the box's pid. `--disable-host-loopback` is the point: without it the gateway
 * (10.0.2.2) leads to the host's 127.0.0.1. `--configure` sets up tap0, its address, the default
 * route and DNS. Its exit descriptor is held by the worker: the stack stops when the box ends, and
 * with the worker should it die.
 */
export function slirp4netnsArgv(boxPid: number): string[] {
  return [
    'slirp4netns',
    '--configure',
    '--mtu=65520',
    '--disable-host-loopback',
    `--ready-fd=${SLIRP_FDS.ready}`,
    `--exit-fd=${SLIRP_FDS.exit}`,
    String(boxPid),
    'tap0',
  ];
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address === '0.0.0.0';
}

/**
 * The resolv.conf a networked box needs instead of the host's, or null when the host's works there.
 * A resolver on the host's loopback (systemd-resolved's 127.0.0.53, dnsmasq) is out of the box's
 * reach, as is the 127.0.0.1 glibc assumes when no nameserver is named; slirp4netns's DNS forwards
 * to the host's resolvers. The search domains and options are kept.
 */
export function boxResolvConf(host: string): string | null {
  const lines = host.split('\n');
  const servers = lines
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((s): s is string => s !== undefined);
  if (servers.length > 0 && !servers.some(isLoopback)) return null;
  const kept = lines.filter((line) => !/^\s*nameserver\s/.test(line) && line.trim() !== '');
  return `${[`nameserver ${SLIRP_DNS}`, ...kept].join('\n')}\n`;
}

/**
 * The job box's full command line. Killing its process (bwrap) ends the runner and everything in
 * the box; the runner writes its checkpoint atomically after each benchmark, so a stop loses no
 * finished work.
 */
export function jobSandboxArgv(box: JobSandbox): string[] {
  const { processes, memoryBytes } = box.limits;
  const limits = [
    'prlimit',
    `--nproc=${processes}`,
    // RLIMIT_DATA, not RLIMIT_AS: runtimes (V8, Go) reserve far more address space than they use.
    `--data=${memoryBytes}`,
    '--core=0',
    '--',
    // The kernel's OOM killer takes the job's processes before the worker's.
    'choom',
    '-n',
    '1000',
    '--',
  ];
  // A root worker starts bwrap as root, which can mount a job folder under a data folder only
  // root may enter, and the runner then drops to the job's uid (bwrap sets no_new_privs, so no
  // setuid program gets root back). Any other worker runs bwrap in a user namespace of its own.
  const user = box.uid === null ? ['--unshare-user'] : ['--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID'];
  const dropToJobUid =
    box.uid === null ? [] : ['setpriv', `--reuid=${box.uid}`, `--regid=${box.uid}`, '--clear-groups', '--'];
  const mounts = [
    ...SYSTEM_TREES.flatMap((tree) => ['--ro-bind-try', tree, tree]),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    // bwrap makes missing mount points private to root; the runner must be able to walk to its own.
    ...openAncestors([...box.readOnly, box.jobDir], SYSTEM_TREES).flatMap((dir) => [
      '--perms',
      '0755',
      '--dir',
      dir,
    ]),
    ...box.readOnly.flatMap((path) => ['--ro-bind', path, path]),
    ...box.masks.flatMap((m) =>
      // Root's own empty folder: the job's uid can neither read nor write what lies beyond.
      m.kind === 'dir' ? ['--tmpfs', m.path] : ['--ro-bind', '/dev/null', m.path],
    ),
    ...(box.resolvConf ? ['--ro-bind', box.resolvConf.file, box.resolvConf.at] : []),
    // Last, so that a mask of the work root above it cannot cover it.
    '--bind',
    box.jobDir,
    box.jobDir,
  ];
  return [
    ...limits,
    'bwrap',
    ...user,
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--unshare-net',
    // With the network on, bwrap reports the box's pid and holds the runner until the worker has
    // attached slirp4netns to the namespace (see NETWORK_FDS).
    ...(box.network ? ['--info-fd', String(NETWORK_FDS.info), '--block-fd', String(NETWORK_FDS.block)] : []),
    // bwrap's init (PID 1) dies with the worker, and the namespace with it. The runner must not be
    // PID 1 itself: a namespace's init ignores the parent-death signal, so it would outlive the worker.
    '--die-with-parent',
    ...mounts,
    '--chdir',
    box.jobDir,
    '--',
    ...dropToJobUid,
    ...box.command,
  ];
}

/**
 * The command box: the runner's view of the filesystem, a PID namespace of the command's own.
 * bwrap's init reaps what the command forks and takes all of it down when the command's shell
 * exits. It keeps the job box's /proc: a fresh one cannot be mounted under a root-started box
 * (bwrap covers parts of it), and that /proc shows only the runner, whose environment is the
 * allowlisted one; signals still cannot reach it from the command's namespace. `--dev-bind`, not
 * `--bind`: a plain bind remounts everything nodev, and /dev/null, /dev/zero and /dev/urandom (the
 * job box's only devices) would refuse to open. Every other mount of the job box is nodev already.
 */
export function commandSandboxArgv(shell: readonly string[]): string[] {
  return ['bwrap', '--dev-bind', '/', '/', '--unshare-pid', '--die-with-parent', '--', ...shell];
}
