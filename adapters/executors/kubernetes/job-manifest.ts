import { createHash } from 'node:crypto';
import type { V1ConfigMap, V1Job, V1Toleration } from '@kubernetes/client-node';
import type { BenchbotConfig } from '../../../core/config/index.js';
import type { Platform } from '../../../core/config/platforms.js';

export type KubernetesExecutorConfig = BenchbotConfig['executor']['kubernetes'];

export const LABEL_WORKFLOW = 'benchbot.dev/workflow-id';
export const LABEL_ATTEMPT = 'benchbot.dev/attempt';
export const LABEL_PLATFORM = 'benchbot.dev/platform';
/** On the pods, so the executor finds a Job's pods whichever controller made them. */
export const LABEL_JOB = 'benchbot.dev/job';
export const ANNOTATION_WORKFLOW = 'benchbot.dev/workflow-id';
export const ANNOTATION_SPEC_DIGEST = 'benchbot.dev/spec-digest';
export const RUNNER_CONTAINER = 'runner';

// Paths inside the runner image (runner/image/Containerfile).
export const POD_PATHS = {
  entrypoint: '/opt/benchbot/runner/pod-entrypoint.js',
  job: '/etc/benchbot/job',
  work: '/work',
} as const;

const GKE_SPOT = 'cloud.google.com/gke-spot';
const GKE_COMPUTE_CLASS = 'cloud.google.com/compute-class';
const ARCH = 'kubernetes.io/arch';

export const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** A label value for a workflow id (ids hold ':' and '/', and may be longer than 63). */
export function workflowLabel(workflowId: string): string {
  return sha256(workflowId).slice(0, 40);
}

/**
 * The Job of one attempt: readable, DNS-1123, at most 63 characters (it becomes a label value on
 * its pods), and unique per workflow id and attempt through the hash.
 */
export function jobName(workflowId: string, attempt: number): string {
  const suffix = `-${sha256(workflowId).slice(0, 10)}-a${attempt}`;
  const slug = workflowId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const room = 63 - 'bench-'.length - suffix.length;
  const head = slug.slice(0, room).replace(/-+$/g, '');
  return head === '' ? `bench${suffix}` : `bench-${head}${suffix}`;
}

export interface JobManifestInput {
  config: KubernetesExecutorConfig;
  workflowId: string;
  attempt: number;
  /** The job spec's platform, labelled on the Job and its pod. */
  platform: string;
  specJson: string;
  /** The runner's checkpoint to resume from, as JSON text. */
  checkpointJson: string | null;
}

/** The executor's settings with a platform's placement and image: selectors and tolerations add up. */
export function forPlatform(config: KubernetesExecutorConfig, platform: Platform): KubernetesExecutorConfig {
  return {
    ...config,
    nodeSelector: { ...config.nodeSelector, ...platform.nodeSelector },
    tolerations: [...config.tolerations, ...platform.tolerations],
    runnerImage: platform.runnerImage ?? config.runnerImage,
  };
}

/** Placement: the configured selectors and tolerations plus GKE's spot, compute-class and Arm keys. */
export function placement(config: KubernetesExecutorConfig) {
  const nodeSelector: Record<string, string> = { ...config.nodeSelector };
  if (config.computeClass !== null) nodeSelector[GKE_COMPUTE_CLASS] = config.computeClass;
  const tolerations: V1Toleration[] = config.tolerations.map((t) => ({ ...t }));
  if (config.spot) {
    nodeSelector[GKE_SPOT] = 'true';
    tolerations.push({ key: GKE_SPOT, operator: 'Equal', value: 'true', effect: 'NoSchedule' });
  }
  // GKE taints Arm nodes kubernetes.io/arch=arm64:NoSchedule (and its admission adds this
  // toleration to pods that select arm64; other clusters need it written down).
  if (nodeSelector[ARCH] === 'arm64') {
    tolerations.push({ key: ARCH, operator: 'Equal', value: 'arm64', effect: 'NoSchedule' });
  }
  return { nodeSelector, tolerations };
}

/** A label value for a platform name (at most 63 characters, ending in a letter or digit). */
export function platformLabel(platform: string): string {
  return platform.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

/**
 * The Job and the ConfigMap holding its job spec (and checkpoint). The spec carries no secret: the
 * pod gets no service-account token, no env from secrets, and no service links, because the code
 * under test (a pull request's) runs in it.
 */
export function buildJobManifests(input: JobManifestInput): { job: V1Job; configMap: V1ConfigMap } {
  const { config, workflowId, attempt } = input;
  if (config.runnerImage === null) {
    throw new Error(
      'executor.kubernetes.runnerImage is not set: set it in benchbot.yaml or RUNNER_IMAGE in the environment',
    );
  }
  const name = jobName(workflowId, attempt);
  const labels = {
    'app.kubernetes.io/name': 'benchbot-runner',
    'app.kubernetes.io/managed-by': 'benchbot',
    [LABEL_WORKFLOW]: workflowLabel(workflowId),
    [LABEL_ATTEMPT]: String(attempt),
    [LABEL_PLATFORM]: platformLabel(input.platform),
  };
  const annotations = {
    [ANNOTATION_WORKFLOW]: workflowId,
    [ANNOTATION_SPEC_DIGEST]: sha256(input.specJson),
  };
  const resources = { cpu: config.cpu, memory: config.memory };
  const { nodeSelector, tolerations } = placement(config);
  const job: V1Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: config.namespace, labels, annotations },
    spec: {
      // A failed attempt is Temporal's to retry (with the checkpoint), not the Job controller's.
      backoffLimit: 0,
      activeDeadlineSeconds: config.activeDeadlineSeconds,
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
      template: {
        metadata: {
          labels: { ...labels, [LABEL_JOB]: name },
          annotations: {
            ...annotations,
            // The cluster autoscaler must not move a running benchmark to consolidate nodes.
            'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
          },
        },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(config.serviceAccountName === null ? {} : { serviceAccountName: config.serviceAccountName }),
          // GKE gives spot nodes 30 s of notice; the runner needs a moment to stop its commands.
          terminationGracePeriodSeconds: 25,
          nodeSelector,
          tolerations,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            fsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: RUNNER_CONTAINER,
              image: config.runnerImage,
              command: ['node', POD_PATHS.entrypoint],
              args: [
                '--job',
                POD_PATHS.job,
                '--out',
                `${POD_PATHS.work}/out`,
                '--work-dir',
                `${POD_PATHS.work}/src`,
              ],
              // requests = limits: Guaranteed QoS, so the static CPU manager (where enabled)
              // gives the pod whole cores no one else runs on.
              resources: { requests: resources, limits: resources },
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'job', mountPath: POD_PATHS.job, readOnly: true },
                { name: 'work', mountPath: POD_PATHS.work },
              ],
            },
          ],
          volumes: [
            { name: 'job', configMap: { name } },
            {
              // The clone, both builds and their caches: a volume of its own sized for large
              // workspaces, gone with the pod.
              name: 'work',
              ephemeral: {
                volumeClaimTemplate: {
                  metadata: { labels },
                  spec: {
                    accessModes: ['ReadWriteOnce'],
                    resources: { requests: { storage: config.ephemeralStorage } },
                  },
                },
              },
            },
          ],
        },
      },
    },
  };
  const configMap: V1ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: config.namespace, labels, annotations },
    data: {
      'spec.json': input.specJson,
      ...(input.checkpointJson === null ? {} : { 'checkpoint.json': input.checkpointJson }),
    },
  };
  return { job, configMap };
}
