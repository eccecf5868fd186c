import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKubernetesExecutor } from '../../adapters/executors/kubernetes.js';
import { diffProfileData } from '../../adapters/profiles/decode.js';
import { createStoreAccess, type StoreAccess } from '../../adapters/results-store/access.js';
import { jobCheckpoints } from '../../adapters/results-store/job-artifacts.js';
import type { JobSpec } from '../../core/job-spec.js';
import { testConfig } from '../integration/test-config.js';
import {
  makeProfiledGoRepo,
  type ProfiledGoRepo,
  profiledBenchmark,
  profiledJobSpec,
  REMOVED_HELPER,
} from '../profile/go-profiles.js';
import { type ControlPlane, createNamespace, startControlPlane } from './control-plane.js';
import { startFakeCluster } from './fake-cluster.js';
import { kubernetesTestConfig } from './kube-test-config.js';

vi.setConfig({ testTimeout: 300_000 });

// A pod holds no credential, so its profiles leave the way its checkpoints do: framed in its log
// (runner/pod-entrypoint.ts), after the results, the manifest last.

const dir = mkdtempSync(join(tmpdir(), 'benchbot-kube-profiles-'));
let plane: ControlPlane;
let store: StoreAccess;
let repo: ProfiledGoRepo;

beforeAll(async () => {
  plane = await startControlPlane();
  repo = makeProfiledGoRepo(dir);
  const config = testConfig(
    `version: 1\nresults: { path: ${JSON.stringify(join(dir, 'results.sqlite'))} }\nrepos: []\n`,
  );
  store = createStoreAccess(config, process.env);
});

afterAll(async () => {
  await plane?.stop();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

const spec = (): JobSpec =>
  profiledJobSpec(
    repo,
    [{ ...profiledBenchmark('work'), iterations: 2 }],
    { scheme: 'abba', seed: 1 },
    // The fake kubelet gives the container a bare environment: Go's caches go in the job's home.
    { GOCACHE: join(dir, 'go-build'), GOPATH: join(dir, 'go') },
  );

describe('profiles from a Kubernetes Job', () => {
  it('come back through the pod log with the results', async () => {
    const namespace = `profiles-${Math.random().toString(36).slice(2, 7)}`;
    await createNamespace(plane.kubeConfig, namespace);
    const cluster = await startFakeCluster({ kubeConfig: plane.kubeConfig });
    try {
      const executor = createKubernetesExecutor({
        config: kubernetesTestConfig(namespace),
        kubeConfig: plane.kubeConfig,
        pollIntervalMs: 500,
        attemptContext: () => ({ attempt: 1, previous: undefined, heartbeat: () => {} }),
      });
      const key = 'bench:acme/work:manual:kube-profiles';
      const never = new AbortController().signal;
      const outcome = await executor.run(
        { spec: spec(), key, checkpoints: jobCheckpoints(store, key, () => {}) },
        { onProgress: () => {}, heartbeat: () => {}, signal: never, shutdown: never },
      );
      expect(outcome.kind).toBe('results');
      if (outcome.kind !== 'results' || !outcome.profiles) throw new Error('no profiles came back');
      expect(outcome.profiles.manifest.profiles).toEqual([
        {
          benchmark: 'work',
          sides: ['baseline', 'changed'],
          results: [{ name: 'Process', group: { kind: 'benchmark', name: 'example.com/work' } }],
        },
      ]);
      const [baseline, changed] = outcome.profiles.files;
      if (!baseline || !changed) throw new Error('a side is missing');
      const diff = diffProfileData(
        { ...baseline, name: 'baseline' },
        { ...changed, name: 'changed' },
        { top: 5 },
      );
      if (!diff.ok) throw new Error(diff.error);
      expect(diff.diff.byFlat.find((f) => f.name === REMOVED_HELPER)?.presentIn).toBe('baseline');
    } finally {
      await cluster.stop();
    }
  });
});
