import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';

// A real control plane for tests, as controller-runtime's envtest has it: etcd and kube-apiserver,
// no kubelet, scheduler or controllers (the tests play those). The binaries are built from Go
// modules by scripts/build-kube-test-binaries.sh into a per-user cache.

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
export function requireKubeTools(): { etcd: string; apiserver: string } {
  const dir = kubeToolsDir();
  const etcd = join(dir, 'etcd');
  const apiserver = join(dir, 'kube-apiserver');
  const missing = [etcd, apiserver].filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `the Kubernetes test control plane is not built (missing ${missing.join(', ')}): run \`bash scripts/build-kube-test-binaries.sh\` (or \`npm run setup\`), which builds kube-apiserver and etcd from Go modules into ${dir} (15-25 min once, cached after)`,
    );
  }
  return { etcd, apiserver };
}

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
  const token = `test-${Math.random().toString(36).slice(2)}`;
  const tokens = join(dir, 'tokens.csv');
  await writeFile(tokens, `${token},admin,admin,"system:masters"\n`);
  const { openSync } = await import('node:fs');
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
  const stop = async () => {
    await stopProcess(apiserver);
    await stopProcess(etcd);
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!(await readyz(apiPort, token))) {
    if (apiserver.exitCode !== null || etcd.exitCode !== null || Date.now() > deadline) {
      const { readFile } = await import('node:fs/promises');
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
  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfigPath,
    `apiVersion: v1
kind: Config
clusters: [{ name: test, cluster: { server: "${url}", insecure-skip-tls-verify: true } }]
users: [{ name: admin, user: { token: "${token}" } }]
contexts: [{ name: test, context: { cluster: test, user: admin } }]
current-context: test
`,
  );
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return { url, kubeConfig, kubeconfigPath, dir, stop };
}

/** A namespace with the default service account the (absent) controller-manager would have made. */
export async function createNamespace(kubeConfig: KubeConfig, name: string): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } });
  await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: 'default' } } });
}
