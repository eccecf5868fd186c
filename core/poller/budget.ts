/** The primary rate limit as GitHub reports it on every response (304s included). */
export interface RateBudget {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds at which the window resets. */
  resetAtSeconds: number;
}

type Headers = Readonly<Record<string, string | number | undefined>>;

function numberHeader(headers: Headers, name: string): number | null {
  const raw = headers[name];
  const value = typeof raw === 'number' ? raw : raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(value) ? value : null;
}

export function readRateBudget(headers: Headers): RateBudget | null {
  const limit = numberHeader(headers, 'x-ratelimit-limit');
  const remaining = numberHeader(headers, 'x-ratelimit-remaining');
  const reset = numberHeader(headers, 'x-ratelimit-reset');
  if (limit === null || remaining === null || reset === null) return null;
  return {
    limit,
    remaining,
    used: numberHeader(headers, 'x-ratelimit-used') ?? limit - remaining,
    resetAtSeconds: reset,
  };
}

/** Below this share of the hour's budget the poller slows down, leaving the rest to running requests. */
export const LOW_BUDGET_SHARE = 0.2;

/**
 * Seconds until the next poll. With plenty of budget, the configured interval. Below
 * LOW_BUDGET_SHARE, the interval stretches in proportion (at 10% left it doubles, at 2% it is ten
 * times as long), never beyond the window's reset; with nothing left, wait for the reset.
 */
export function nextPollDelaySeconds(
  intervalSeconds: number,
  budget: RateBudget | null,
  nowMs: number,
): number {
  if (budget === null || budget.limit <= 0) return intervalSeconds;
  const untilReset = Math.max(0, budget.resetAtSeconds - nowMs / 1000) + 1;
  if (budget.remaining <= 0) return Math.max(intervalSeconds, untilReset);
  const share = budget.remaining / budget.limit;
  if (share >= LOW_BUDGET_SHARE) return intervalSeconds;
  return Math.max(intervalSeconds, Math.min(intervalSeconds * (LOW_BUDGET_SHARE / share), untilReset));
}
