import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * Heartbeats every activity that has a heartbeat timeout for as long as it runs, so that a worker
 * killed outright is noticed within that timeout instead of the (minutes-long) start-to-close
 * timeout, which has to leave room for GitHub's retry-after waits inside the activity. The SDK
 * throttles the heartbeats it actually sends.
 */
export const heartbeatWhileRunning: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      const timeoutMs = ctx.info.heartbeatTimeoutMs;
      if (!timeoutMs) return next(input);
      ctx.heartbeat();
      const timer = setInterval(() => ctx.heartbeat(), Math.max(1_000, timeoutMs / 4));
      try {
        return await next(input);
      } finally {
        clearInterval(timer);
      }
    },
  },
});
