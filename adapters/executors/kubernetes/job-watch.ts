import type { KubeConfig } from '@kubernetes/client-node';
import { keepWatching, sleep } from './api.js';
import { LABEL_JOB } from './job-manifest.js';

/** Waits between looks at a Job: the poll interval, cut short by any change to it or its pods. */
export interface JobWatch {
  /** Waits `ms`, or until the Job, one of its pods or one of the `wakers` changes. */
  wait(ms: number): Promise<void>;
  stop(): void;
}

export function watchJob(
  kubeConfig: KubeConfig,
  namespace: string,
  name: string,
  wakers: readonly AbortSignal[],
): JobWatch {
  let wake = new AbortController();
  // A change that comes between two waits stays armed: the next wait returns at once.
  const poke = () => wake.abort();
  const stopWatches = [
    keepWatching(
      kubeConfig,
      `/apis/batch/v1/namespaces/${namespace}/jobs`,
      { fieldSelector: `metadata.name=${name}` },
      poke,
    ),
    keepWatching(
      kubeConfig,
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector: `${LABEL_JOB}=${name}` },
      poke,
    ),
  ];
  for (const waker of wakers) waker.addEventListener('abort', poke, { once: true });
  return {
    async wait(ms) {
      await sleep(ms, wake.signal);
      if (wake.signal.aborted) wake = new AbortController();
    },
    stop() {
      for (const waker of wakers) waker.removeEventListener('abort', poke);
      for (const stop of stopWatches) stop();
    },
  };
}
