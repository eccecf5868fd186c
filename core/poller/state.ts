import type { RateBudget } from './budget.js';
import type { Cursor } from './cursor.js';

/** GitHub requests of one poll cycle. */
export interface RequestCounts {
  requests: number;
  /** Requests that used the primary rate limit: everything but 304s. */
  counted: number;
  notModified: number;
}

/** What one poll activity returns: the new cursor and ETag, and what it cost and did. */
export interface CycleResult {
  cursor: Cursor;
  etag: string | null;
  counts: RequestCounts;
  started: number;
  alreadyStarted: number;
  budget: RateBudget | null;
  /** When to poll next: the interval, or longer when the rate limit runs low. */
  delaySeconds: number;
}

/**
 * The poller's durable state. It lives in the workflow (and its continue-as-new input), not in a
 * worker's memory, so a restarted worker resumes from the same cursor and still gets 304s.
 */
export interface PollerState {
  repo: string;
  cursor: Cursor;
  etag: string | null;
  lastCycleAtMs: number | null;
  budget: RateBudget | null;
  /** This clock hour's requests (the hour starting at hourStartMs). */
  hour: RequestCounts & { hourStartMs: number };
  totals: { cycles: number; started: number; alreadyStarted: number };
}

const HOUR_MS = 3_600_000;

export function initialPollerState(repo: string, nowMs: number): PollerState {
  return {
    repo,
    cursor: { atMs: nowMs, seen: [] },
    etag: null,
    lastCycleAtMs: null,
    budget: null,
    hour: { hourStartMs: nowMs - (nowMs % HOUR_MS), requests: 0, counted: 0, notModified: 0 },
    totals: { cycles: 0, started: 0, alreadyStarted: 0 },
  };
}

/** The state after a cycle that finished at nowMs; the finished hour comes back for the log. */
export function applyCycle(
  state: PollerState,
  cycle: CycleResult,
  nowMs: number,
): { state: PollerState; finishedHour: PollerState['hour'] | null } {
  const hourStartMs = nowMs - (nowMs % HOUR_MS);
  const rolled = hourStartMs !== state.hour.hourStartMs;
  const base = rolled ? { hourStartMs, requests: 0, counted: 0, notModified: 0 } : state.hour;
  return {
    state: {
      ...state,
      cursor: cycle.cursor,
      etag: cycle.etag,
      lastCycleAtMs: nowMs,
      budget: cycle.budget ?? state.budget,
      hour: {
        hourStartMs,
        requests: base.requests + cycle.counts.requests,
        counted: base.counted + cycle.counts.counted,
        notModified: base.notModified + cycle.counts.notModified,
      },
      totals: {
        cycles: state.totals.cycles + 1,
        started: state.totals.started + cycle.started,
        alreadyStarted: state.totals.alreadyStarted + cycle.alreadyStarted,
      },
    },
    finishedHour: rolled ? state.hour : null,
  };
}

/** What `benchbot poller status` shows of one poller. */
export interface PollerStatus {
  repo: string;
  cursor: string;
  lastCycleAt: string | null;
  intervalSeconds: number;
  nextDelaySeconds: number;
  thisHour: RequestCounts;
  budget: RateBudget | null;
  totals: PollerState['totals'];
}

export function pollerStatus(
  state: PollerState,
  intervalSeconds: number,
  nextDelaySeconds: number,
): PollerStatus {
  const { hourStartMs: _hour, ...thisHour } = state.hour;
  return {
    repo: state.repo,
    cursor: new Date(state.cursor.atMs).toISOString(),
    lastCycleAt: state.lastCycleAtMs === null ? null : new Date(state.lastCycleAtMs).toISOString(),
    intervalSeconds,
    nextDelaySeconds,
    thisHour,
    budget: state.budget,
    totals: state.totals,
  };
}

/** One line per poller for the CLI. */
export function formatPollerStatus(status: PollerStatus, nowMs: number): string {
  const ago = (iso: string | null) =>
    iso === null ? 'never' : `${Math.max(0, Math.round((nowMs - Date.parse(iso)) / 1000))} s ago`;
  const budget = status.budget
    ? `token budget ${status.budget.used}/${status.budget.limit} used, resets ${new Date(status.budget.resetAtSeconds * 1000).toISOString()}`
    : 'token budget unknown';
  const { requests, counted, notModified } = status.thisHour;
  return [
    `${status.repo}: polling every ${status.intervalSeconds} s (next in ${Math.round(status.nextDelaySeconds)} s)`,
    `  cursor ${status.cursor}, last cycle ${ago(status.lastCycleAt)}`,
    `  this hour: ${requests} requests, ${counted} counted, ${notModified} not modified (304); ${budget}`,
    `  since start: ${status.totals.cycles} cycles, ${status.totals.started} requests started, ${status.totals.alreadyStarted} already started`,
  ].join('\n');
}
