import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, type V1Pod, type V1PodStatus } from '@kubernetes/client-node';
import {
  type ContainerRuntime,
  type ContainerSpec,
  processRuntime,
  type RunningContainer,
} from './container-runtime.js';
import { type LoggedContainer, logLine, serveContainerLogs } from './fake-kubelet-logs.js';
import { DEFAULT_NODES, type NodeSpec, registerNodes } from './fake-nodes.js';
import { startFakeProvisioner } from './fake-provisioner.js';

// The kubelet, the one part of a cluster the test control plane lacks (control-plane.ts runs the
// real scheduler and controller-manager): it registers Nodes (fake-nodes.ts), runs the runner
// container of each pod bound to them with a container runtime (container-runtime.ts: a local
// process by default, or podman with the real image), reports its status, finishes the deletion
// of pods the controllers delete, and serves container logs (fake-kubelet-logs.ts). The cloud's
// volume provisioner runs beside it (fake-provisioner.ts).
// Faults: preempt a pod (DisruptionTarget, SIGTERM, Failed), delete a node, drop log streams.

export type KubeletMode = 'run' | 'image-pull-error';

export interface FakeClusterOptions {
  kubeConfig: KubeConfig;
  mode?: KubeletMode;
  nodes?: NodeSpec[];
  /** How the kubelet runs containers; a local process by default. */
  runtime?: ContainerRuntime;
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

interface PodRun extends LoggedContainer {
  name: string;
  namespace: string;
  uid: string;
  node: string;
  container: RunningContainer | null;
  started: boolean;
  /** The node is gone: no more status reports. */
  silenced: boolean;
  /** The final (grace 0) delete of a pod the controllers deleted was sent. */
  finalized: boolean;
  dir: string;
}

export async function startFakeCluster(options: FakeClusterOptions): Promise<FakeCluster> {
  const { kubeConfig } = options;
  const mode = options.mode ?? 'run';
  const runtime = options.runtime ?? processRuntime();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const root = await mkdtemp(join(tmpdir(), 'benchbot-kubelet-'));
  /** By pod name (names are unique across the tests' namespaces). */
  const runs = new Map<string, PodRun>();
  const seen: string[] = [];

  const logs = await serveContainerLogs(root, (pod) => runs.get(pod));
  const provisioner = await startFakeProvisioner(kubeConfig);
  const nodes = await registerNodes(kubeConfig, options.nodes ?? DEFAULT_NODES, logs.port);
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
    const line = logLine(text);
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
      await updateStatus(run, (s) => {
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
    void handle.exited.then(async ({ exitCode: code, signal }) => {
      const exitCode = code ?? 137;
      // Reported before the pod counts as exited, so that its deletion (below) follows the report.
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
    return true;
  };

  /** A pod the controllers deleted: stop its container, report it, and remove it for good. */
  const finishDeletion = async (run: PodRun) => {
    if (run.finalized) return;
    if (run.container !== null && !run.exited) {
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
          container: null,
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
    dropLogStreams: () => logs.dropStreams(),
    async stop() {
      stopped = true;
      await loop;
      for (const run of runs.values()) {
        run.silenced = true;
        await stopRun(run);
      }
      await logs.close();
      await nodes.stop();
      await provisioner.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
  return cluster;
}
