import {
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  isCancellation,
  metricMeter,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { GitHubActivities } from '../activities/github-activities.js';
import type { QueueActivities } from '../activities/queue-activities.js';
import type { ReportActivities } from '../activities/report-activities.js';
import type { RepositoryActivities } from '../activities/repository-activities.js';
import type { TriggerActivities } from '../activities/trigger-activities.js';
import { INVALID_RESULTS, type JobPhase, QUERY, SIGNAL } from '../core/request/contract.js';
import {
  planCommentRun,
  planManualRun,
  type RunPlan,
  type SidesToResolve,
} from '../core/request/run-plan.js';
import type { StatusView } from '../core/request/status-comment.js';
import type { BenchmarkRequestInput, CommentSource, JobSide, RequestOutcome } from '../core/request/types.js';
import { resultsSource } from '../core/results/claim-check.js';
import {
  BENCHMARKS,
  PULL_REQUEST,
  REPOSITORY,
  REQUESTER,
  type RequestState,
  STATE,
} from '../core/search-attributes.js';
import {
  HEARTBEAT_TIMEOUT,
  jobActivities,
  NON_RETRYABLE_USER_ERRORS,
  PER_PLATFORM_JOB_QUEUES_PATCH,
} from './activity-policy.js';
import { describeFailure, supersedingHead } from './request-failure.js';

export const cancelledBySignal = defineSignal<[string]>(SIGNAL.cancelledBy);
export const jobPhaseSignal = defineSignal<[JobPhase]>(SIGNAL.jobPhase);
/** New commits on the pull request: its head is now at this SHA (the webhook's `synchronize`). */
export const pullRequestHeadSignal = defineSignal<[string]>(SIGNAL.pullRequestHead);
/**
 * Requests that began on this version end as superseded when their PR's head moves before the job
 * starts (cancelling the queued job, a command older versions never issued).
 */
export const SUPERSEDE_ON_PUSH_PATCH = 'supersede-queued-request-on-push';
/** Requests that began on this version record and judge in one step and keep the report in the store. */
export const REPORT_FROM_STORE_PATCH = 'report-from-store';
/** What the workflow knows right now; signals and queries update and read it from the start. */
interface Live {
  state: RequestState | 'validating';
  queuePosition: number | null;
  cancelledBy: string | null;
  /** Where the pull request's head moved after the request began, if it did. */
  headMovedTo: string | null;
}
export const statusQuery = defineQuery<Pick<Live, 'state' | 'queuePosition'>>(QUERY.status);

// GitHub and visibility calls: retried with backoff for as long as GitHub is down, so a request is
// delayed by an outage but never lost; user mistakes fail at once.
const ALIVE = HEARTBEAT_TIMEOUT;
const github = proxyActivities<GitHubActivities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: ALIVE,
  retry: {
    initialInterval: '5 seconds',
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: NON_RETRYABLE_USER_ERRORS,
  },
});
const queue = proxyActivities<QueueActivities>({ startToCloseTimeout: '1 minute', heartbeatTimeout: ALIVE });
// Reads of the worker's loaded config: local activities, run by the workflow's own worker without
// a round trip through a task queue.
const trigger = proxyLocalActivities<TriggerActivities>({ startToCloseTimeout: '30 seconds' });
const repository = proxyActivities<RepositoryActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: ALIVE,
  retry: { maximumInterval: '5 minutes', nonRetryableErrorTypes: NON_RETRYABLE_USER_ERRORS },
});
const report = proxyActivities<ReportActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: ALIVE,
  retry: {
    maximumInterval: '5 minutes',
    nonRetryableErrorTypes: [INVALID_RESULTS, ...NON_RETRYABLE_USER_ERRORS],
  },
});

export async function benchmarkRequest({ source }: BenchmarkRequestInput): Promise<RequestOutcome> {
  const live: Live = { state: 'validating', queuePosition: null, cancelledBy: null, headMovedTo: null };
  setHandler(cancelledBySignal, (login) => {
    live.cancelledBy = login;
  });
  setHandler(jobPhaseSignal, (phase) => {
    live.state = phase;
    upsertSearchAttributes([{ key: STATE, value: phase }]);
  });
  setHandler(pullRequestHeadSignal, (sha) => {
    live.headMovedTo = sha;
  });
  setHandler(statusQuery, () => ({ state: live.state, queuePosition: live.queuePosition }));
  upsertSearchAttributes([
    { key: REPOSITORY, value: source.repo },
    { key: REQUESTER, value: source.requester },
    ...(source.kind === 'comment' ? [{ key: PULL_REQUEST, value: source.pr }] : []),
  ]);
  if (source.kind === 'manual') return runBenchmarks(planManualRun(source), live, null);

  const parsed = await trigger.validateTrigger({ repo: source.repo, comment: source.body });
  if (!parsed.trigger) return { outcome: 'not-a-trigger' };
  const target = { repo: source.repo, issueNumber: source.pr };
  if ('errors' in parsed) {
    await github.publishReply({
      ...target,
      text: await trigger.triggerErrorReply({ repo: source.repo, errors: parsed.errors }),
    });
    await github.reactToComment({ repo: source.repo, commentId: source.commentId, content: 'confused' });
    return { outcome: 'invalid', errors: parsed.errors.length };
  }
  const request = parsed.request;
  // A run also needs the requester's count and limit: asked for alongside the authorization.
  const [authorization, load] = await Promise.all([
    github.authorizeCommenter({
      repo: source.repo,
      login: source.requester,
      association: source.association,
    }),
    request.kind === 'run' ? requesterLoad(source) : null,
  ]);
  if (!authorization.allowed) {
    await github.publishReply({ ...target, text: authorization.refusal ?? 'Not allowed.' });
    return { outcome: 'unauthorized' };
  }
  switch (request.kind) {
    case 'queue':
      await github.publishReply({ ...target, text: await queue.renderQueue() });
      await github.reactToComment({ repo: source.repo, commentId: source.commentId, content: 'eyes' });
      return { outcome: 'replied', kind: 'queue' };
    case 'cancel':
      await github.publishReply({ ...target, text: await cancelOnPullRequest(source) });
      return { outcome: 'replied', kind: 'cancel' };
    case 'run':
      return runBenchmarks(planCommentRun(source, request), live, load);
  }
}

interface RequesterLoad {
  /** The requester's open requests, this one aside. */
  active: number;
  limit: number;
}

async function requesterLoad(source: CommentSource): Promise<RequesterLoad> {
  const [active, limit] = await Promise.all([
    queue.countActiveRequestsBy({
      requester: source.requester,
      excludeWorkflowId: workflowInfo().workflowId,
    }),
    trigger.maxQueuedPerRequester({ repo: source.repo }),
  ]);
  return { active, limit };
}

async function cancelOnPullRequest(source: CommentSource): Promise<string> {
  const self = workflowInfo().workflowId;
  const active = (await queue.activeRequestsOnPullRequest({ repo: source.repo, pr: source.pr })).filter(
    (entry) => entry.workflowId !== self,
  );
  const isMine = (requester: string) => requester.toLowerCase() === source.requester.toLowerCase();
  const others = active.filter((entry) => !isMine(entry.requester));
  const mayCancelOthers =
    others.length > 0 && (await github.canCancelAnyRequest({ repo: source.repo, login: source.requester }));
  const targets = active.filter((entry) => isMine(entry.requester) || mayCancelOthers);
  await queue.cancelRequests({
    workflowIds: targets.map((t) => t.workflowId),
    cancelledBy: source.requester,
  });
  if (active.length === 0) return 'There is no queued or running benchmark request on this pull request.';
  const left = active.length - targets.length;
  return [
    `Cancelled ${targets.length} benchmark request${targets.length === 1 ? '' : 's'} on this pull request.`,
    ...(left > 0
      ? [`${left} request${left === 1 ? '' : 's'} by others left running: only maintainers can cancel those.`]
      : []),
  ].join(' ');
}

async function runBenchmarks(plan: RunPlan, live: Live, load: RequesterLoad | null): Promise<RequestOutcome> {
  const workflowId = workflowInfo().workflowId;
  const { repo, benchmarks } = plan;
  const target = plan.pullRequest && { repo, issueNumber: plan.pullRequest.number };
  const pullRequest = plan.pullRequest?.number ?? null;
  const react = (content: 'eyes' | 'rocket' | 'confused') =>
    plan.pullRequest && github.reactToComment({ repo, commentId: plan.pullRequest.commentId, content });

  let commentId: number | null = null;
  const setState = (next: RequestState) => {
    live.state = next;
    upsertSearchAttributes([{ key: STATE, value: next }]);
    if (next === 'done' || next === 'failed' || next === 'cancelled' || next === 'superseded') {
      // Open requests by state are gauges read from visibility (worker/request-metrics.ts); the
      // finished ones are counted here, once each (workflow metrics are not re-emitted on replay).
      metricMeter
        .createCounter(
          'benchbot_requests_finished',
          'requests',
          'benchmark requests finished, by final state',
        )
        .add(1, { state: next, repository: repo });
    }
  };

  if (target !== null && load !== null && load.active >= load.limit) {
    const { active, limit } = load;
    await github.publishReply({
      ...target,
      text: `@${plan.requester}, you already have ${active} benchmark request${active === 1 ? '' : 's'} queued or running (the limit here is ${limit}). Please wait for one to finish, or comment \`cancel benchmark\` on its pull request.`,
    });
    return { outcome: 'limited', active };
  }
  upsertSearchAttributes([{ key: BENCHMARKS, value: benchmarks }]);
  setState('queued');
  // Steps that do not need each other go out together (👀, the sides and the queue position; the
  // report and 🚀): each sequential step is a round trip through Temporal.
  const acknowledged = react('eyes');

  let baseline: JobSide | null = null;
  let changed: JobSide | null = null;
  const view = (): Omit<StatusView, 'workflowUrl'> => ({
    requester: plan.requester,
    command: plan.command,
    state: live.state === 'validating' ? 'queued' : live.state,
    queuePosition: live.queuePosition,
    cancelledBy: live.cancelledBy,
    // Only a request that measures the head is outdated by a push; one naming its commits is not.
    headMovedTo: plan.followsHead ? live.headMovedTo : null,
    baseline: baseline ?? { ref: plan.sides.baseline, label: 'merge base', sha: null },
    changed: changed ?? { ref: plan.sides.changed, label: 'PR head', sha: null },
  });
  const publish = async (extra: Partial<Omit<StatusView, 'workflowUrl'>> = {}, reportOf?: string) => {
    if (target)
      commentId = await github.publishStatus({
        ...target,
        knownCommentId: commentId,
        view: { ...view(), ...extra },
        ...(reportOf === undefined ? {} : { reportOf }),
      });
  };

  // Results travel by reference (the store keeps them): a request's history stays small whatever
  // the suite's size.
  const byReference = patched('results-by-reference');
  // The job goes to its platform's queue: the repository's first platform, the one the job
  // activity runs a request on (so its job key, and the checkpoints under it, stay the workflow id).
  const perPlatform = patched(PER_PLATFORM_JOB_QUEUES_PATCH);
  let supersededWhileQueued = false;
  try {
    const [sides, position, , platform] = await Promise.all([
      resolveSides(repo, plan.sides),
      queue.queuePosition({ workflowId }),
      acknowledged,
      perPlatform ? trigger.jobPlatform({ repo }) : null,
    ]);
    const jobs = jobActivities(platform);
    const resolved = {
      baseline: { ...sides.baseline, env: plan.env.baseline },
      changed: { ...sides.changed, env: plan.env.changed },
    };
    baseline = resolved.baseline;
    changed = resolved.changed;
    live.queuePosition = position;
    await publish();

    // A request measuring the PR's head is outdated once new commits move it: ended while queued
    // (the webhook's signal), or by the job itself just before it starts (jobs/runJob looks).
    const supersedes = plan.followsHead && patched(SUPERSEDE_ON_PUSH_PATCH);
    const headMoved = () => live.headMovedTo !== null && live.headMovedTo !== resolved.changed.sha;
    const jobScope = new CancellationScope();
    let finished = false;
    const job = jobScope
      .run(() =>
        jobs.runJob({
          repo,
          benchmarks,
          ...resolved,
          reason: plan.reason,
          pullRequest,
          status: target ? { target, view: view() } : null,
          ...(supersedes ? { measuresPullRequestHead: true } : {}),
          ...(byReference ? { byReference: true } : {}),
        }),
      )
      .finally(() => {
        finished = true;
      });
    const startedAt = Date.now();
    let jobStartedAt: number | null = null;
    // While waiting for a slot, keep the queue position in the status comment current.
    while (!finished && live.state === 'queued') {
      if (
        await condition(() => finished || live.state !== 'queued' || (supersedes && headMoved()), '2 minutes')
      )
        break;
      const position = await queue.queuePosition({ workflowId });
      if (position !== live.queuePosition) {
        live.queuePosition = position;
        await publish();
      }
    }
    if (supersedes && headMoved() && !finished && live.state === 'queued') {
      supersededWhileQueued = true;
      jobScope.cancel();
    }
    if (live.state !== 'queued') jobStartedAt = Date.now();
    const results = resultsSource(await job);
    const jobSeconds = Math.round((Date.now() - (jobStartedAt ?? startedAt)) / 1000);
    const finish = () => {
      upsertMemo({ jobSeconds });
      setState('done');
    };

    // No comment edit for this state: comparing takes milliseconds and the report follows, and
    // every write counts against GitHub's pace (see activities/job-activities.ts).
    setState('comparing');
    const toRecord = { runId: workflowId, ...results, pullRequest, requester: plan.requester };
    // The report stays in the store, judged once as the run is recorded; the status comment and
    // `benchbot run` read it by run id, so no report crosses the history.
    if (byReference && patched(REPORT_FROM_STORE_PATCH)) {
      const { runId, summary } = await report.recordRequestRun(toRecord);
      finish();
      await Promise.all([publish({}, runId), react('rocket')]);
      return { outcome: 'done', summary, runId };
    }
    const comparison = await report.compareRun(results);
    const runId = await report.recordRun(toRecord);
    finish();
    await Promise.all([
      byReference ? publish({}, runId) : publish({ report: comparison.markdown }),
      react('rocket'),
    ]);
    return { outcome: 'done', summary: comparison.summary, report: comparison.markdown, runId };
  } catch (err) {
    const supersededBy = supersededWhileQueued ? live.headMovedTo : supersedingHead(err);
    if (supersededBy !== null) {
      live.headMovedTo = supersededBy;
      setState('superseded');
      await publish();
      return { outcome: 'superseded', sha: supersededBy };
    }
    if (isCancellation(err)) {
      await CancellationScope.nonCancellable(async () => {
        setState('cancelled');
        await publish();
      });
      throw err;
    }
    const failure = describeFailure(err);
    setState('failed');
    await publish({ failure });
    await react('confused');
    return { outcome: 'failed', step: failure.step, message: failure.message };
  }
}

function resolveSides(repo: string, sides: SidesToResolve) {
  return sides.in === 'pull-request'
    ? github.resolveSides({
        repo,
        prNumber: sides.prNumber,
        baseline: sides.baseline,
        changed: sides.changed,
      })
    : repository.resolveRepositorySides({ repo, baseline: sides.baseline, changed: sides.changed });
}
