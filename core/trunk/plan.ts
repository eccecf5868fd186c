// Which commit a trunk run measures, the range it stands for and the commits it skips: the ADR's
// time-window sampling and adaptive degradation, as a pure function of what the activity observed.

export const TRUNK_STRATEGIES = ['latest', 'merge-commits', 'marked'] as const;
export type TrunkStrategy = (typeof TRUNK_STRATEGIES)[number];
export type TrunkReason = 'schedule' | 'manual' | 'backfill';

/** The message convention of the `marked` strategy. */
export const BENCH_MARK = '[bench]';

/** A commit of the branch's first-parent history. */
export interface TrunkCommit {
  sha: string;
  parents: number;
  /** Committer time, epoch seconds: when the commit landed in this form. */
  committedAt: number;
  subject: string;
}

export interface DegradationPolicy {
  /** Deeper than this, windows are widened by `widenFactor`. */
  widenAbove: number;
  /** Deeper than this, the run skips straight to the newest candidate. */
  skipAbove: number;
  widenFactor: number;
}

export const DEFAULT_DEGRADATION: DegradationPolicy = { widenAbove: 10, skipAbove: 20, widenFactor: 2 };

export type PlanMode = 'normal' | 'widened' | 'skip-to-newest';

export interface PlanInput {
  /** Commits after the last benchmarked one, oldest first (the whole history when nothing was benchmarked). */
  pending: readonly TrunkCommit[];
  /** No run of this branch is recorded yet: tracking starts at the newest window, with nothing skipped. */
  firstRun: boolean;
  strategy: TrunkStrategy;
  windowSeconds: number;
  queueDepth: number;
  reason: TrunkReason;
  policy?: DegradationPolicy;
}

export interface PlannedSkip {
  sha: string;
  reason: string;
  queueDepth: number;
}

interface PlanBase {
  mode: PlanMode;
  windowSeconds: number;
  queueDepth: number;
}

export type TrunkPlan =
  | (PlanBase & { kind: 'idle'; why: string })
  | (PlanBase & {
      kind: 'run';
      pick: TrunkCommit;
      /** Inclusive: the first and last commit the run stands for, and how many there are. */
      range: { from: string; to: string; count: number };
      skipped: PlannedSkip[];
    });

export function isCandidate(commit: TrunkCommit, strategy: TrunkStrategy): boolean {
  switch (strategy) {
    case 'latest':
      return true;
    case 'merge-commits':
      return commit.parents > 1;
    case 'marked':
      return commit.subject.includes(BENCH_MARK);
  }
}

export function modeFor(queueDepth: number, reason: TrunkReason, policy: DegradationPolicy): PlanMode {
  // A person asked for this run: it proceeds as if the queue were empty.
  if (reason === 'manual') return 'normal';
  if (queueDepth > policy.skipAbove) return 'skip-to-newest';
  if (queueDepth > policy.widenAbove) return 'widened';
  return 'normal';
}

/**
 * Pending commits fall into windows of `windowSeconds` (epoch-aligned, by committer time); each
 * window is represented by its newest candidate. A run measures one representative:
 * - normal: the oldest window's, so runs missed while benchbot was down or busy are caught up in order;
 * - widened (queue deeper than 10): the same with windows twice as wide, so each run stands for more;
 * - skip-to-newest (deeper than 20): the newest, and every older representative is skipped, with
 *   the reason and the depth; its range then starts after the last skipped one (the gap shows).
 * The first run of a branch measures the newest window: there is no backlog before tracking began.
 */
export function planTrunkRun(input: PlanInput): TrunkPlan {
  const policy = input.policy ?? DEFAULT_DEGRADATION;
  const mode = modeFor(input.queueDepth, input.reason, policy);
  const width = input.windowSeconds * (mode === 'widened' ? policy.widenFactor : 1);
  const base: PlanBase = { mode, windowSeconds: width, queueDepth: input.queueDepth };
  const { pending } = input;
  if (pending.length === 0) return { ...base, kind: 'idle', why: 'no new commits since the last run' };

  // Committer times can go backwards along history (rebases, clock skew); windows must not.
  const windowOf: number[] = [];
  let latest = Number.NEGATIVE_INFINITY;
  for (const commit of pending) {
    latest = Math.max(latest, commit.committedAt);
    windowOf.push(Math.floor(latest / width));
  }
  // Index of each window's representative, oldest window first.
  const reps: number[] = [];
  pending.forEach((commit, i) => {
    if (!isCandidate(commit, input.strategy)) return;
    const last = reps.at(-1);
    if (last !== undefined && windowOf[last] === windowOf[i]) reps[reps.length - 1] = i;
    else reps.push(i);
  });
  if (reps.length === 0) {
    return {
      ...base,
      kind: 'idle',
      why: `none of the ${pending.length} new commits is one the ${input.strategy} strategy measures`,
    };
  }

  const newest = reps.at(-1) as number;
  let pickAt: number;
  let rangeStart = 0;
  let skippedAt: number[] = [];
  if (input.firstRun) {
    pickAt = newest;
    rangeStart = windowOf.indexOf(windowOf[newest] as number);
  } else if (mode === 'skip-to-newest') {
    pickAt = newest;
    skippedAt = reps.slice(0, -1);
    const lastSkipped = skippedAt.at(-1);
    rangeStart = lastSkipped === undefined ? 0 : lastSkipped + 1;
  } else {
    pickAt = reps[0] as number;
  }
  const pick = pending[pickAt] as TrunkCommit;
  const reason = `queue depth ${input.queueDepth} > ${policy.skipAbove}: skipped to the newest commit`;
  return {
    ...base,
    kind: 'run',
    pick,
    range: { from: (pending[rangeStart] as TrunkCommit).sha, to: pick.sha, count: pickAt - rangeStart + 1 },
    skipped: skippedAt.map((i) => ({
      sha: (pending[i] as TrunkCommit).sha,
      reason,
      queueDepth: input.queueDepth,
    })),
  };
}
