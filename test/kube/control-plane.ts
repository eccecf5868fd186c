import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

// A real control plane for tests: etcd, kube-apiserver, kube-scheduler and kube-controller-manager
// (Jobs make pods, the scheduler binds them by selector, toleration and resources, and Job status,
// deadlines, TTLs, garbage collection and disruption conditions come from Kubernetes). Only the
// kubelet is played, by fake-cluster.ts. The binaries are built from Go modules by
// scripts/build-kube-test-binaries.sh into a per-user cache.

export const KUBE_VERSION = '1.36.3';

export function kubeToolsDir(): string {
  return (
    process.env.BENCHBOT_KUBE_TOOLS ??
    join(
      process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
      'benchbot',
      'tools',
      `kube-v${KUBE_VERSION}`,
    )
  );
}

/** Throws, naming the fix, when the binaries are not built: these tests must not pass silently. */
export function requireKubeTools() {
  const dir = kubeToolsDir();
  const tools = {
    etcd: join(dir, 'etcd'),
    apiserver: join(dir, 'kube-apiserver'),
    scheduler: join(dir, 'kube-scheduler'),
    controllerManager: join(dir, 'kube-controller-manager'),
  };
  const missing = Object.values(tools).filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `the Kubernetes test control plane is not built (missing ${missing.join(', ')}): run \`bash scripts/build-kube-test-binaries.sh\` (or \`npm run setup\`), which builds kube-apiserver, kube-scheduler, kube-controller-manager and etcd from Go modules into ${dir} (25-40 min once, cached after)`,
    );
  }
  return tools;
}

/**
 * The controllers benchbot's Jobs meet: Jobs and their deadlines and TTLs, garbage collection, node
 * lifecycle and taint eviction, pod GC (disruption conditions on orphaned pods), ephemeral volumes
 * and their binding, and the default service account of each namespace.
 */
const CONTROLLERS = [
  'job-controller',
  'ttl-after-finished-controller',
  'garbage-collector-controller',
  'node-lifecycle-controller',
  'taint-eviction-controller',
  'pod-garbage-collector-controller',
  'ephemeral-volume-controller',
  'persistentvolume-binder-controller',
  'persistentvolumeclaim-protection-controller',
  'persistentvolume-protection-controller',
  'serviceaccount-controller',
];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function readyz(port: number, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/readyz',
        rejectUnauthorized: false,
        headers: { authorization: `Bearer ${token}` },
        timeout: 2_000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export interface ControlPlane {
  url: string;
  kubeConfig: KubeConfig;
  kubeconfigPath: string;
  dir: string;
  stop(): Promise<void>;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startControlPlane(): Promise<ControlPlane> {
  const tools = requireKubeTools();
  const dir = await mkdtemp(join(tmpdir(), 'benchbot-kube-'));
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const log = (name: string) => join(dir, `${name}.log`);
  const etcd = spawn(
    tools.etcd,
    [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
      `--log-outputs=${log('etcd')}`,
    ],
    { stdio: 'ignore' },
  );
  // Service-account keys: a modern apiserver will not start without an issuer and signing key.
  const saKey = join(dir, 'sa.key');
  const saPub = join(dir, 'sa.pub');
  execFileSync('openssl', ['genrsa', '-out', saKey, '2048'], { stdio: 'ignore' });
  execFileSync('openssl', ['rsa', '-in', saKey, '-pubout', '-out', saPub], { stdio: 'ignore' });
  const secret = () => `test-${Math.random().toString(36).slice(2)}`;
  const token = secret();
  // The scheduler and the controller-manager sign in as the users their bootstrap RBAC roles name;
  // the controllers then use a service account each (--use-service-account-credentials).
  const identities = { scheduler: secret(), controllerManager: secret() };
  const tokens = join(dir, 'tokens.csv');
  await writeFile(
    tokens,
    [
      `${token},admin,admin,"system:masters"`,
      `${identities.scheduler},system:kube-scheduler,kube-scheduler`,
      `${identities.controllerManager},system:kube-controller-manager,kube-controller-manager`,
      '',
    ].join('\n'),
  );
  const apiLog = openSync(log('kube-apiserver'), 'a');
  const apiserver = spawn(
    tools.apiserver,
    [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      `--cert-dir=${join(dir, 'certs')}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--token-auth-file=${tokens}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${saPub}`,
      `--service-account-signing-key-file=${saKey}`,
      // The tests' kubelet serves pod logs on loopback with a self-signed certificate.
      '--kubelet-preferred-address-types=InternalIP',
      '--allow-privileged=true',
    ],
    { stdio: ['ignore', apiLog, apiLog] },
  );
  const components: ChildProcess[] = [];
  const stop = async () => {
    for (const child of components) await stopProcess(child);
    await stopProcess(apiserver);
    await stopProcess(etcd);
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!(await readyz(apiPort, token))) {
    if (apiserver.exitCode !== null || etcd.exitCode !== null || Date.now() > deadline) {
      const tail = (await readFile(log('kube-apiserver'), 'utf8').catch(() => ''))
        .split('\n')
        .slice(-20)
        .join('\n');
      await stop();
      throw new Error(`kube-apiserver did not become ready:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const url = `https://127.0.0.1:${apiPort}`;
  const kubeconfig = async (name: string, secret: string) => {
    const path = join(dir, `${name}.kubeconfig`);
    await writeFile(
      path,
      `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]
users: [{ name: ${name}, user: { token: "${secret}" } }]
contexts: [{ name: test, context: { cluster: test, user: ${name} } }]
current-context: test
`,
    );
    return path;
  };
  const kubeconfigPath = await kubeconfig('admin', token);
  const component = async (name: string, binary: string, args: string[]) => {
    const out = openSync(log(name), 'a');
    const child = spawn(binary, args, { stdio: ['ignore', out, out] });
    components.push(child);
  };
  await component('kube-scheduler', tools.scheduler, [
    `--kubeconfig=${await kubeconfig('kube-scheduler', identities.scheduler)}`,
    '--leader-elect=false',
    '--secure-port=0',
  ]);
  await component('kube-controller-manager', tools.controllerManager, [
    `--kubeconfig=${await kubeconfig('kube-controller-manager', identities.controllerManager)}`,
    '--leader-elect=false',
    '--secure-port=0',
    '--use-service-account-credentials',
    `--controllers=${CONTROLLERS.join(',')}`,
    // Pods GC'd or evicted off nodes that are gone without waiting for many of them to pile up.
    '--terminated-pod-gc-threshold=1',
  ]);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  // The controller-manager is working once its service-account controller has made `default`'s.
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const controllersDeadline = Date.now() + 90_000;
  while (
    !(await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' }).then(
      () => true,
      () => false,
    ))
  ) {
    const exited = components.find((c) => c.exitCode !== null);
    if (exited !== undefined || Date.now() > controllersDeadline) {
      const tail = (await readFile(log('kube-controller-manager'), 'utf8').catch(() => ''))
        .split('\n')
        .slice(-20)
        .join('\n');
      await stop();
      throw new Error(`kube-scheduler or kube-controller-manager did not start:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, kubeConfig, kubeconfigPath, dir, stop };
}

/** A namespace, once the controller-manager has given it the default service account pods need. */
export async function createNamespace(kubeConfig: KubeConfig, name: string): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } });
  for (let i = 0; i < 200; i++) {
    const made = await core.readNamespacedServiceAccount({ name: 'default', namespace: name }).then(
      () => true,
      () => false,
    );
    if (made) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the controller-manager made no default service account in namespace ${name}`);
}
