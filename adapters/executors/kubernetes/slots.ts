import { createHash } from 'node:crypto';
import {
  BatchV1Api,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  V1MicroTime,
} from '@kubernetes/client-node';
import { ignoring, keepWatching, sleep } from './api.js';
import { LABEL_PLATFORM, platformLabel } from './job-manifest.js';

// A platform's runner slots, held cluster-wide whatever the number of worker replicas: slot i is
// the Lease `benchbot-slot-<platform>-<i>` in the runner namespace, held by the Job that runs in
// it. Creating or replacing a Lease is atomic (a conflict means another worker took it), so at
// most `count` Jobs of the platform run at once. A slot whose Job is gone or finished is free
// again, so a worker that dies holding one costs nothing; a waiting worker is woken by the watch
// on the Leases and on the platform's Jobs, so nothing waits while a slot is free.

export interface SlotsOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  platform: string;
  count: number;
}

export interface Slots {
  /**
   * Takes a slot for `job` (or finds it holding one). Waits while every slot is taken, calling
   * `onWait` now and then; false when `stop` aborts first.
   */
  acquire(job: string, stop: AbortSignal, onWait: () => void): Promise<boolean>;
  /** Frees the slot `job` holds, if any. */
  release(job: string): Promise<void>;
}

const LABEL_SLOT = 'benchbot.dev/slot';
/** A fallback for a missed watch event; waking is by the watches. */
const RECHECK_MS = 10_000;
const CREATE_GRACE_MS = 60_000;

function leaseName(platform: string, index: number): string {
  const slug = platform
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30);
  const digest = createHash('sha256').update(platform).digest('hex').slice(0, 8);
  return `benchbot-slot-${slug}-${digest}-${index}`;
}

export function createSlots(options: SlotsOptions): Slots {
  const { kubeConfig, namespace, platform, count } = options;
  const leases = kubeConfig.makeApiClient(CoordinationV1Api);
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const labels = { [LABEL_SLOT]: 'true', [LABEL_PLATFORM]: platformLabel(platform) };
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const held = async (job: string) =>
    (await leases.listNamespacedLease({ namespace, labelSelector: selector })).items.filter(
      (l) => l.spec?.holderIdentity === job,
    );
  /** Whether the slot's Job is done with it (a Job not created yet is not). */
  const free = async (lease: V1Lease) => {
    const job = lease.spec?.holderIdentity;
    if (job === undefined) return true;
    const found = await ignoring([404], batch.readNamespacedJob({ name: job, namespace }));
    if (found === null) {
      // The slot is taken just before its Job is created: a missing Job frees it only once the
      // worker that took it has had ample time to create it (or has died trying).
      const taken = new Date(lease.spec?.acquireTime ?? 0).getTime();
      return Date.now() - taken > CREATE_GRACE_MS;
    }
    if (found.metadata?.deletionTimestamp !== undefined) return true;
    return (found.status?.conditions ?? []).some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
  };
  const spec = (job: string) => ({ holderIdentity: job, acquireTime: new V1MicroTime() });

  /** One pass over the slots: true when `job` holds one afterwards. */
  const tryTake = async (job: string): Promise<boolean> => {
    if ((await held(job)).length > 0) return true;
    for (let index = 0; index < count; index++) {
      const name = leaseName(platform, index);
      const lease = await ignoring([404], leases.readNamespacedLease({ name, namespace }));
      if (lease === null) {
        const body: V1Lease = { metadata: { name, namespace, labels }, spec: spec(job) };
        if ((await ignoring([409], leases.createNamespacedLease({ namespace, body }))) !== null) return true;
        continue;
      }
      if (!(await free(lease))) continue;
      lease.spec = { ...lease.spec, ...spec(job) };
      // The resourceVersion read above makes this a compare-and-swap.
      const taken = await ignoring([409], leases.replaceNamespacedLease({ name, namespace, body: lease }));
      if (taken !== null) return true;
    }
    return false;
  };

  return {
    async acquire(job, stop, onWait) {
      if (await tryTake(job)) return true;
      let wake = new AbortController();
      const poke = () => wake.abort();
      const unwatch = [
        keepWatching(
          kubeConfig,
          `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
          { labelSelector: selector },
          poke,
        ),
        keepWatching(
          kubeConfig,
          `/apis/batch/v1/namespaces/${namespace}/jobs`,
          { labelSelector: `${LABEL_PLATFORM}=${labels[LABEL_PLATFORM]}` },
          poke,
        ),
      ];
      stop.addEventListener('abort', poke);
      try {
        for (;;) {
          if (stop.aborted) return false;
          onWait();
          await sleep(RECHECK_MS, wake.signal);
          wake = new AbortController();
          if (stop.aborted) return false;
          if (await tryTake(job)) return true;
        }
      } finally {
        stop.removeEventListener('abort', poke);
        for (const u of unwatch) u();
      }
    },
    async release(job) {
      for (const lease of await held(job)) {
        const name = lease.metadata?.name ?? '';
        const resourceVersion = lease.metadata?.resourceVersion;
        await ignoring(
          [404, 409],
          leases.deleteNamespacedLease({
            name,
            namespace,
            body: { preconditions: resourceVersion === undefined ? {} : { resourceVersion } },
          }),
        );
      }
    },
  };
}
