import {
  ApplicationFailure,
  defineQuery,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TrunkActivities, TrunkPlatformResult } from '../activities/trunk-activities.js';
import { INVALID_RESULTS, QUERY } from '../core/request/contract.js';
import { resultsSource } from '../core/results/claim-check.js';
import { REPOSITORY } from '../core/search-attributes.js';
import type { PlanMode, TrunkReason } from '../core/trunk/plan.js';
import { countSlowdowns, type Slowdown, type SlowdownCount } from '../core/trunk/regression.js';
import type { TrunkRunInput } from '../core/trunk/schedules.js';
import {
  HEARTBEAT_TIMEOUT,
  jobActivities,
  NON_RETRYABLE_USER_ERRORS,
  PER_PLATFORM_JOB_QUEUES_PATCH,
} from './activity-policy.js';
import { jobPhaseSignal } from './benchmark-request.js';

export type TrunkOutcome =
  | { outcome: 'idle'; why: string; mode: PlanMode; queueDepth: number }
  | {
      outcome: 'recorded';
      runId: string;
      reason: TrunkReason;
      sha: string;
      baselineSha: string;
      range: { from: string; to: string; count: number };
      skipped: number;
      mode: PlanMode;
      windowSeconds: number;
      queueDepth: number;
      platforms: Array<{ platform: string; status: 'ok' | 'failed' }>;
      /**
       * Slowdowns the first run saw, and those the confirmation run saw again: counts and the largest
       * few per platform (the lists are in the recorded run's report and the regression's issue).
       */
      suspected: SlowdownCount[];
      confirmed: SlowdownCount[];
      issue: number | null;
    };

/**
 * From this patch on the slowdowns, which grow with the suite, stay in the results store: the
 * activities read them from the recorded run and the confirmations' verdicts, and the history
 * carries counts and references (issue 21).
 */
export const TRUNK_SLOWDOWNS_BY_REFERENCE_PATCH = 'trunk-slowdowns-by-reference';

/** One platform's confirmation: its count, and its list inline (older histories) or the verdict's job key. */
type Confirmation = { counted: SlowdownCount } & ({ slowdowns: Slowdown[] } | { ref: string });

export const trunkStatusQuery = defineQuery<{ step: string }>(QUERY.trunkStatus);

const trunk = proxyActivities<TrunkActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: [...NON_RETRYABLE_USER_ERRORS, INVALID_RESULTS],
  },
});

function failureText(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof ApplicationFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * One tick of a trunk schedule (or a manual trigger): pick the commit to measure, run it against
 * the previous benchmarked commit on every platform in parallel, record all platforms in one
 * write, and alert only on a slowdown an interleaved re-run confirms.
 *
 * The previous commit is the baseline, not a stored number: both commits run interleaved on one
 * machine, so the comparison with the previous run is free of drift between machines and days.
 * The first run of a branch has no previous commit and measures the new one against itself (A/A).
 */
export async function trunkRun(input: TrunkRunInput): Promise<TrunkOutcome> {
  const runId = workflowInfo().workflowId;
  let step = 'planning';
  setHandler(trunkStatusQuery, () => ({ step }));
  setHandler(jobPhaseSignal, (phase) => {
    step = phase;
  });
  upsertSearchAttributes([{ key: REPOSITORY, value: input.repo }]);

  const prepared = await trunk.prepareTrunkRun(input);
  const { plan } = prepared;
  if (plan.kind === 'idle') {
    return { outcome: 'idle', why: plan.why, mode: plan.mode, queueDepth: plan.queueDepth };
  }
  const baselineSha = prepared.baselineSha ?? plan.pick.sha;
  // Results travel by reference: the store keeps them until the run is recorded (or judged).
  const byReference = patched('results-by-reference');
  const perPlatform = patched(PER_PLATFORM_JOB_QUEUES_PATCH);
  const sides = {
    baseline: { ref: prepared.branch, label: 'previous', sha: baselineSha, env: {} },
    changed: { ref: prepared.branch, label: 'new', sha: plan.pick.sha, env: {} },
  };
  const runOn = (platform: string, part?: string) =>
    jobActivities(perPlatform ? platform : null).runJob({
      repo: prepared.repo,
      benchmarks: prepared.benchmarks,
      ...sides,
      reason: input.reason,
      pullRequest: null,
      status: null,
      platform,
      ...(part === undefined ? {} : { part }),
      ...(byReference ? { byReference: true } : {}),
    });

  step = 'queued';
  // A platform that fails is recorded as failed; the others still count.
  const platforms: TrunkPlatformResult[] = await Promise.all(
    prepared.platforms.map(async (platform): Promise<TrunkPlatformResult> => {
      try {
        return { platform, status: 'ok', ...resultsSource(await runOn(platform)) };
      } catch (err) {
        if (isCancellation(err)) throw err;
        return { platform, status: 'failed', failure: failureText(err) };
      }
    }),
  );

  step = 'recording';
  // Counts and references need the results by reference: older histories keep the lists throughout.
  const counted = byReference && patched(TRUNK_SLOWDOWNS_BY_REFERENCE_PATCH);
  const recorded = await trunk.recordTrunkRun({
    runId,
    repo: prepared.repo,
    branch: prepared.branch,
    reason: input.reason,
    plan,
    baselineSha,
    platforms,
    ...(counted ? { counted: true } : {}),
  });
  // Lists come back in older histories, and from a worker of the previous version during a rolling
  // upgrade even where counts were asked for: then they go on as lists, as that version did.
  const lists = 'suspects' in recorded ? recorded.suspects : null;
  const suspected =
    'suspected' in recorded
      ? recorded.suspected
      : recorded.suspects.map((p) => countSlowdowns(p.platform, p.slowdowns));

  // Older histories prepared no commitComment: they reach no patched() call and replay unchanged.
  if (prepared.commitComment === true && patched('trunk-commit-comment')) {
    step = 'commenting';
    await trunk.commentTrunkSummary({ repo: prepared.repo, runId, sha: plan.pick.sha });
  }

  const confirm = async ({ platform }: SlowdownCount): Promise<Confirmation> => {
    const results = resultsSource(await runOn(platform, 'confirm'));
    if (lists !== null) {
      const suspects = lists.find((p) => p.platform === platform)?.slowdowns ?? [];
      const slowdowns = await trunk.confirmSlowdowns({ suspects, ...results });
      return { counted: countSlowdowns(platform, slowdowns), slowdowns };
    }
    if (!('ref' in results)) throw new Error(`the confirmation job on ${platform} returned no reference`);
    const { ref } = results;
    return { counted: await trunk.confirmSuspects({ runId, platform, ref }), ref };
  };
  step = suspected.length > 0 ? 'confirming' : 'done';
  const confirmations = (
    await Promise.all(
      suspected.map(async (suspect): Promise<Confirmation | null> => {
        try {
          return await confirm(suspect);
        } catch (err) {
          if (isCancellation(err)) throw err;
          // No confirmation, no alert: an unconfirmed slowdown stays in the recorded report only.
          return null;
        }
      }),
    )
  ).filter((c): c is Confirmation => c !== null && c.counted.count > 0);

  let issue: number | null = null;
  if (confirmations.length > 0) {
    step = 'alerting';
    const confirmed = confirmations.flatMap((c) =>
      'slowdowns' in c ? [{ platform: c.counted.platform, slowdowns: c.slowdowns }] : [],
    );
    const verdicts = confirmations.flatMap((c) =>
      'ref' in c ? [{ platform: c.counted.platform, ref: c.ref }] : [],
    );
    issue = (
      await trunk.reportRegression({
        repo: prepared.repo,
        branch: prepared.branch,
        baselineSha,
        changedSha: plan.pick.sha,
        range: plan.range,
        runId,
        ...(lists === null ? { confirmations: verdicts } : { platforms: confirmed }),
      })
    ).number;
  }
  step = 'done';
  return {
    outcome: 'recorded',
    runId,
    reason: input.reason,
    sha: plan.pick.sha,
    baselineSha,
    range: plan.range,
    skipped: plan.skipped.length,
    mode: plan.mode,
    windowSeconds: plan.windowSeconds,
    queueDepth: plan.queueDepth,
    platforms: platforms.map((p) => ({ platform: p.platform, status: p.status })),
    suspected,
    confirmed: confirmations.map((c) => c.counted),
    issue,
  };
}
