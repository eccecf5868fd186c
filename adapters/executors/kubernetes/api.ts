import { type KubeConfig, Watch } from '@kubernetes/client-node';

// Small helpers for talking to the API server: status codes, tolerated errors, waits, watches.

export function statusCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code =
    (error as { code?: unknown; statusCode?: unknown }).code ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The call's result, or null when it failed with one of `codes` (e.g. 404 for "already gone"). */
export async function ignoring<T>(codes: number[], call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (codes.includes(statusCode(error) ?? 0)) return null;
    throw error;
  }
}

/** Waits `ms`, or less when `wake` aborts. */
export function sleep(ms: number, wake: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      wake.removeEventListener('abort', done);
      resolve();
    }
    wake.addEventListener('abort', done, { once: true });
  });
}

/** Re-arms a watch until stopped: a dropped or timed-out watch only costs a reconnect. */
export function keepWatching(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string>,
  onEvent: () => void,
) {
  const stop = new AbortController();
  void (async () => {
    while (!stop.signal.aborted) {
      await new Promise<void>((resolve) => {
        new Watch(kubeConfig)
          .watch(path, { ...query, allowWatchBookmarks: 'true' }, onEvent, () => resolve())
          .then((controller) =>
            stop.signal.addEventListener('abort', () => controller.abort(), { once: true }),
          )
          .catch(() => resolve());
      });
      await sleep(1_000, stop.signal);
    }
  })();
  return () => stop.abort();
}
