import { describe, expect, it } from 'vitest';
import { runnerEnv } from '../../core/runner-env.js';
import {
  boxResolvConf,
  commandSandboxArgv,
  type JobSandbox,
  jobSandboxArgv,
  jobUid,
  maskedPaths,
  slirp4netnsArgv,
} from '../../core/sandbox.js';

const box = (overrides: Partial<JobSandbox> = {}): JobSandbox => ({
  jobDir: '/srv/benchbot/data/work/job-1',
  readOnly: ['/srv/benchbot/runner', '/srv/benchbot/node_modules'],
  masks: [],
  network: true,
  resolvConf: null,
  uid: null,
  limits: { processes: 512, memoryBytes: 1 << 30 },
  command: ['/usr/bin/node', '/srv/benchbot/runner/bin.js', '--spec', 'spec.json'],
  ...overrides,
});

/** The value after each occurrence of a flag. */
function valuesOf(argv: string[], flag: string): string[] {
  return argv.flatMap((arg, i) => (arg === flag ? [argv[i + 1] as string] : []));
}

describe('the job box', () => {
  it('limits processes and memory, and dies with the worker', () => {
    const argv = jobSandboxArgv(box());
    expect(argv.slice(0, 4)).toEqual(['prlimit', '--nproc=512', `--data=${1 << 30}`, '--core=0']);
    expect(argv).toContain('--die-with-parent');
    // A namespace's init ignores the parent-death signal: the runner must not be it.
    expect(argv).not.toContain('--as-pid-1');
    expect(argv.slice(argv.indexOf('--') + 1).join(' ')).toContain('choom -n 1000 -- bwrap');
    expect(argv.slice(argv.lastIndexOf('--') + 1)).toEqual(box().command);
  });

  it('mounts only the job folder writable, last, and the rest read-only', () => {
    const argv = jobSandboxArgv(box({ masks: [{ path: '/srv/benchbot/data', kind: 'dir' }] }));
    expect(valuesOf(argv, '--bind')).toEqual(['/srv/benchbot/data/work/job-1']);
    expect(valuesOf(argv, '--ro-bind')).toEqual(['/srv/benchbot/runner', '/srv/benchbot/node_modules']);
    expect(valuesOf(argv, '--ro-bind-try')).toContain('/etc');
    // The data folder's mask comes before the job folder's mount, or it would cover it.
    expect(argv.indexOf('--tmpfs', argv.indexOf('/srv/benchbot/node_modules'))).toBeLessThan(
      argv.indexOf('--bind'),
    );
    expect(valuesOf(argv, '--tmpfs')).toEqual(['/tmp', '/srv/benchbot/data']);
    // Missing mount points are made walkable by the job's uid.
    expect(valuesOf(argv, '--dir')).toEqual([
      '/srv',
      '/srv/benchbot',
      '/srv/benchbot/data',
      '/srv/benchbot/data/work',
    ]);
  });

  it('hides files under /dev/null', () => {
    const argv = jobSandboxArgv(box({ masks: [{ path: '/etc/shadow', kind: 'file' }] }));
    expect(argv.join(' ')).toContain('--ro-bind /dev/null /etc/shadow');
  });

  it('gives the box a network namespace of its own, held until its stack is attached when on', () => {
    const on = jobSandboxArgv(box());
    expect(on).toContain('--unshare-net');
    expect(valuesOf(on, '--info-fd')).toEqual(['3']);
    expect(valuesOf(on, '--block-fd')).toEqual(['4']);
    const off = jobSandboxArgv(box({ network: false }));
    expect(off).toContain('--unshare-net');
    expect(off).not.toContain('--info-fd');
    expect(off).not.toContain('--block-fd');
  });

  it('mounts a replacement resolv.conf after /etc, where the host file resolves to', () => {
    const argv = jobSandboxArgv(
      box({ resolvConf: { file: '/srv/job-1/resolv.conf', at: '/run/systemd/resolve/stub-resolv.conf' } }),
    );
    const at = argv
      .join(' ')
      .indexOf('--ro-bind /srv/job-1/resolv.conf /run/systemd/resolve/stub-resolv.conf');
    expect(at).toBeGreaterThan(argv.join(' ').indexOf('--ro-bind-try /etc /etc'));
  });

  it('for a root worker, starts bwrap as root and drops the runner to the job uid', () => {
    const argv = jobSandboxArgv(box({ uid: 1_500_000_123 }));
    expect(argv).not.toContain('--unshare-user');
    expect(valuesOf(argv, '--cap-add')).toEqual(['CAP_SETUID', 'CAP_SETGID']);
    const inside = argv.slice(argv.lastIndexOf('--', argv.indexOf('setpriv')) + 1);
    expect(inside.slice(0, 4)).toEqual([
      'setpriv',
      '--reuid=1500000123',
      '--regid=1500000123',
      '--clear-groups',
    ]);
    expect(jobSandboxArgv(box())).toContain('--unshare-user');
    expect(jobSandboxArgv(box())).not.toContain('setpriv');
  });
});

describe('what is masked', () => {
  const data = { path: '/srv/benchbot/data', kind: 'dir' } as const;
  const config = { path: '/etc/benchbot.yaml', kind: 'file' } as const;
  const elsewhere = { path: '/var/lib/benchbot', kind: 'dir' } as const;

  it('masks a secret path inside a mounted tree, and not one nothing mounts', () => {
    expect(
      maskedPaths([data, config, elsewhere], ['/etc', '/srv/benchbot'], '/srv/benchbot/data/work/j'),
    ).toEqual([data, config]);
  });

  it('never masks the job folder or what is in it', () => {
    const job = { path: '/srv/benchbot/data/work/j', kind: 'dir' } as const;
    expect(maskedPaths([job], ['/srv'], '/srv/benchbot/data/work/j')).toEqual([]);
  });

  it('does not confuse a sibling with a prefix', () => {
    expect(maskedPaths([{ path: '/etc2/secret', kind: 'file' }], ['/etc'], '/x')).toEqual([]);
  });
});

describe('job uids', () => {
  it('are stable per job, apart between jobs, and far from system uids', () => {
    expect(jobUid('bench:a/b:comment:1')).toBe(jobUid('bench:a/b:comment:1'));
    expect(jobUid('bench:a/b:comment:1')).not.toBe(jobUid('bench:a/b:comment:2'));
    expect(jobUid('x')).toBeGreaterThanOrEqual(1_500_000_000);
    expect(jobUid('x')).toBeLessThan(1_501_000_000);
  });
});

describe('the command box', () => {
  it('gives the command its own PID namespace that dies with it', () => {
    expect(commandSandboxArgv(['/bin/sh', '-c', 'make'])).toEqual([
      'bwrap',
      '--dev-bind',
      '/',
      '/',
      '--unshare-pid',
      '--die-with-parent',
      '--',
      '/bin/sh',
      '-c',
      'make',
    ]);
  });
});

describe("the runner's environment", () => {
  const host = {
    PATH: '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    HOME: '/root',
    GITHUB_TOKEN: 'ghp_x',
    BENCHBOT_DATABASE_URL: 'postgres://u:p@db/benchbot',
    INNOCENT_LOOKING: 'secret',
    RUSTUP_HOME: '/opt/rustup',
  };

  it('keeps PATH, locale and TZ and drops everything else, whatever its name', () => {
    expect(runnerEnv(host, [], {})).toEqual({
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'UTC',
    });
  });

  it('adds the names passEnv lists, and what the executor sets wins', () => {
    expect(runnerEnv(host, ['RUSTUP_HOME'], { HOME: '/job/home', PATH: '/job/bin' })).toMatchObject({
      RUSTUP_HOME: '/opt/rustup',
      HOME: '/job/home',
      PATH: '/job/bin',
    });
  });
});

describe('the job network', () => {
  it('starts slirp4netns with no way to the host loopback, on the box pid', () => {
    const argv = slirp4netnsArgv(4242);
    expect(argv).toContain('--disable-host-loopback');
    expect(argv).toContain('--configure');
    expect(argv.slice(-2)).toEqual(['4242', 'tap0']);
  });

  it('keeps a resolv.conf whose resolvers the box can reach', () => {
    expect(boxResolvConf('nameserver 10.255.255.53\nsearch example.org\n')).toBeNull();
  });

  it('names slirp4netns DNS in place of a loopback resolver, or of none', () => {
    expect(
      boxResolvConf('# systemd-resolved\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n'),
    ).toBe('nameserver 10.0.2.3\n# systemd-resolved\noptions edns0 trust-ad\nsearch lan\n');
    expect(boxResolvConf('nameserver ::1\nnameserver 192.0.2.1\n')).toBe('nameserver 10.0.2.3\n');
    expect(boxResolvConf('')).toBe('nameserver 10.0.2.3\n');
  });
});
