import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type KubernetesObject, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { buildJobManifests, forPlatform } from '../../adapters/executors/kubernetes/job-manifest.js';
import { formatConfigIssues, parseConfig } from '../../core/config/index.js';
import { PROJECT_ROOT } from '../runner/fixture-repo.js';
import { type ControlPlane, startControlPlane } from './control-plane.js';

// `kubectl apply --dry-run=server -k infra/`, done with client-node against the real test API
// server: every object is validated and defaulted by the server and run through its admission
// (Pod Security included), without being stored. The renderer below covers what infra/'s
// kustomization uses (resources and one configMapGenerator), so the test needs no kubectl.

const INFRA = join(PROJECT_ROOT, 'infra');

interface Kustomization {
  resources: string[];
  configMapGenerator?: { name: string; namespace?: string; files: string[] }[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
}

async function renderKustomization(dir: string): Promise<KubernetesObject[]> {
  const kustomization = parseAllDocuments(
    await readFile(join(dir, 'kustomization.yaml'), 'utf8'),
  )[0]?.toJS() as Kustomization;
  expect(kustomization.generatorOptions?.disableNameSuffixHash).toBe(true);
  const objects: KubernetesObject[] = [];
  for (const file of kustomization.resources) {
    for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
      const value = doc.toJS() as KubernetesObject | null;
      if (value !== null) objects.push(value);
    }
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const file of generator.files) data[file] = await readFile(join(dir, file), 'utf8');
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: generator.name, ...(generator.namespace ? { namespace: generator.namespace } : {}) },
      data,
    } as KubernetesObject);
  }
  return objects;
}

let plane: ControlPlane;

beforeAll(async () => {
  plane = await startControlPlane();
});

afterAll(async () => {
  await plane?.stop();
});

describe('infra/', () => {
  it('passes a server-side dry run on the real API server', async () => {
    const objects = await renderKustomization(INFRA);
    expect(objects.map((o) => o.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'Deployment',
      'Namespace',
      'Namespace',
      'NetworkPolicy',
      'NetworkPolicy',
      'NetworkPolicy',
      'Role',
      'RoleBinding',
      'Service',
      'ServiceAccount',
    ]);
    // Every Deployment's pods are fenced by a NetworkPolicy, and the dashboard's Service reaches them.
    type Selecting = { spec?: { podSelector?: { matchLabels?: object }; selector?: object } };
    type Templated = { spec: { template: { metadata: { labels: object } } } };
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as Selecting[];
    for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
      const labels = (deployment as unknown as Templated).spec.template.metadata.labels;
      expect(
        policies.some((p) =>
          Object.entries(p.spec?.podSelector?.matchLabels ?? {}).every(
            ([k, v]) => (labels as Record<string, unknown>)[k] === v,
          ),
        ),
        `a NetworkPolicy for ${deployment.metadata?.name}`,
      ).toBe(true);
    }
    const service = objects.find((o) => o.kind === 'Service') as Selecting | undefined;
    const dashboard = objects.find(
      (o) => o.metadata?.name === 'benchbot-dashboard' && o.kind === 'Deployment',
    );
    expect(service?.spec?.selector).toEqual(
      (dashboard as unknown as Templated).spec.template.metadata.labels,
    );
    const api = KubernetesObjectApi.makeApiClient(plane.kubeConfig);
    // A dry-run namespace is not there for the dry runs of what goes in it: create those for real.
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) await api.create(ns);
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      await expect(
        api.create(object, undefined, 'All'),
        `${object.kind} ${object.metadata?.name}`,
      ).resolves.toMatchObject({
        kind: object.kind,
      });
    }
  });

  it('keeps the history in PostgreSQL, whose URL every Deployment takes from a Secret, never from the file', async () => {
    const text = await readFile(join(INFRA, 'benchbot.yaml'), 'utf8');
    const parsed = parseConfig(text, 'infra/benchbot.yaml');
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
    const { results } = parsed.config;
    expect(results.store).toBe('postgres');
    expect(text).not.toMatch(/postgres(ql)?:\/\//);
    type Env = { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
    type Pods = { spec: { template: { spec: { containers: { name: string; env?: Env[] }[] } } } };
    const deployments = (await renderKustomization(INFRA)).filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual([
      'benchbot-dashboard',
      'benchbot-worker',
    ]);
    for (const deployment of deployments) {
      const [container] = (deployment as unknown as Pods).spec.template.spec.containers;
      const url = container?.env?.find((e) => e.name === results.urlEnv);
      expect(url?.value, `${deployment.metadata?.name} sets ${results.urlEnv} in the open`).toBeUndefined();
      expect(url?.valueFrom?.secretKeyRef?.name, `${deployment.metadata?.name}'s ${results.urlEnv}`).toMatch(
        /^benchbot-database/,
      );
    }
  });

  it('ships a benchbot.yaml that benchbot accepts, whose runner Jobs the restricted namespace admits', async () => {
    const text = await readFile(join(INFRA, 'benchbot.yaml'), 'utf8');
    const parsed = parseConfig(text, 'infra/benchbot.yaml');
    if (!parsed.ok) throw new Error(formatConfigIssues(parsed.issues));
    // PR comments link to the Web UI; the cluster's workers serve the cluster's platforms.
    expect(parsed.config.temporal.uiUrl).toMatch(/^https:/);
    expect(parsed.config.executor.platforms).toEqual(['x86-64-linux', 'aarch64-linux']);
    const jobs = Object.values(parsed.config.platforms).map(
      (platform) =>
        buildJobManifests({
          config: forPlatform(parsed.config.executor.kubernetes, platform),
          workflowId: `bench:apache/datafusion:comment:${platform.name}`,
          attempt: 1,
          platform: platform.name,
          specJson: '{}',
          checkpointJson: null,
        }).job,
    );
    expect(jobs.map((j) => j.spec?.template.spec?.nodeSelector?.['kubernetes.io/arch'])).toEqual([
      undefined,
      'arm64',
    ]);
    const api = KubernetesObjectApi.makeApiClient(plane.kubeConfig);
    // Created for real in the first test; created here when this one runs alone.
    await api
      .create({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'benchmarking', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      } as KubernetesObject)
      .catch(() => {});
    // The controller-manager's service-account controller would have made this one.
    await api
      .create({
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace: 'benchmarking' },
      } as KubernetesObject)
      .catch(() => {});
    for (const job of jobs) {
      await expect(api.create(job as KubernetesObject, undefined, 'All')).resolves.toMatchObject({
        kind: 'Job',
      });
      // The pod it makes passes Pod Security "restricted" (checked on the pod itself, not the Job).
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `runner-check-${jobs.indexOf(job)}`, namespace: 'benchmarking' },
        spec: job.spec?.template.spec,
      };
      await expect(api.create(pod as KubernetesObject, undefined, 'All')).resolves.toMatchObject({
        kind: 'Pod',
      });
    }
  });
});
