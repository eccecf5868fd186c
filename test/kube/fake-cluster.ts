import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Pod,
  type V1PodStatus,
} from '@kubernetes/client-node';
import {
  type ContainerRuntime,
  type ContainerSpec,
  processRuntime,
  type RunningContainer,
} from './container-runtime.js';

// The parts of a cluster the test control plane lacks, played just well enough for the executor:
//   - the Job controller (one pod per Job from its template; a deleted Job's pods go too, as the
//     garbage collector would do them),
//   - the scheduler (binds pods to the one node, or marks them Unschedulable),
//   - the kubelet: runs the runner container with a container runtime (container-runtime.ts: a
//     local process by default, or podman with the real image), reports its status, and serves
//     its log over HTTPS at /containerLogs/..., which the real API server proxies for pods/log as
//     it would to a kubelet.
// Faults: preempt a pod (DisruptionTarget, SIGTERM, Failed), delete the node, drop log streams.

export type KubeletMode = 'run' | 'image-pull-error' | 'unschedulable';

export interface FakeClusterOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  mode?: KubeletMode;
  /** How the kubelet runs containers; a local process by default. */
  runtime?: ContainerRuntime;
  /** Every line a runner prints, e.g. to preempt a pod at a chosen moment. */
  onLine?: (pod: string, line: string, cluster: FakeCluster) => void;
}

export interface FakeCluster {
  nodeName: string;
  /** Names of the pods created so far, oldest first. */
  pods(): string[];
  /** Evicts a running pod as a spot preemption does. */
  preempt(pod: string, reason?: string): Promise<void>;
  /** The node vanishes (its pods' processes die with it). */
  deleteNode(): Promise<void>;
  /** Cuts every open log stream, as a dropped connection would. */
  dropLogStreams(): void;
  stop(): Promise<void>;
}

interface LogLine {
  ns: bigint;
  stamp: string;
  text: string;
}

interface PodRun {
  name: string;
  jobUid: string;
  lines: LogLine[];
  listeners: Set<(line: LogLine | null) => void>;
  container: RunningContainer | null;
  exited: boolean;
  /** The node is gone: no more status reports. */
  silenced: boolean;
  dir: string;
}

let lastNs = 0n;
function stampNow(): { ns: bigint; stamp: string } {
  const now = BigInt(Date.now()) * 1_000_000n;
  lastNs = now > lastNs ? now : lastNs + 1n;
  const seconds = lastNs / 1_000_000_000n;
  const nanos = (lastNs % 1_000_000_000n).toString().padStart(9, '0');
  return { ns: lastNs, stamp: `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${nanos}Z` };
}

async function selfSignedCert(dir: string): Promise<{ key: string; cert: string }> {
  const key = join(dir, 'kubelet.key');
  const cert = join(dir, 'kubelet.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}

export async function startFakeCluster(options: FakeClusterOptions): Promise<FakeCluster> {
  const { kubeConfig, namespace } = options;
  const mode = options.mode ?? 'run';
  const runtime = options.runtime ?? processRuntime();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const root = await mkdtemp(join(tmpdir(), 'benchbot-kubelet-'));
  const runs = new Map<string, PodRun>();
  const open = new Set<ServerResponse>();
  const nodeName = `node-${Math.random().toString(36).slice(2, 8)}`;

  const server: Server = createServer(await selfSignedCert(root), (req, res) => {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const [, kind, , pod] = url.pathname.split('/');
    const run = pod === undefined ? undefined : runs.get(pod);
    if (kind !== 'containerLogs' || run === undefined) {
      res.writeHead(404).end('not found');
      return;
    }
    const since = url.searchParams.get('sinceTime');
    const sinceNs = since === null ? 0n : BigInt(Date.parse(since)) * 1_000_000n;
    const stamps = url.searchParams.get('timestamps') === 'true';
    const format = (l: LogLine) => `${stamps ? `${l.stamp} ` : ''}${l.text}\n`;
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (const line of run.lines) if (line.ns >= sinceNs) res.write(format(line));
    if (url.searchParams.get('follow') !== 'true' || run.exited) {
      res.end();
      return;
    }
    open.add(res);
    const listener = (line: LogLine | null) => {
      if (line === null) res.end();
      else res.write(format(line));
    };
    run.listeners.add(listener);
    res.on('close', () => {
      open.delete(res);
      run.listeners.delete(listener);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const kubeletPort = typeof address === 'object' && address !== null ? address.port : 0;

  await core.createNode({ body: { metadata: { name: nodeName } } });
  const node = await core.readNode({ name: nodeName });
  node.status = {
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
    daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
  };
  await core.replaceNodeStatus({ name: nodeName, body: node });

  const updateStatus = async (name: string, change: (status: V1PodStatus) => void) => {
    for (let i = 0; i < 10; i++) {
      try {
        const pod = await core.readNamespacedPodStatus({ name, namespace });
        pod.status ??= {};
        change(pod.status);
        await core.replaceNamespacedPodStatus({ name, namespace, body: pod });
        return;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  const now = () => new Date();

  const appendLine = (run: PodRun, text: string) => {
    const line = { ...stampNow(), text };
    run.lines.push(line);
    for (const l of run.listeners) l(line);
    options.onLine?.(run.name, text, cluster);
  };

  const stopRun = async (run: PodRun) => {
    const container = run.container;
    if (container === null || run.exited) return;
    const timer = setTimeout(() => void container.kill('SIGKILL'), 5_000);
    await container.kill('SIGTERM');
    await container.exited;
    clearTimeout(timer);
  };

  const startContainer = async (pod: V1Pod, run: PodRun) => {
    const configMap = pod.spec?.volumes?.find((v) => v.configMap !== undefined)?.configMap?.name ?? '';
    const cm = await core.readNamespacedConfigMap({ name: configMap, namespace }).catch(() => null);
    if (cm === null) return false; // the kubelet waits for the volume
    const jobDir = join(run.dir, 'job');
    const workDir = join(run.dir, 'work');
    await mkdir(jobDir, { recursive: true });
    await mkdir(workDir, { recursive: true });
    for (const [file, text] of Object.entries(cm.data ?? {})) await writeFile(join(jobDir, file), text);
    const container = pod.spec?.containers[0];
    const security = pod.spec?.securityContext;
    const spec: ContainerSpec = {
      name: run.name,
      image: container?.image ?? '',
      command: container?.command ?? [],
      args: container?.args ?? [],
      env: Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? ''])),
      mounts: (container?.volumeMounts ?? []).map((m) => ({
        hostPath: pod.spec?.volumes?.find((v) => v.name === m.name)?.configMap ? jobDir : workDir,
        containerPath: m.mountPath,
        readOnly: m.readOnly ?? false,
      })),
      user:
        security?.runAsUser === undefined
          ? null
          : { uid: security.runAsUser, gid: security.runAsGroup ?? security.runAsUser },
      fsGroup: security?.fsGroup ?? null,
      limits: container?.resources?.limits ?? {},
    };
    const handle = await runtime.start(spec, (l) => appendLine(run, l)).catch((error: Error) => error);
    if (handle instanceof Error) {
      // What a kubelet reports for an image it may not pull (imagePullPolicy: Never).
      await updateStatus(run.name, (s) => {
        s.containerStatuses = [
          {
            name: 'runner',
            image: spec.image,
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { waiting: { reason: 'ErrImageNeverPull', message: handle.message } },
          },
        ];
      });
      return true;
    }
    run.container = handle;
    const startedAt = now();
    await updateStatus(run.name, (s) => {
      s.phase = 'Running';
      s.startTime = startedAt;
      s.containerStatuses = [
        {
          name: 'runner',
          image: container?.image ?? '',
          imageID: '',
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt } },
        },
      ];
    });
    void handle.exited.then(async ({ exitCode: code, signal }) => {
      run.exited = true;
      for (const l of run.listeners) l(null);
      const exitCode = code ?? 137;
      if (run.silenced) return;
      await updateStatus(run.name, (s) => {
        s.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
        const status = s.containerStatuses?.[0];
        if (status !== undefined) {
          status.ready = false;
          status.state = {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : signal === 'SIGKILL' ? 'OOMKilled' : 'Error',
              startedAt,
              finishedAt: now(),
            },
          };
        }
      });
    });
    return true;
  };

  // One pass of the controllers; a loop calls it until stop().
  const created = new Set<string>();
  const started = new Set<string>();
  const reconcile = async () => {
    const jobs = (await batch.listNamespacedJob({ namespace })).items;
    const liveJobs = new Set(jobs.map((j) => j.metadata?.uid));
    for (const job of jobs) {
      const uid = job.metadata?.uid ?? '';
      if (created.has(uid) || job.metadata?.deletionTimestamp !== undefined) continue;
      created.add(uid);
      const template = job.spec?.template;
      const name = `${job.metadata?.name}-${Math.random().toString(36).slice(2, 7)}`;
      const pod: V1Pod = {
        metadata: {
          name,
          namespace,
          labels: { ...template?.metadata?.labels, 'batch.kubernetes.io/job-name': job.metadata?.name ?? '' },
          annotations: template?.metadata?.annotations ?? {},
          ownerReferences: [
            { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata?.name ?? '', uid, controller: true },
          ],
        },
        spec: template?.spec ?? { containers: [] },
      };
      await core.createNamespacedPod({ namespace, body: pod });
      runs.set(name, {
        name,
        jobUid: uid,
        lines: [],
        listeners: new Set(),
        container: null,
        exited: false,
        silenced: false,
        dir: await mkdtemp(join(root, `${name}-`)),
      });
      if (mode === 'unschedulable') {
        await updateStatus(name, (s) => {
          s.phase = 'Pending';
          s.conditions = [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message: '0/1 nodes are available: 1 Insufficient cpu.',
              lastTransitionTime: now(),
            },
          ];
        });
        continue;
      }
      await core.createNamespacedPodBinding({
        name,
        namespace,
        body: { metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
      });
      await updateStatus(name, (s) => {
        s.phase = 'Pending';
        s.conditions = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: now() }];
        if (mode === 'image-pull-error') {
          s.containerStatuses = [
            {
              name: 'runner',
              image: template?.spec?.containers[0]?.image ?? '',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
            },
          ];
        }
      });
    }
    for (const run of runs.values()) {
      if (!liveJobs.has(run.jobUid)) {
        // The garbage collector's part: a deleted Job's pods go, and the kubelet stops them.
        runs.delete(run.name);
        await stopRun(run);
        await core.deleteNamespacedPod({ name: run.name, namespace }).catch(() => {});
        continue;
      }
      if (mode !== 'run' || started.has(run.name)) continue;
      const pod = await core.readNamespacedPod({ name: run.name, namespace }).catch(() => null);
      if (pod !== null && (await startContainer(pod, run))) started.add(run.name);
    }
  };

  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await reconcile().catch(() => {});
      await new Promise((r) => setTimeout(r, 150));
    }
  })();

  const cluster: FakeCluster = {
    nodeName,
    pods: () => [...runs.keys()],
    async preempt(pod, reason = 'TerminationByKubelet') {
      await updateStatus(pod, (s) => {
        s.conditions = [
          ...(s.conditions ?? []),
          {
            type: 'DisruptionTarget',
            status: 'True',
            reason,
            message: 'Pod was terminated in response to imminent node shutdown.',
            lastTransitionTime: now(),
          },
        ];
      });
      const run = runs.get(pod);
      if (run !== undefined) await stopRun(run);
    },
    async deleteNode() {
      // Nothing reports on the pods of a node that is gone: their status stays as it was.
      await core.deleteNode({ name: nodeName });
      for (const run of runs.values()) {
        run.silenced = true;
        await stopRun(run);
      }
    },
    dropLogStreams() {
      for (const res of open) res.destroy();
    },
    async stop() {
      stopped = true;
      await loop;
      for (const run of runs.values()) await stopRun(run);
      for (const res of open) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
  return cluster;
}
