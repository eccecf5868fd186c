import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { branchCommits, refreshMirror } from '../adapters/git/resolve-refs.js';
import { upsertCommitComment } from '../adapters/github/commit-comments.js';
import { updateIssue, upsertMarkedIssue } from '../adapters/github/issues.js';
import type { GitHubSession } from '../adapters/github/session.js';
import { keepRunProfiles } from '../adapters/profiles/job-profiles.js';
import { withProfiles } from '../adapters/profiles/report.js';
import type { StoreAccess } from '../adapters/results-store/access.js';
import type { PlatformOutcome } from '../adapters/results-store/index.js';
import { deleteJobArtifacts, resultsOf } from '../adapters/results-store/job-artifacts.js';
import { newestRunOfBranch } from '../adapters/results-store/newest-run.js';
import type { BenchbotConfig } from '../core/config/index.js';
import { scheduleOrFail, schedulePlatformsOrFail } from '../core/config/lookup-or-fail.js';
import { compareResults, renderMarkdown, summaryLine } from '../core/report/index.js';
import { INVALID_RESULTS, runnerLineQuery } from '../core/request/contract.js';
import { confirmationArtifactKey, type ResultsSource } from '../core/results/claim-check.js';
import { DEFAULT_OPTIONS } from '../core/stats/index.js';
import { planTrunkRun, type TrunkPlan, type TrunkReason, type TrunkStrategy } from '../core/trunk/plan.js';
import {
  confirmedSlowdowns,
  countSlowdowns,
  type PlatformSlowdowns,
  type RegressionIssueInput,
  regressionMarker,
  regressionTitle,
  renderRegressionIssue,
  type Slowdown,
  type SlowdownCount,
  slowdownsOf,
} from '../core/trunk/regression.js';
import { windowSeconds } from '../core/trunk/schedules.js';
import { type PlatformSummary, renderTrunkSummary } from '../core/trunk/summary.js';

export interface TrunkActivityDeps {
  config: BenchbotConfig;
  store: StoreAccess;
  github: GitHubSession;
  logger: Logger;
}

export interface PreparedTrunkRun {
  repo: string;
  schedule: string;
  branch: string;
  benchmarks: string[];
  platforms: string[];
  strategy: TrunkStrategy;
  plan: TrunkPlan;
  /** The newest commit of the branch measured successfully on some platform; null before the first. */
  baselineSha: string | null;
  /** Post the run's summary on the benchmarked commit (absent in histories from before the option). */
  commitComment?: boolean;
}

/** One platform's job, as the workflow collected it: results inline (older histories) or by reference. */
export type TrunkPlatformResult =
  | ({ platform: string; status: 'ok' } & ResultsSource)
  | { platform: string; status: 'failed'; failure: string };

export interface RecordTrunkRunInput {
  runId: string;
  repo: string;
  branch: string;
  reason: TrunkReason;
  plan: Extract<TrunkPlan, { kind: 'run' }>;
  baselineSha: string;
  platforms: TrunkPlatformResult[];
  /**
   * Answer with counts instead of the lists of slowdowns (workflows from
   * 'trunk-slowdowns-by-reference' on); without it, the lists, as older workflow code expects.
   */
  counted?: boolean;
}

/** Significant slowdowns against the previous commit, per platform with any (none for an A/A run). */
export type RecordedTrunkRun =
  | { inserted: boolean; suspected: SlowdownCount[] }
  | { inserted: boolean; suspects: PlatformSlowdowns[] };

/** A confirmation job by reference; the suspects are read from the recorded run. */
export interface ConfirmSuspectsInput {
  runId: string;
  platform: string;
  /** The confirmation job's key: its results, then its verdict (`confirmations/<ref>`). */
  ref: string;
}

/** The regression's issue: from the lists (older workflows) or from the confirmations' verdicts. */
export type ReportRegressionInput = Omit<RegressionIssueInput, 'compareUrl' | 'platforms'> &
  ({ platforms: PlatformSlowdowns[] } | { confirmations: Array<{ platform: string; ref: string }> });

// Report room per platform in the summary file (GitHub caps a job summary at 1 MiB).
const PLATFORM_REPORT_BUDGET = 60_000;
// GitHub refuses a comment body over 65,536 characters.
const COMMENT_LIMIT = 65_536;

/** The first run of a branch measures its commit against itself: nothing to suspect. */
function isAA(input: RecordTrunkRunInput): boolean {
  return input.baselineSha === input.plan.pick.sha;
}

function answer(
  input: RecordTrunkRunInput,
  inserted: boolean,
  suspects: PlatformSlowdowns[],
): RecordedTrunkRun {
  return input.counted === true
    ? { inserted, suspected: suspects.map((p) => countSlowdowns(p.platform, p.slowdowns)) }
    : { inserted, suspects };
}

export function createTrunkActivities(deps: TrunkActivityDeps) {
  const { config, store } = deps;
  const { octokit, whoAmI } = deps.github;

  /** Benchmark requests waiting or running, and other trunk runs: the line a new job would join. */
  async function queueDepth(selfId: string): Promise<number> {
    return (await Context.current().client.workflow.count(runnerLineQuery(selfId))).count;
  }

  /** The slowdowns of a run already recorded (of one platform if named), from its stored samples (none where A/A). */
  async function recordedSuspects(runId: string, platform?: string): Promise<PlatformSlowdowns[]> {
    const run = await store.use((s) => s.getRun(runId));
    if (run === null) return [];
    return run.platforms.flatMap((p) => {
      if (p.status !== 'ok' || p.results === null) return [];
      if (platform !== undefined && p.platform !== platform) return [];
      if (p.sides.baseline?.sha === p.sides.changed?.sha) return [];
      const slowdowns = slowdownsOf(
        compareResults(p.results.benchmarks, DEFAULT_OPTIONS, p.results.run.adaptive),
      );
      return slowdowns.length === 0 ? [] : [{ platform: p.platform, slowdowns }];
    });
  }

  /**
   * The suspects the confirmation job's results show slower again. The results go once judged, the
   * verdict stays: a retry after the results went (the worker died before Temporal heard the
   * answer) gives the same verdict instead of failing, which would drop a confirmed alert.
   */
  async function judgeConfirmation(ref: string, suspects: () => Promise<Slowdown[]>): Promise<Slowdown[]> {
    let confirmed = await keptVerdict(ref);
    if (confirmed === null) {
      const results = await resultsOf(store, { ref });
      confirmed = confirmedSlowdowns(
        await suspects(),
        slowdownsOf(compareResults(results.benchmarks, DEFAULT_OPTIONS, results.run.adaptive)),
      );
      const verdict = Buffer.from(JSON.stringify(confirmed));
      await store.use((s) => s.putArtifact(confirmationArtifactKey(ref), verdict));
    }
    await deleteJobArtifacts(store, ref);
    return confirmed;
  }

  /** A confirmation's verdict as judgeConfirmation kept it; null before it is judged. */
  async function keptVerdict(ref: string): Promise<Slowdown[] | null> {
    const kept = await store.use((s) => s.getArtifact(confirmationArtifactKey(ref)));
    return kept === null ? null : (JSON.parse(kept.toString('utf8')) as Slowdown[]);
  }

  async function verdictOf(ref: string): Promise<Slowdown[]> {
    const verdict = await keptVerdict(ref);
    if (verdict === null)
      throw ApplicationFailure.nonRetryable(
        `the verdict of confirmation job ${ref} is not in the results store (${confirmationArtifactKey(ref)}; the store was replaced while the trunk run ran?); trigger the trunk run again`,
        INVALID_RESULTS,
      );
    return verdict;
  }

  return {
    /**
     * What this run of a schedule measures: the commits since the last recorded run of the branch,
     * the queue depth, and the pure plan made from them.
     */
    async prepareTrunkRun(input: {
      repo: string;
      schedule: string;
      reason: TrunkReason;
    }): Promise<PreparedTrunkRun> {
      const [repo, schedule] = scheduleOrFail(config, input.repo, input.schedule);
      const platforms = schedulePlatformsOrFail(repo, schedule);
      const branch = schedule.branch;
      const last = await newestRunOfBranch(store, repo.name, branch, platforms);
      const lastOk = await newestRunOfBranch(store, repo.name, branch, platforms, 'ok');
      const mirror = await refreshMirror(repo.url, join(config.dataDir, 'git-cache'));
      const after = last?.run.commitRange?.to ?? last?.platform.sides.changed?.sha ?? null;
      const { commits, continued } = await branchCommits(mirror, branch, { after });
      const selfId = Context.current().info.workflowExecution?.workflowId ?? '';
      const depth = await queueDepth(selfId);
      const plan = planTrunkRun({
        pending: commits,
        firstRun: !continued,
        strategy: schedule.strategy,
        windowSeconds: windowSeconds(schedule),
        queueDepth: depth,
        reason: input.reason,
      });
      return {
        repo: repo.name,
        schedule: schedule.name,
        branch,
        benchmarks: schedule.benchmarks ?? repo.benchmarks.filter((b) => b.runByDefault).map((b) => b.name),
        platforms,
        strategy: schedule.strategy,
        plan,
        baselineSha: lastOk?.platform.sides.changed?.sha ?? null,
        commitComment: schedule.commitComment,
      };
    },

    /**
     * Writes the whole run, every platform and its job-summary report, in one transaction (the only
     * writer of trunk runs); returns the slowdowns that need confirming.
     */
    async recordTrunkRun(input: RecordTrunkRunInput): Promise<RecordedTrunkRun> {
      const { plan } = input;
      const byReference = input.platforms.some((p) => 'ref' in p);
      if (byReference && (await store.use((s) => s.runReport(input.runId))) !== null) {
        // A retry after the write (and the artifacts' removal): the suspects come again from the
        // recorded run, whose samples are what was written.
        return answer(input, false, isAA(input) ? [] : await recordedSuspects(input.runId));
      }
      const loaded = await Promise.all(
        input.platforms.map(async (p) =>
          p.status === 'ok' ? { ...p, results: await resultsOf(store, p) } : p,
        ),
      );
      const outcomes: PlatformOutcome[] = loaded.map((p) =>
        p.status === 'ok'
          ? { platform: p.platform, status: 'ok', results: p.results }
          : { platform: p.platform, status: 'failed', failure: p.failure },
      );
      const aa = isAA(input);
      const suspects: PlatformSlowdowns[] = [];
      const summaries: string[] = [];
      const sections: PlatformSummary[] = [];
      for (const p of loaded) {
        if (p.status === 'failed') {
          summaries.push(`${p.platform}: failed`);
          sections.push({ platform: p.platform, status: 'failed', text: p.failure });
          continue;
        }
        const comparison = compareResults(p.results.benchmarks, DEFAULT_OPTIONS, p.results.run.adaptive);
        summaries.push(`${p.platform}: ${summaryLine(comparison)}`);
        const slowdowns = aa ? [] : slowdownsOf(comparison);
        if (slowdowns.length > 0) suspects.push({ platform: p.platform, slowdowns });
        const text = renderMarkdown(comparison, { budget: PLATFORM_REPORT_BUDGET });
        sections.push({
          platform: p.platform,
          status: 'ok',
          text:
            'ref' in p ? await withProfiles(store, p.ref, text, comparison, PLATFORM_REPORT_BUDGET) : text,
        });
      }
      const markdown = renderTrunkSummary({
        repo: input.repo,
        branch: input.branch,
        runId: input.runId,
        reason: input.reason,
        mode: plan.mode,
        queueDepth: plan.queueDepth,
        windowSeconds: plan.windowSeconds,
        baselineSha: input.baselineSha,
        changedSha: plan.pick.sha,
        range: plan.range,
        skipped: plan.skipped,
        platforms: sections,
      });
      const { inserted } = await store.use((s) =>
        s.recordRun({
          runId: input.runId,
          repository: input.repo,
          branch: input.branch,
          pullRequest: null,
          reason: input.reason,
          commitRange: plan.range,
          skipped: plan.skipped,
          platforms: outcomes,
          recordedAt: new Date().toISOString(),
          summary: summaries.join(' · '),
          report: markdown,
        }),
      );
      for (const p of input.platforms)
        if ('ref' in p) await keepRunProfiles(store, p.ref, input.runId, p.platform);
      await Promise.all(input.platforms.map((p) => ('ref' in p ? deleteJobArtifacts(store, p.ref) : null)));
      return answer(input, inserted, suspects);
    },

    /**
     * How many of a platform's suspects, read from the recorded run, the interleaved re-run found
     * slower again; the verdict itself stays in the store for the regression's issue.
     */
    async confirmSuspects(input: ConfirmSuspectsInput): Promise<SlowdownCount> {
      const confirmed = await judgeConfirmation(
        input.ref,
        async () => (await recordedSuspects(input.runId, input.platform))[0]?.slowdowns ?? [],
      );
      return countSlowdowns(input.platform, confirmed);
    },

    /**
     * The suspects the interleaved re-run found slower again, lists in and out: what workflows from
     * before 'trunk-slowdowns-by-reference' call, and may still call while in flight.
     */
    async confirmSlowdowns(input: { suspects: Slowdown[] } & ResultsSource): Promise<Slowdown[]> {
      if ('ref' in input) return judgeConfirmation(input.ref, async () => input.suspects);
      const { results } = input;
      return confirmedSlowdowns(
        input.suspects,
        slowdownsOf(compareResults(results.benchmarks, DEFAULT_OPTIONS, results.run.adaptive)),
      );
    },

    /**
     * The recorded run's summary as a comment on the commit it measured (schedules with
     * `commitComment: true`); one comment per run, found again by its marker on a retry.
     */
    async commentTrunkSummary(input: {
      repo: string;
      runId: string;
      sha: string;
    }): Promise<{ id: number } | null> {
      const recorded = await store.use((s) => s.runReport(input.runId));
      if (recorded?.report == null) return null;
      const marker = `<!-- benchbot:trunk-summary:${input.runId} -->`;
      const whole = `${marker}\n${recorded.report}`;
      const body =
        whole.length <= COMMENT_LIMIT
          ? whole
          : `${marker}\n**Trunk run \`${input.runId}\`**: ${recorded.summary ?? ''}\n\nThe whole report is too long for a comment: \`benchbot runs show ${input.runId}\` prints it.`;
      const { id } = await upsertCommitComment(octokit(), await whoAmI(), {
        repo: input.repo,
        sha: input.sha,
        marker,
        body,
      });
      return { id };
    },

    /**
     * Opens the regression's issue, or updates it: the store remembers the issue of each marker for
     * every worker, and the hidden marker finds it again should the store not know it yet.
     */
    async reportRegression(input: ReportRegressionInput): Promise<{ number: number; created: boolean }> {
      const platforms =
        'platforms' in input
          ? input.platforms
          : await Promise.all(
              input.confirmations.map(async (c) => ({
                platform: c.platform,
                slowdowns: await verdictOf(c.ref),
              })),
            );
      const full: RegressionIssueInput = {
        repo: input.repo,
        branch: input.branch,
        baselineSha: input.baselineSha,
        changedSha: input.changedSha,
        range: input.range,
        runId: input.runId,
        platforms,
        compareUrl: `${config.github.webUrl}/${input.repo}/compare/${input.baselineSha}...${input.changedSha}`,
      };
      const issue = {
        repo: input.repo,
        marker: regressionMarker(full),
        title: regressionTitle(full),
        body: renderRegressionIssue(full),
      };
      const known = await store.use((s) => s.alertIssue(issue.marker));
      if (known !== null) {
        await updateIssue(octokit(), known.issueNumber, issue);
        return { number: known.issueNumber, created: false };
      }
      const upserted = await upsertMarkedIssue(octokit(), await whoAmI(), issue);
      await store.use((s) =>
        s.saveAlertIssue({ key: issue.marker, repository: input.repo, issueNumber: upserted.number }),
      );
      return upserted;
    },
  };
}

export type TrunkActivities = ReturnType<typeof createTrunkActivities>;
