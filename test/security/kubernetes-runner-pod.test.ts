import { rm } from 'node:fs/promises';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createKubernetesExecutor } from '../../adapters/executors/kubernetes.js';
import { type ControlPlane, createNamespace, startControlPlane } from '../kube/control-plane.js';
import { startFakeCluster } from '../kube/fake-cluster.js';
import { kubernetesTestConfig } from '../kube/kube-test-config.js';
import { benchmark, type FixtureRepo, makeFixtureRepo, makeSpec } from '../runner/fixture-repo.js';
import { tempCheckpointStores } from '../support/job-checkpoints.js';

// The runner pod runs code from pull requests: on the real kube-apiserver (its ServiceAccount
// admission plugin included), the pod benchbot creates must hold no credential of the cluster and
// none of the worker's, and run as non-root without privileges. The hostile benchmark itself, run
// inside a real container, belongs with the runner image's tests.

vi.setConfig({ testTimeout: 120_000 });

const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
let plane: ControlPlane;
let fixture: FixtureRepo;
const checkpoints = tempCheckpointStores();

beforeAll(async () => {
  [plane, fixture] = await Promise.all([startControlPlane(), makeFixtureRepo()]);
});

afterAll(async () => {
  await checkpoints.close();
  await plane?.stop();
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

function mountsServiceAccountToken(pod: V1Pod): boolean {
  const projectsToken = (pod.spec?.volumes ?? []).some(
    (v) => v.projected?.sources?.some((s) => s.serviceAccountToken !== undefined) || v.secret !== undefined,
  );
  const mountsPath = (pod.spec?.containers ?? []).some((c) =>
    (c.volumeMounts ?? []).some((m) => m.mountPath.startsWith(TOKEN_PATH)),
  );
  return projectsToken || mountsPath;
}

describe('the runner pod on a real API server', () => {
  it('has no service-account token, no secret in its environment, and runs as non-root without privileges', async () => {
    const namespace = `sec-${Math.random().toString(36).slice(2, 7)}`;
    await createNamespace(plane.kubeConfig, namespace);
    const core = plane.kubeConfig.makeApiClient(CoreV1Api);
    // The worst case: the runner is given a service account that exists and could hold rights.
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'runner' } } });
    const cluster = await startFakeCluster({ kubeConfig: plane.kubeConfig });
    const previousToken = process.env.GITHUB_TOKEN;
    // A secret in the worker's own environment, which nothing may copy into the pod.
    process.env.GITHUB_TOKEN = 'ghp_worker_secret';
    try {
      const config = kubernetesTestConfig(namespace, { serviceAccountName: 'runner' });
      const executor = createKubernetesExecutor({
        config,
        kubeConfig: plane.kubeConfig,
        pollIntervalMs: 500,
        attemptContext: () => ({ attempt: 1, previous: undefined, heartbeat: () => {} }),
      });
      const outcome = await executor.run(
        {
          spec: makeSpec(fixture, 'slow', [benchmark('hot', { iterations: 1, warmups: 0 })]),
          key: 'bench:acme/widget:comment:7',
          checkpoints: checkpoints.forJob('bench:acme/widget:comment:7'),
        },
        {
          onProgress: () => {},
          heartbeat: () => {},
          signal: new AbortController().signal,
          shutdown: new AbortController().signal,
        },
      );
      expect(outcome.kind).toBe('results');

      // The pod as the API server stored it, after admission.
      const pods = (await core.listNamespacedPod({ namespace })).items;
      expect(pods).toHaveLength(1);
      const pod = pods[0] as V1Pod;
      expect(pod.spec?.serviceAccountName).toBe('runner');
      expect(pod.spec?.automountServiceAccountToken).toBe(false);
      expect(mountsServiceAccountToken(pod)).toBe(false);
      expect(pod.spec?.enableServiceLinks).toBe(false);
      for (const container of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        expect(container.env ?? []).toEqual([]);
        expect(container.envFrom ?? []).toEqual([]);
        expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
        expect(container.securityContext?.privileged ?? false).toBe(false);
        expect(JSON.stringify(container)).not.toContain('ghp_worker_secret');
      }
      expect(pod.spec?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.spec?.securityContext?.runAsUser).not.toBe(0);
      expect(pod.spec?.hostPID ?? false).toBe(false);
      expect(pod.spec?.hostNetwork ?? false).toBe(false);

      // The control: the same pod without the opt-out is given the token by this API server, so the
      // check above would see one.
      const control = await core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'control' },
          spec: { ...pod.spec, automountServiceAccountToken: undefined, nodeName: undefined },
        } as V1Pod,
      });
      expect(mountsServiceAccountToken(control)).toBe(true);
    } finally {
      if (previousToken === undefined) delete process.env.GITHUB_TOKEN;
      else process.env.GITHUB_TOKEN = previousToken;
      await cluster.stop();
    }
  });
});
