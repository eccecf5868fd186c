import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job } from '@kubernetes/client-node';
import type { ExecutorJob } from '../executor.js';
import { ignoring } from './api.js';
import {
  ANNOTATION_SPEC_DIGEST,
  ANNOTATION_WORKFLOW,
  buildJobManifests,
  jobName,
  type KubernetesExecutorConfig,
  LABEL_ATTEMPT,
  LABEL_JOB,
  LABEL_WORKFLOW,
  sha256,
  workflowLabel,
} from './job-manifest.js';
import { classify, type Observation } from './pod-state.js';

/** The executor's calls on the cluster: a runner Job found or made, looked at, and removed. */
export interface RunnerJobs {
  /**
   * The Job to follow: one an earlier attempt of this request started and that is still healthy
   * (a worker restarted while it ran), else a new one for this attempt. Broken leftovers go.
   */
  attachOrCreate(
    job: ExecutorJob,
    attempt: number,
    specJson: string,
    checkpointJson: string | null,
    takeSlot: (name: string) => Promise<void>,
  ): Promise<string>;
  observe(name: string): Promise<Observation>;
  deleteJob(name: string): Promise<void>;
}

export function runnerJobs(kubeConfig: KubeConfig, config: KubernetesExecutorConfig): RunnerJobs {
  const batch = kubeConfig.makeApiClient(BatchV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespace = config.namespace;

  const deleteJob = async (name: string) => {
    await ignoring([404], batch.deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' }));
    // Owned by the Job, so the garbage collector removes it too; deleting it here saves the wait.
    await ignoring([404], core.deleteNamespacedConfigMap({ name, namespace }));
  };

  const podsOf = async (name: string) =>
    (await core.listNamespacedPod({ namespace, labelSelector: `${LABEL_JOB}=${name}` })).items;

  const observe = async (name: string): Promise<Observation> => {
    const job = await ignoring([404], batch.readNamespacedJob({ name, namespace }));
    const pods = await podsOf(name);
    const nodeNames = [...new Set(pods.map((p) => p.spec?.nodeName).filter((n) => n !== undefined))];
    let nodeExists = true;
    for (const node of nodeNames) {
      if ((await ignoring([404], core.readNode({ name: node }))) === null) nodeExists = false;
    }
    return { job, pods, nodeExists };
  };

  const attachOrCreate: RunnerJobs['attachOrCreate'] = async (
    job,
    attempt,
    specJson,
    checkpointJson,
    takeSlot,
  ) => {
    const key = job.key;
    const listed = await batch.listNamespacedJob({
      namespace,
      labelSelector: `${LABEL_WORKFLOW}=${workflowLabel(key)}`,
    });
    const attemptOf = (j: V1Job) => Number(j.metadata?.labels?.[LABEL_ATTEMPT] ?? 0);
    const mine = listed.items
      .filter((j) => j.metadata?.annotations?.[ANNOTATION_WORKFLOW] === key)
      .sort((a, b) => attemptOf(b) - attemptOf(a));
    let adopted: string | null = null;
    for (const job of mine) {
      const name = job.metadata?.name ?? '';
      const healthy =
        adopted === null &&
        job.metadata?.deletionTimestamp === undefined &&
        job.metadata?.annotations?.[ANNOTATION_SPEC_DIGEST] === sha256(specJson) &&
        ['pending', 'running', 'exited'].includes(classify(await observe(name), config).kind);
      if (healthy) adopted = name;
      else await deleteJob(name);
    }
    if (adopted !== null) return adopted;

    const { job: manifest, configMap } = buildJobManifests({
      config,
      workflowId: key,
      attempt,
      platform: job.spec.platform,
      specJson,
      checkpointJson,
    });
    const name = manifest.metadata?.name ?? jobName(key, attempt);
    await takeSlot(name);
    const created =
      (await ignoring([409], batch.createNamespacedJob({ namespace, body: manifest }))) ??
      (await batch.readNamespacedJob({ name, namespace }));
    const uid = created.metadata?.uid;
    if (uid !== undefined) {
      configMap.metadata = {
        ...configMap.metadata,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name, uid, controller: true }],
      };
    }
    // The pod cannot start before its ConfigMap exists (the kubelet waits for the volume).
    await ignoring([409], core.createNamespacedConfigMap({ namespace, body: configMap }));
    return name;
  };

  return { attachOrCreate, observe, deleteJob };
}
