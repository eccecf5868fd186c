import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { type ScheduleDescription, ScheduleNotFoundError } from '@temporalio/client';
import { branchCommits, refreshMirror } from '../adapters/git/resolve-refs.js';
import { updateIssue, upsertMarkedIssue } from '../adapters/github/issues.js';
import { ownerRepo } from '../adapters/github/repo-name.js';
import type { RunOnPlatform } from '../adapters/results-store/index.js';
import { newestRunOfBranch } from '../adapters/results-store/newest-run.js';
import { scheduleOrFail, schedulePlatformsOrFail } from '../core/config/lookup-or-fail.js';
import {
  gapOfIssue,
  gapVerdict,
  intervalSeconds,
  isWatched,
  missingDataMarker,
  missingDataTitle,
  renderMissingDataIssue,
  renderResumedIssue,
} from '../core/trunk/missing-data.js';
import { isCandidate } from '../core/trunk/plan.js';
import { scheduleId } from '../core/trunk/schedules.js';
import type { TrunkActivityDeps } from './trunk-activities.js';

export interface WatchedSchedule {
  repo: string;
  schedule: string;
}

export type MissingDataCheck =
  /** The schedule has no missing-data alert, or is not in Temporal (nothing is expected of it). */
  | { state: 'off' | 'not-synced' }
  /** `quiet`: intervals passed without a run, but the branch has no new commit the strategy measures. */
  | { state: 'ok' | 'quiet'; missedIntervals: number; closedIssue: number | null }
  | { state: 'missing'; missedIntervals: number; issue: number; created: boolean; reopened: boolean };

export function createTrunkWatchActivities(deps: TrunkActivityDeps) {
  const { config, store } = deps;
  const { octokit, whoAmI } = deps.github;

  async function describe(id: string): Promise<ScheduleDescription | null> {
    try {
      return await Context.current().client.schedule.getHandle(id).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return null;
      throw err;
    }
  }

  /** Whether the branch has a commit after the last success that the schedule's strategy would measure. */
  async function anythingToMeasure(
    url: string,
    branch: string,
    lastOk: RunOnPlatform | null,
    strategy: Parameters<typeof isCandidate>[1],
  ) {
    if (lastOk === null) return true;
    const mirror = await refreshMirror(url, join(config.dataDir, 'git-cache'));
    const after = lastOk.run.commitRange?.to ?? lastOk.platform.sides.changed?.sha ?? null;
    const { commits } = await branchCommits(mirror, branch, { after });
    return commits.some((c) => isCandidate(c, strategy));
  }

  /** What the last attempt of the gap left behind: the platforms that failed, and why. */
  async function lastAttempt(repo: string, branch: string, platforms: string[]) {
    const latest = await newestRunOfBranch(store, repo, branch, platforms);
    if (latest === null) return null;
    const run = await store.use((s) => s.getRun(latest.run.runId));
    const failures = (run?.platforms ?? [])
      .filter((p) => p.status === 'failed')
      .map((p) => ({ platform: p.platform, failure: p.failure ?? 'failed' }));
    return { runId: latest.run.runId, recordedAt: latest.run.recordedAt, failures };
  }

  return {
    /** The configured schedules that alert on missing data, for the watchdog to check one by one. */
    async listWatchedSchedules(): Promise<WatchedSchedule[]> {
      return config.repos.flatMap((repo) =>
        repo.schedules.filter(isWatched).map((s) => ({ repo: repo.name, schedule: s.name })),
      );
    },

    /**
     * Opens or updates the schedule's missing-data issue when `missingRunsAfter` intervals passed
     * without a successful run and there is something to measure; closes it once a run succeeds.
     * The store remembers the issue for every worker, as for regression alerts.
     */
    async checkMissingData(input: WatchedSchedule): Promise<MissingDataCheck> {
      const [repo, schedule] = scheduleOrFail(config, input.repo, input.schedule);
      if (!isWatched(schedule) || schedule.missingRunsAfter === null) return { state: 'off' };
      const description = await describe(scheduleId(repo.name, schedule.name));
      if (description === null) return { state: 'not-synced' };
      const platforms = schedulePlatformsOrFail(repo, schedule);
      const lastOk = await newestRunOfBranch(store, repo.name, schedule.branch, platforms, 'ok');
      const interval = intervalSeconds(schedule, description.info.nextActionTimes);
      const verdict = gapVerdict({
        now: new Date(),
        intervalSeconds: interval,
        after: schedule.missingRunsAfter,
        lastSuccessAt: lastOk?.run.recordedAt ?? null,
        scheduleCreatedAt: description.info.createdAt.toISOString(),
      });
      const marker = missingDataMarker(repo.name, schedule.name);
      const known = await store.use((s) => s.alertIssue(marker));
      const current =
        known === null
          ? null
          : (await octokit().rest.issues.get({ ...ownerRepo(repo.name), issue_number: known.issueNumber }))
              .data;

      // Nothing is missing while the runs keep up, or while the branch has no commit to measure.
      const quiet =
        verdict.kind === 'gap' &&
        !(await anythingToMeasure(repo.url, schedule.branch, lastOk, schedule.strategy));
      if (verdict.kind === 'ok' || quiet) {
        const state = quiet ? ('quiet' as const) : ('ok' as const);
        if (current === null || current.state !== 'open' || lastOk === null) {
          return { state, missedIntervals: verdict.missedIntervals, closedIssue: null };
        }
        const body = renderResumedIssue(current.body ?? '', lastOk.run);
        const resolved = { repo: repo.name, marker, title: current.title, body };
        await updateIssue(octokit(), current.number, resolved, 'closed');
        deps.logger.info(
          { repo: repo.name, schedule: schedule.name, issue: current.number },
          'trunk runs resumed: missing-data issue closed',
        );
        return { state, missedIntervals: verdict.missedIntervals, closedIssue: current.number };
      }
      const issue = {
        repo: repo.name,
        marker,
        title: missingDataTitle({ repo: repo.name, schedule: schedule.name, branch: schedule.branch }),
        body: renderMissingDataIssue({
          repo: repo.name,
          schedule: schedule.name,
          branch: schedule.branch,
          intervalSeconds: interval,
          after: schedule.missingRunsAfter,
          gap: verdict,
          lastSuccessRunId: lastOk?.run.runId ?? null,
          lastAttempt: await lastAttempt(repo.name, schedule.branch, platforms),
          pausedNote: description.state.paused ? (description.state.note ?? 'no note') : null,
          checkedAt: new Date().toISOString(),
        }),
      };
      const found = { missedIntervals: verdict.missedIntervals, state: 'missing' as const };
      if (current !== null) {
        // Closed on an earlier gap (by benchbot, when runs resumed): this is a new gap, reopen it. A
        // person who closed it during this very gap has decided; it stays closed.
        const reopen = current.state === 'closed' && gapOfIssue(current.body) !== verdict.since;
        await updateIssue(octokit(), current.number, issue, reopen ? 'open' : undefined);
        return { ...found, issue: current.number, created: false, reopened: reopen };
      }
      const upserted = await upsertMarkedIssue(octokit(), await whoAmI(), issue);
      await store.use((s) =>
        s.saveAlertIssue({ key: marker, repository: repo.name, issueNumber: upserted.number }),
      );
      deps.logger.warn(
        {
          repo: repo.name,
          schedule: schedule.name,
          issue: upserted.number,
          missedIntervals: verdict.missedIntervals,
        },
        'missing trunk data: issue opened',
      );
      return { ...found, issue: upserted.number, created: upserted.created, reopened: false };
    },
  };
}

export type TrunkWatchActivities = ReturnType<typeof createTrunkWatchActivities>;
