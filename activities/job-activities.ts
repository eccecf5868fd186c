import { createHash } from 'node:crypto';
import { Context, type Info } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { Executor } from '../adapters/executors/executor.js';
import { type JobProfiles, putJobProfiles } from '../adapters/profiles/job-profiles.js';
import type { StoreAccess } from '../adapters/results-store/access.js';
import {
  deleteJobArtifacts,
  jobCheckpoints,
  putJobResults,
} from '../adapters/results-store/job-artifacts.js';
import type { BenchbotConfig } from '../core/config/index.js';
import { repoOrFail } from '../core/config/lookup-or-fail.js';
import { buildJobSpec } from '../core/job-spec.js';
import {
  CODE_UNDER_TEST_FAILURE,
  INVALID_REQUEST,
  INVALID_RESULTS,
  type JobPhase,
  RUNNER_LOST,
  SIGNAL,
  SUPERSEDED,
  WORKER_SHUTDOWN,
} from '../core/request/contract.js';
import type { StatusView } from '../core/request/status-comment.js';
import type { JobSide } from '../core/request/types.js';
import { type JobResult, summarizeResults } from '../core/results/claim-check.js';
import { parseResults, type RunReason } from '../core/results/index.js';
import { describeCodeUnderTestFailure, type ProgressEvent } from '../core/runner-protocol.js';
import { STATE } from '../core/search-attributes.js';
import type { CommentTarget } from './github-activities.js';

export interface RunJobInput {
  repo: string;
  benchmarks: string[];
  baseline: JobSide;
  changed: JobSide;
  reason: RunReason;
  pullRequest: number | null;
  /** Where to show progress while the job runs; null for requests without a PR. */
  status: { target: CommentTarget; view: Omit<StatusView, 'workflowUrl'> } | null;
  /** The platform to run on; the repository's first when omitted. */
  platform?: string;
  /**
   * Names one of several jobs of a workflow (e.g. a confirmation re-run), so their checkpoints stay
   * apart and each gets its own round order.
   */
  part?: string;
  /**
   * The changed side is the pull request's head as it was when the request began: with
   * `trigger.onPush: supersede` the job first checks that the head is still there (new commits
   * would make the run measure an outdated head) and ends as `Superseded` if it moved; a retry of a
   * job that had started does not look, it resumes.
   */
  measuresPullRequestHead?: boolean;
  /**
   * Keep the results in the results store and return a reference and a summary (workflows from
   * 'results-by-reference' on); without it, the whole results as older workflow code expects.
   */
  byReference?: boolean;
}

export interface JobActivityDeps {
  config: BenchbotConfig;
  executor: Executor;
  /** Where results (and checkpoints) are kept by reference. */
  store: StoreAccess;
  logger: Logger;
  /** Edits the request's status comment (the GitHub activity's own implementation). */
  publishStatus: (input: CommentTarget & { view: Omit<StatusView, 'workflowUrl'> }) => Promise<number>;
  /** Where a pull request's head is now (the GitHub activity's own implementation). */
  pullRequestHead: (input: { repo: string; prNumber: number }) => Promise<string>;
  /** How often the PR's status line may be edited while a job runs. */
  statusEditIntervalMs?: number;
}

// GitHub counts comment edits toward its secondary limits; a progress line every half minute
// is plenty for a human.
const STATUS_EDIT_INTERVAL_MS = 30_000;

/** The round order is seeded by the request, so a resumed run repeats the same order. */
function seedOf(workflowId: string): number {
  return createHash('sha256').update(workflowId).digest().readUInt32BE(0);
}

/**
 * The ref the runner may fetch if the commit is not in a plain clone: what the comment named, the
 * PR's head ref (a fork's head lives only there), or the commit itself.
 */
function fetchableRef(side: JobSide, pullRequest: number | null, name: 'baseline' | 'changed'): string {
  if (side.ref !== null) return side.ref;
  return name === 'changed' && pullRequest !== null ? `refs/pull/${pullRequest}/head` : side.sha;
}

/**
 * Temporal cancels a running activity both when its request is cancelled and when this worker shuts
 * down; the executor must stop the job for the first but keep it resumable for the second.
 */
function splitCancellation(signal: AbortSignal): { cancelled: AbortSignal; shutdown: AbortSignal } {
  const cancelled = new AbortController();
  const shutdown = new AbortController();
  const route = () => {
    const reason: unknown = signal.reason;
    const byShutdown = reason instanceof CancelledFailure && reason.message === 'WORKER_SHUTDOWN';
    (byShutdown ? shutdown : cancelled).abort(reason);
  };
  if (signal.aborted) route();
  else signal.addEventListener('abort', route, { once: true });
  return { cancelled: cancelled.signal, shutdown: shutdown.signal };
}

/** How a job that threw ended, as benchbot_jobs counts it. */
function failureKind(error: unknown): string {
  if (error instanceof ApplicationFailure && error.type === RUNNER_LOST) return 'preempted';
  if (error instanceof ApplicationFailure && error.type === WORKER_SHUTDOWN) return 'worker-shutdown';
  if (error instanceof ApplicationFailure && error.type === SUPERSEDED) return 'superseded';
  return 'infrastructure-loss';
}

/**
 * No attempt follows this failure: it is final, or this attempt was the last. Then nothing would
 * ever resume from (or remove) the job's checkpoint in the results store.
 */
function isLastAttempt(error: unknown, info: Info): boolean {
  const policy = info.retryPolicy;
  if (error instanceof ApplicationFailure) {
    if (error.nonRetryable) return true;
    if (error.type != null && policy?.nonRetryableErrorTypes?.includes(error.type)) return true;
  }
  const max = policy?.maximumAttempts ?? 0;
  return max > 0 && info.attempt >= max;
}

/**
 * Stores a finished job's results and profiles, retrying within the attempt while the store is
 * down, read-only or full: the measurements took hours, and the activity's few attempts must not be
 * spent on them.
 */
async function keepResults(
  store: StoreAccess,
  jobKey: string,
  text: string,
  profiles: JobProfiles | null,
): Promise<void> {
  const ctx = Context.current();
  for (let delayMs = 1_000; ; delayMs = Math.min(60_000, delayMs * 2)) {
    try {
      if (profiles !== null) await putJobProfiles(store, jobKey, profiles);
      await putJobResults(store, jobKey, text);
      return;
    } catch (error) {
      if (error instanceof ApplicationFailure && error.nonRetryable) throw error;
      const message = error instanceof Error ? error.message : String(error);
      ctx.log.warn("could not keep the job's results in the results store; retrying", { message });
      ctx.heartbeat({ storing: message });
      await ctx.sleep(delayMs);
    }
  }
}

/**
 * Whether an earlier attempt of this job had started its runner (the request's state, which its
 * workflow keeps in visibility, is building or running once the runner reports): new commits end
 * only a request that has not started, and a retry of a started job (its runner lost with a worker
 * or a node) resumes it as a running job finishes. Read with describe, which the server answers
 * without a workflow worker. Unknown counts as started: running as asked costs a runner,
 * superseding a started job throws its measured rounds away.
 */
async function startedInAnEarlierAttempt(ctx: Context, workflow: WorkflowHandle): Promise<boolean> {
  if (ctx.info.attempt === 1) return false;
  try {
    return (await workflow.describe()).typedSearchAttributes.get(STATE) !== 'queued';
  } catch (err) {
    ctx.log.warn('could not read whether the job had started before; resuming it as asked', { err });
    return true;
  }
}

export function createJobActivities(deps: JobActivityDeps) {
  let running = 0;
  return {
    /**
     * Runs the benchmark job on the executor and returns its results (by reference when asked).
     * Progress becomes heartbeats
     * (which also carry cancellation), a state change of the workflow, and the PR's status line.
     */
    async runJob(input: RunJobInput): Promise<JobResult> {
      const ctx = Context.current();
      const workflowId = ctx.info.workflowExecution?.workflowId ?? ctx.info.activityId;
      const jobKey = [workflowId, input.platform, input.part].filter((p) => p !== undefined).join(':');
      const repo = repoOrFail(deps.config, input.repo);
      const built = buildJobSpec({
        repo,
        sides: {
          baseline: {
            ref: fetchableRef(input.baseline, input.pullRequest, 'baseline'),
            sha: input.baseline.sha,
            env: input.baseline.env,
          },
          changed: {
            ref: fetchableRef(input.changed, input.pullRequest, 'changed'),
            sha: input.changed.sha,
            env: input.changed.env,
          },
        },
        benchmarks: input.benchmarks,
        reason: input.reason,
        ...(input.pullRequest === null ? {} : { pullRequest: input.pullRequest }),
        platform: input.platform ?? repo.platforms[0] ?? 'local',
        seed: seedOf(jobKey),
      });
      if (!built.ok) throw ApplicationFailure.nonRetryable(built.error, INVALID_REQUEST);
      const workflow = ctx.client.workflow.getHandle(workflowId);
      const pullRequest = input.pullRequest;
      // Once the job has its runner slot (on Kubernetes perhaps after waiting for another worker's
      // job), just before the runner starts: the poller has no push events, so look at the head.
      const headStillThere =
        input.measuresPullRequestHead && pullRequest !== null && repo.trigger.onPush === 'supersede'
          ? async () => {
              if (await startedInAnEarlierAttempt(ctx, workflow)) return;
              const head = await deps
                .pullRequestHead({ repo: repo.name, prNumber: pullRequest })
                .catch((err: unknown) => {
                  ctx.log.warn('could not read the pull request head; running the job as asked', { err });
                  return input.changed.sha;
                });
              if (head !== input.changed.sha) {
                throw ApplicationFailure.nonRetryable(
                  `the pull request's head moved to ${head} before the job started`,
                  SUPERSEDED,
                  { sha: head },
                );
              }
            }
          : undefined;

      let phase: JobPhase | null = null;
      // GitHub takes about one write a second per worker (benchbot paces them), so a job edits its
      // status comment only once it has run for a while: short jobs go straight to the report.
      let lastEdit = Date.now();
      // At most one edit in flight, and none left behind: a late progress edit must never land
      // after (and overwrite) the workflow's final report.
      let edit: Promise<unknown> | null = null;
      const interval = deps.statusEditIntervalMs ?? STATUS_EDIT_INTERVAL_MS;
      const onProgress = (event: ProgressEvent) => {
        ctx.heartbeat({ progress: event });
        if (event.type !== 'progress') return;
        const next: JobPhase = event.phase === 'clone' || event.phase === 'build' ? 'building' : 'running';
        if (next !== phase) {
          phase = next;
          workflow
            .signal<[JobPhase]>(SIGNAL.jobPhase, next)
            .catch((err: unknown) => ctx.log.warn('could not signal the phase', { err }));
        }
        const now = Date.now();
        if (input.status && edit === null && now - lastEdit >= interval) {
          lastEdit = now;
          const view = { ...input.status.view, state: next, progress: event };
          edit = deps
            .publishStatus({ ...input.status.target, view })
            .catch((err: unknown) => ctx.log.warn('could not update the status comment', { err }))
            .finally(() => {
              edit = null;
            });
        }
      };

      const slotsUsed = ctx.metricMeter.createGauge(
        'benchbot_runner_slots_used',
        'int',
        'slots',
        'runner slots of this worker taken by running jobs, per jobs queue (of benchbot_runner_slots)',
      );
      const queueTag = { taskQueue: ctx.info.taskQueue };
      slotsUsed.set(++running, queueTag);
      const { cancelled, shutdown } = splitCancellation(ctx.cancellationSignal);
      const discardArtifacts = () =>
        deleteJobArtifacts(deps.store, jobKey).catch((err: unknown) =>
          ctx.log.warn("could not remove the job's checkpoint from the results store", { err }),
        );
      // Job outcomes and durations for dashboards and alerts (Prometheus, with Temporal's own metrics).
      const started = Date.now();
      let kind: string;
      const outcome = await deps.executor
        .run(
          {
            spec: built.spec,
            key: jobKey,
            checkpoints: jobCheckpoints(deps.store, jobKey, (message, err) => ctx.log.warn(message, { err })),
          },
          {
            onProgress,
            heartbeat: () => ctx.heartbeat(),
            signal: cancelled,
            shutdown,
            ...(headStillThere === undefined ? {} : { beforeStart: headStillThere }),
          },
        )
        .then(
          (result) => {
            kind = result.kind;
            return result;
          },
          (error: unknown) => {
            kind = failureKind(error);
            throw error;
          },
        )
        .finally(() => {
          slotsUsed.set(--running, queueTag);
          const tags = { repository: repo.name, outcome: kind };
          ctx.metricMeter.createCounter('benchbot_jobs', 'jobs', 'benchmark jobs by outcome').add(1, tags);
          ctx.metricMeter
            .createHistogram('benchbot_job_duration', 'float', 's', 'wall time of benchmark jobs')
            .record((Date.now() - started) / 1000, tags);
          if (kind === 'preempted') {
            ctx.metricMeter
              .createCounter('benchbot_preemptions', 'jobs', 'jobs whose node or pod was taken away mid-run')
              .add(1, { repository: repo.name });
          }
          return edit;
        })
        .catch(async (error: unknown) => {
          if (isLastAttempt(error, ctx.info)) await discardArtifacts();
          throw error;
        });
      // A job that ends without results will not be resumed: its checkpoint goes.
      if (outcome.kind !== 'results') await discardArtifacts();
      switch (outcome.kind) {
        case 'cancelled':
          throw new CancelledFailure('the request was cancelled; the job was stopped');
        case 'invalid-input':
          throw ApplicationFailure.nonRetryable(
            `the runner refused the job: ${outcome.message}`,
            INVALID_REQUEST,
          );
        case 'code-under-test': {
          const failure = describeCodeUnderTestFailure(outcome.failure);
          throw ApplicationFailure.create({
            message: failure.message,
            type: CODE_UNDER_TEST_FAILURE,
            nonRetryable: true,
            details: [failure],
          });
        }
        case 'results': {
          const parsed = parseResults(outcome.text, 'results.json');
          if (!parsed.ok) {
            const problems = parsed.errors.map((e) => `${e.place}: ${e.message}`).join('; ');
            throw ApplicationFailure.nonRetryable(
              `the runner wrote unreadable results: ${problems}`,
              INVALID_RESULTS,
            );
          }
          if (!input.byReference) return parsed.results;
          await keepResults(deps.store, jobKey, outcome.text, outcome.profiles ?? null);
          return { ref: jobKey, summary: summarizeResults(parsed.results) };
        }
      }
    },
  };
}

export type JobActivities = ReturnType<typeof createJobActivities>;
