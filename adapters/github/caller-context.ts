import { AsyncResource } from 'node:async_hooks';
import type { Octokit } from '@octokit/rest';

// @octokit/plugin-throttling runs requests from Bottleneck queues: a request that waited for its
// turn runs in the async context of whichever request freed the slot. Everything Octokit does
// inside it (its request log, say) would then be attributed to another activity's workflow.
// These two plugins carry the caller's context across the queue: the outermost hook captures it,
// the innermost runs the actual request in it. Node's AsyncResource exists for such queues.

const CALLER = Symbol('benchbot.callerContext');

type HookOptions = Record<PropertyKey, unknown>;

/** Registered before the throttling plugin, so that its hook runs innermost, after the queue. */
export function runInCallerContext(octokit: Pick<Octokit, 'hook'>): void {
  octokit.hook.wrap('request', (request, options) => {
    const caller = (options as HookOptions)[CALLER];
    return caller instanceof AsyncResource
      ? caller.runInAsyncScope(() => request(options))
      : request(options);
  });
}

/** Registered after every other plugin, so that its hook runs outermost, in the caller's context. */
export function captureCallerContext(octokit: Pick<Octokit, 'hook'>): void {
  octokit.hook.wrap('request', (request, options) => {
    (options as HookOptions)[CALLER] ??= new AsyncResource('GitHubRequest');
    return request(options);
  });
}
