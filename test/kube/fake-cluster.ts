import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, type KubeConfig, type V1Pod, type V1PodStatus } from '@kubernetes/client-node';
import { PROJECT_ROOT } from '../runner/fixture-repo.js';
import { DEFAULT_NODES, type NodeSpec, registerNodes } from './fake-nodes.js';
import { startFakeProvisioner } from './fake-provisioner.js';

// The kubelet, the one part of a cluster the test control plane lacks (control-plane.ts runs the
// real scheduler and controller-manager): it registers Nodes (fake-nodes.ts), runs the runner
// container of each pod bound to them as a local process (the image's paths mapped to the checkout
// and temp dirs), reports its status, finishes the deletion of pods the controllers delete, and
// serves container logs over HTTPS at /containerLogs/..., which the real API server proxies for
// pods/log as it would to a kubelet. The cloud's volume provisioner runs beside it.
// Faults: preempt a pod (DisruptionTarget, SIGTERM, Failed), delete a node, drop log streams.

export type KubeletMode = 'run' | 'image-pull-error';

export interface FakeClusterOptions {
  kubeConfig: KubeConfig;
  mode?: KubeletMode;
  nodes?: NodeSpec[];
  /** Every line a runner prints, e.g. to preempt a pod at a chosen moment. */
  onLine?: (pod: string, line: string, cluster: FakeCluster) => void;
}

export interface FakeCluster {
  /** The registered nodes' names, in the order of the node specs. */
  nodes: string[];
  /** Names of the pods this kubelet started so far, oldest first. */
  pods(): string[];
  /** The node each pod the kubelet saw was bound to, by pod name. */
  podNodes(): Map<string, string>;
  /** Evicts a running pod as a spot preemption does. */
  preempt(pod: string, reason?: string): Promise<void>;
  /** The node vanishes (its pods' processes die with it, and nothing reports on them). */
  deleteNode(name: string): Promise<void>;
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
  namespace: string;
  uid: string;
  node: string;
  lines: LogLine[];
  listeners: Set<(line: LogLine | null) => void>;
  process: ChildProcess | null;
  started: boolean;
  exited: boolean;
  /** The node is gone: no more status reports. */
  silenced: boolean;
  /** The final (grace 0) delete of a pod the controllers deleted was sent. */
  finalized: boolean;
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
  const { kubeConfig } = options;
  const mode = options.mode ?? 'run';
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const root = await mkdtemp(join(tmpdir(), 'benchbot-kubelet-'));
  /** By pod name (names are unique across the tests' namespaces). */
  const runs = new Map<string, PodRun>();
  const seen: string[] = [];
  const open = new Set<ServerResponse>();

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
  const provisioner = await startFakeProvisioner(kubeConfig);
  const nodes = await registerNodes(kubeConfig, options.nodes ?? DEFAULT_NODES, kubeletPort);
  const liveNodes = new Set(nodes.names);

  const updateStatus = async (run: PodRun, change: (status: V1PodStatus) => void) => {
    const { name, namespace } = run;
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
  const setCondition = (s: V1PodStatus, type: string, status: 'True' | 'False', extra = {}) => {
    s.conditions = [
      ...(s.conditions ?? []).filter((c) => c.type !== type),
      { type, status, lastTransitionTime: now(), ...extra },
    ];
  };

  const appendLine = (run: PodRun, text: string) => {
    const line = { ...stampNow(), text };
    run.lines.push(line);
    for (const l of run.listeners) l(line);
    options.onLine?.(run.name, text, cluster);
  };

  const stopRun = (run: PodRun) =>
    new Promise<void>((resolve) => {
      const child = run.process;
      if (child === null || child.exitCode !== null || child.signalCode !== null) return resolve();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });

  const startContainer = async (pod: V1Pod, run: PodRun) => {
    const namespace = run.namespace;
    const configMap = pod.spec?.volumes?.find((v) => v.configMap !== undefined)?.configMap?.name ?? '';
    const cm = await core.readNamespacedConfigMap({ name: configMap, namespace }).catch(() => null);
    if (cm === null) return false; // the kubelet waits for the volume
    const jobDir = join(run.dir, 'job');
    const workDir = join(run.dir, 'work');
    await mkdir(jobDir, { recursive: true });
    await mkdir(workDir, { recursive: true });
    for (const [file, text] of Object.entries(cm.data ?? {})) await writeFile(join(jobDir, file), text);
    const container = pod.spec?.containers[0];
    const paths: [string, string][] = [
      ['/opt/benchbot', PROJECT_ROOT],
      ['/etc/benchbot/job', jobDir],
      ['/work', workDir],
    ];
    const map = (arg: string) => {
      const hit = paths.find(([from]) => arg === from || arg.startsWith(`${from}/`));
      return hit === undefined ? arg : hit[1] + arg.slice(hit[0].length);
    };
    const [, script = ''] = container?.command ?? [];
    const child = spawn(process.execPath, [map(script), ...(container?.args ?? []).map(map)], {
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: workDir },
    });
    run.process = child;
    const closed = Promise.all([
      new Promise((r) => child.stdout.once('close', r)),
      new Promise((r) => child.stderr.once('close', r)),
    ]);
    createInterface({ input: child.stdout }).on('line', (l) => appendLine(run, l));
    createInterface({ input: child.stderr }).on('line', (l) => appendLine(run, l));
    const startedAt = now();
    await updateStatus(run, (s) => {
      s.phase = 'Running';
      s.startTime = startedAt;
      setCondition(s, 'Initialized', 'True');
      setCondition(s, 'ContainersReady', 'True');
      setCondition(s, 'Ready', 'True');
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
    child.on('exit', (code, signal) => {
      void closed.then(async () => {
        const exitCode = code ?? 137;
        if (!run.silenced) {
          await updateStatus(run, (s) => {
            s.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
            setCondition(s, 'ContainersReady', 'False');
            setCondition(s, 'Ready', 'False');
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
        }
        run.exited = true;
        for (const l of run.listeners) l(null);
      });
    });
    return true;
  };

  /** A pod the controllers deleted: stop its container, report it, and remove it for good. */
  const finishDeletion = async (run: PodRun) => {
    if (run.finalized) return;
    if (run.process !== null && !run.exited) {
      await stopRun(run);
      return; // the exit is reported first; the next pass removes the pod
    }
    run.finalized = true;
    await core
      .deleteNamespacedPod({
        name: run.name,
        namespace: run.namespace,
        // With a body, the API server reads the options from it alone (not the query).
        body: { gracePeriodSeconds: 0, preconditions: { uid: run.uid } },
      })
      .catch(() => {});
  };

  // One pass of the kubelet's sync loop over the pods bound to its nodes.
  const sync = async () => {
    const pods = (await core.listPodForAllNamespaces()).items;
    const present = new Set<string>();
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      const name = pod.metadata?.name ?? '';
      if (node === undefined || !liveNodes.has(node)) continue;
      present.add(name);
      let run = runs.get(name);
      if (run === undefined) {
        run = {
          name,
          namespace: pod.metadata?.namespace ?? '',
          uid: pod.metadata?.uid ?? '',
          node,
          lines: [],
          listeners: new Set(),
          process: null,
          started: false,
          exited: false,
          silenced: false,
          finalized: false,
          dir: await mkdtemp(join(root, `${name}-`)),
        };
        runs.set(name, run);
        seen.push(name);
        if (mode === 'image-pull-error') {
          await updateStatus(run, (s) => {
            s.phase = 'Pending';
            s.containerStatuses = [
              {
                name: 'runner',
                image: pod.spec?.containers[0]?.image ?? '',
                imageID: '',
                ready: false,
                restartCount: 0,
                state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' } },
              },
            ];
          });
        }
      }
      if (pod.metadata?.deletionTimestamp !== undefined) await finishDeletion(run);
      else if (mode === 'run' && !run.started && (await startContainer(pod, run))) run.started = true;
    }
    // Pods gone from the API (force-deleted) take their containers with them.
    for (const run of runs.values()) {
      if (!present.has(run.name) && !run.exited && liveNodes.has(run.node)) {
        run.silenced = true;
        await stopRun(run);
      }
    }
  };

  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await sync().catch(() => {});
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  const cluster: FakeCluster = {
    nodes: nodes.names,
    pods: () => [...seen],
    podNodes: () => new Map([...runs.values()].map((r) => [r.name, r.node])),
    async preempt(pod, reason = 'TerminationByKubelet') {
      const run = runs.get(pod);
      if (run === undefined) return;
      await updateStatus(run, (s) => {
        setCondition(s, 'DisruptionTarget', 'True', {
          reason,
          message: 'Pod was terminated in response to imminent node shutdown.',
        });
      });
      await stopRun(run);
    },
    async deleteNode(name) {
      // Nothing reports on the pods of a node that is gone: their status stays as it was until the
      // controllers act on them.
      liveNodes.delete(name);
      await nodes.remove(name);
      for (const run of runs.values()) {
        if (run.node !== name) continue;
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
      for (const run of runs.values()) {
        run.silenced = true;
        await stopRun(run);
      }
      for (const res of open) res.destroy();
      await nodes.stop();
      await provisioner.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
  return cluster;
}
