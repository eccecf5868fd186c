// The task queues benchbot's workers poll, named from the configured temporal.taskQueue.

/** Jobs of workflows from before per-platform queues, whatever their platform. */
export function sharedJobsTaskQueue(taskQueue: string): string {
  return `${taskQueue}-jobs`;
}

/** A platform's jobs: its own line and its own slots, served by the workers that reach it. */
export function jobsTaskQueue(taskQueue: string, platform: string): string {
  return `${taskQueue}-jobs-${platform}`;
}
