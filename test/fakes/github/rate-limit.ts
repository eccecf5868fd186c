import type { FakeClock } from './clock.js';

export interface RateLimitOptions {
  /** Requests per hour for a token (GitHub: 5000). */
  authenticated?: number;
  /** Requests per hour without a token (GitHub: 60). */
  unauthenticated?: number;
  /** GitHub answers an exhausted primary limit with 403 or 429; which one the fake sends. */
  exceededStatus?: 403 | 429;
}

export interface RateLimitSnapshot {
  limit: number;
  remaining: number;
  used: number;
  /** UTC epoch seconds at which the window resets. */
  reset: number;
}

interface Window {
  limit: number;
  used: number;
  resetAtMs: number;
}

const HOUR_MS = 3_600_000;

/**
 * The primary rate limit: one hourly window per identity (a user for tokens, one shared bucket for
 * anonymous callers, who are all 127.0.0.1 here). The window starts with its first counted request.
 */
export class PrimaryRateLimit {
  readonly exceededStatus: 403 | 429;
  private readonly windows = new Map<string, Window>();
  private readonly authenticated: number;
  private readonly unauthenticated: number;

  constructor(
    private readonly clock: FakeClock,
    options: RateLimitOptions = {},
  ) {
    this.authenticated = options.authenticated ?? 5000;
    this.unauthenticated = options.unauthenticated ?? 60;
    this.exceededStatus = options.exceededStatus ?? 403;
  }

  snapshot(identity: string | null): RateLimitSnapshot {
    const window = this.window(identity);
    return {
      limit: window.limit,
      remaining: Math.max(0, window.limit - window.used),
      used: window.used,
      reset: Math.floor(window.resetAtMs / 1000),
    };
  }

  exhausted(identity: string | null): boolean {
    const window = this.window(identity);
    return window.used >= window.limit;
  }

  consume(identity: string | null): void {
    this.window(identity).used += 1;
  }

  /** Test control: put an identity's window in a given state (e.g. `{ remaining: 0 }`). */
  set(identity: string | null, change: { limit?: number; remaining?: number; used?: number }): void {
    const window = this.window(identity);
    if (change.limit !== undefined) window.limit = change.limit;
    if (change.used !== undefined) window.used = change.used;
    if (change.remaining !== undefined) window.used = Math.max(0, window.limit - change.remaining);
  }

  private window(identity: string | null): Window {
    const key = identity ?? '';
    const now = this.clock.now();
    const current = this.windows.get(key);
    if (current !== undefined && now < current.resetAtMs) return current;
    const fresh: Window = {
      limit: current?.limit ?? (identity === null ? this.unauthenticated : this.authenticated),
      used: 0,
      resetAtMs: now + HOUR_MS,
    };
    this.windows.set(key, fresh);
    return fresh;
  }
}
