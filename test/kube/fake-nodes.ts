import {
  CoordinationV1Api,
  CoreV1Api,
  type KubeConfig,
  V1MicroTime,
  type V1Node,
  type V1Taint,
} from '@kubernetes/client-node';

// The Nodes a fake kubelet registers, labelled and tainted as GKE does them: architecture and OS
// labels, spot nodes with the cloud.google.com/gke-spot label and taint, Arm nodes with the
// kubernetes.io/arch=arm64 taint GKE puts on them, and the compute class label. Each keeps its
// Lease renewed, so the real node lifecycle controller sees it alive.

export type NodeArch = 'amd64' | 'arm64';

export interface NodeSpec {
  arch: NodeArch;
  spot: boolean;
  cpu?: string;
  memory?: string;
  /** Extra labels, e.g. a compute class. */
  labels?: Record<string, string>;
}

/** Two amd64 spot nodes (a retry after one is gone finds another), an arm64 spot, an amd64 on-demand. */
export const DEFAULT_NODES: NodeSpec[] = [
  { arch: 'amd64', spot: true },
  { arch: 'amd64', spot: true },
  { arch: 'arm64', spot: true },
  { arch: 'amd64', spot: false },
];

export const GKE_SPOT = 'cloud.google.com/gke-spot';
export const ARCH = 'kubernetes.io/arch';
const HEARTBEAT_MS = 5_000;

export function nodeManifest(name: string, spec: NodeSpec): V1Node {
  const taints: V1Taint[] = [];
  if (spec.spot) taints.push({ key: GKE_SPOT, value: 'true', effect: 'NoSchedule' });
  if (spec.arch === 'arm64') taints.push({ key: ARCH, value: 'arm64', effect: 'NoSchedule' });
  return {
    metadata: {
      name,
      labels: {
        [ARCH]: spec.arch,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/hostname': name,
        'cloud.google.com/gke-nodepool': `${spec.arch}-${spec.spot ? 'spot' : 'standard'}`,
        'node.kubernetes.io/instance-type': spec.arch === 'arm64' ? 'c4a-standard-8' : 'c3-standard-8',
        'cloud.google.com/compute-class': 'Performance',
        ...(spec.spot ? { [GKE_SPOT]: 'true' } : {}),
        ...spec.labels,
      },
    },
    spec: { taints },
  };
}

export interface RegisteredNodes {
  names: string[];
  /** Deletes a node; its Lease stops being renewed. */
  remove(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Registers the nodes (status pointing the API server at the kubelet's port) and heartbeats them. */
export async function registerNodes(
  kubeConfig: KubeConfig,
  specs: NodeSpec[],
  kubeletPort: number,
): Promise<RegisteredNodes> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const leases = kubeConfig.makeApiClient(CoordinationV1Api);
  const id = Math.random().toString(36).slice(2, 7);
  const names = specs.map((s, i) => `${id}-${s.arch}-${s.spot ? 'spot' : 'std'}-${i}`);
  const live = new Set(names);
  const ready = () => [
    {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'kubelet is posting ready status',
      lastHeartbeatTime: new Date(),
      lastTransitionTime: new Date(),
    },
  ];
  await Promise.all(
    specs.map(async (spec, i) => {
      const name = names[i] as string;
      const created = await core.createNode({ body: nodeManifest(name, spec) });
      const capacity = {
        cpu: spec.cpu ?? '8',
        memory: spec.memory ?? '32Gi',
        pods: '110',
        'ephemeral-storage': '200Gi',
      };
      const status = {
        addresses: [
          { type: 'InternalIP', address: '127.0.0.1' },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
        capacity,
        allocatable: capacity,
        conditions: ready(),
        nodeInfo: {
          architecture: spec.arch,
          operatingSystem: 'linux',
          bootID: id,
          containerRuntimeVersion: 'fake://1',
          kernelVersion: '',
          kubeProxyVersion: '',
          kubeletVersion: 'v1.36.3',
          machineID: name,
          osImage: 'fake',
          systemUUID: name,
        },
      };
      // The node lifecycle controller edits a new node at once: read, change, retry on conflict.
      for (let attempt = 0; ; attempt++) {
        const node = await core.readNode({ name });
        node.status = status;
        const written = await core.replaceNodeStatus({ name, body: node }).then(
          () => true,
          (error: { code?: number }) => {
            if (error.code !== 409 || attempt > 20) throw error;
            return false;
          },
        );
        if (written) break;
      }
      await leases.createNamespacedLease({
        namespace: 'kube-node-lease',
        body: {
          metadata: {
            name,
            ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: created.metadata?.uid ?? '' }],
          },
          spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: new V1MicroTime() },
        },
      });
    }),
  );
  const renew = async () => {
    for (const name of live) {
      const lease = await leases
        .readNamespacedLease({ name, namespace: 'kube-node-lease' })
        .catch(() => null);
      if (lease?.spec === undefined || !live.has(name)) continue;
      lease.spec.renewTime = new V1MicroTime();
      await leases
        .replaceNamespacedLease({ name, namespace: 'kube-node-lease', body: lease })
        .catch(() => {});
    }
  };
  const timer = setInterval(() => void renew(), HEARTBEAT_MS);
  return {
    names,
    async remove(name) {
      live.delete(name);
      await core.deleteNode({ name });
    },
    async stop() {
      clearInterval(timer);
      for (const name of [...live]) {
        live.delete(name);
        await core.deleteNode({ name }).catch(() => {});
      }
    },
  };
}
