import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ExecutorHooks, ExecutorJob } from '../../adapters/executors/executor.js';
import type { KubernetesExecutorConfig } from '../../adapters/executors/kubernetes/job-manifest.js';
import {
  type AttemptContext,
  createKubernetesExecutor,
  type KubernetesExecutorOptions,
  type KubernetesHeartbeat,
} from '../../adapters/executors/kubernetes.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { jobCheckpoints } from '../../adapters/results-store/job-artifacts.js';
import type { ProgressEvent } from '../../core/runner-protocol.js';
import { testConfig } from '../integration/test-config.js';
import { benchmark, type FixtureRepo, makeFixtureRepo, makeSpec } from '../runner/fixture-repo.js';
import { type ControlPlane, createNamespace, startControlPlane } from './control-plane.js';
import { type FakeClusterOptions, startFakeCluster } from './fake-cluster.js';
import { kubernetesTestConfig } from './kube-test-config.js';

// What the Kubernetes executor's tests share: one real control plane per file, a fixture repo, a
// real results store for checkpoints, and per test a namespace and a fake kubelet of its own.

export interface KubeHarness {
  plane(): ControlPlane;
  store(): StoreAccess;
  /** A namespace and a fake kubelet of its own per test, so tests share nothing. */
  setup(
    options?: Omit<FakeClusterOptions, 'kubeConfig'>,
    overrides?: Partial<KubernetesExecutorConfig>,
  ): Promise<{
    namespace: string;
    cluster: Awaited<ReturnType<typeof startFakeCluster>>;
    config: KubernetesExecutorConfig;
  }>;
  /** The executor as one attempt of the job activity sees it. */
  executorFor(
    config: KubernetesExecutorOptions['config'],
    attemptContext: () => AttemptContext,
    pollIntervalMs: number,
    extra?: Partial<KubernetesExecutorOptions>,
  ): ReturnType<typeof createKubernetesExecutor>;
  /** The job as the job activity hands it to the executor. */
  jobOf(spec: ExecutorJob['spec'], key: string): ExecutorJob;
  spec(changed?: 'slow' | 'broken', platform?: string): ExecutorJob['spec'];
}

export function kubeHarness(): KubeHarness {
  let plane: ControlPlane;
  let fixture: FixtureRepo;
  let store: StoreAccess;
  let nsCounter = 0;
  const storeDir = mkdtempSync(join(tmpdir(), 'benchbot-kube-store-'));

  beforeAll(async () => {
    [plane, fixture] = await Promise.all([startControlPlane(), makeFixtureRepo()]);
    const config = testConfig(
      `version: 1\nresults: { path: ${JSON.stringify(join(storeDir, 'results.sqlite'))} }\nrepos: []\n`,
    );
    store = createStoreAccess(config, process.env);
  });

  afterAll(async () => {
    await plane?.stop();
    await store?.close();
    await rm(storeDir, { recursive: true, force: true });
    if (fixture) await rm(fixture.dir, { recursive: true, force: true });
  });

  return {
    plane: () => plane,
    store: () => store,
    async setup(options = {}, overrides = {}) {
      const namespace = `t${++nsCounter}-${Math.random().toString(36).slice(2, 7)}`;
      await createNamespace(plane.kubeConfig, namespace);
      const cluster = await startFakeCluster({ kubeConfig: plane.kubeConfig, ...options });
      const config = kubernetesTestConfig(namespace, { pendingGraceSeconds: 2, ...overrides });
      return { namespace, cluster, config };
    },
    executorFor: (config, attemptContext, pollIntervalMs, extra = {}) =>
      createKubernetesExecutor({
        config,
        kubeConfig: plane.kubeConfig,
        pollIntervalMs,
        attemptContext,
        ...extra,
      }),
    jobOf: (spec, key) => ({
      spec,
      key,
      checkpoints: jobCheckpoints(store, key, (message, error) => {
        throw new Error(`${message}: ${String(error)}`);
      }),
    }),
    spec: (changed = 'slow', platform) => {
      const made = makeSpec(fixture, changed, [
        benchmark('hot', { iterations: 4 }),
        benchmark('steady', { iterations: 4 }),
      ]);
      return platform === undefined ? made : { ...made, platform };
    },
  };
}

export function attempt(n: number, previous: unknown = undefined) {
  const beats: KubernetesHeartbeat[] = [];
  const context: AttemptContext = { attempt: n, previous, heartbeat: (d) => beats.push(structuredClone(d)) };
  return { beats, context: () => context, last: () => beats.at(-1) };
}

export function hooks(signal = new AbortController().signal) {
  const events: ProgressEvent[] = [];
  const h: ExecutorHooks = {
    onProgress: (e) => events.push(e),
    heartbeat: () => {},
    signal,
    shutdown: new AbortController().signal,
  };
  return { hooks: h, events };
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  tries = 400,
) {
  for (let i = 0; i < tries; i++) {
    const value = await fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
