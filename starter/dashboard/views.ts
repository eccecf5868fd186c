import {
  type RunListing,
  runKind,
  type SeriesPoint,
  type StoredPlatformRun,
  type StoredRun,
} from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import type {
  FirstRunHelp,
  RunListRow,
  RunPageView,
  RunPlatformView,
  SeriesKey,
  TrendPoint,
  TrendSeries,
} from '../../core/dashboard/index.js';
import { compareResults, renderMarkdown } from '../../core/report/index.js';
import { workflowUrl } from '../../core/request/workflow-url.js';
import { DEFAULT_OPTIONS } from '../../core/stats/index.js';

// The dashboard's mappings from results-store records and the config to the view models
// core/dashboard renders: no reads here, so data.ts holds only what it asks the store.

export function seriesKeys(config: BenchbotConfig): SeriesKey[] {
  return config.repos.flatMap((repo) => {
    const branches = [...new Set([...repo.schedules.map((s) => s.branch), repo.defaultBranch])];
    const platforms = [...new Set([...repo.platforms, ...repo.schedules.flatMap((s) => s.platforms ?? [])])];
    return branches.flatMap((branch) =>
      platforms.map((platform) => ({ repository: repo.name, branch, platform })),
    );
  });
}

export const seriesId = (key: SeriesKey, s: Pick<TrendSeries, 'benchmark' | 'group' | 'metric'>) =>
  JSON.stringify([key.repository, key.branch, key.platform, s.benchmark, s.group, s.metric]);

/** A trunk run measures its commit as "changed" (and the previous one as baseline); one point per run. */
export function onePerRun(points: readonly SeriesPoint[]): SeriesPoint[] {
  const byRun = new Map<string, SeriesPoint>();
  for (const p of points) {
    const seen = byRun.get(p.runId);
    if (seen === undefined || (seen.side === 'baseline' && p.side === 'changed')) byRun.set(p.runId, p);
  }
  return [...byRun.values()];
}

export function trendPoint(p: SeriesPoint): TrendPoint {
  return {
    runId: p.runId,
    recordedAt: p.recordedAt,
    reason: p.reason,
    sha: p.sha,
    commitRange: p.commitRange,
    n: p.n,
    median: p.median,
    ciLo: p.ciLo,
    ciHi: p.ciHi,
  };
}

function platformView(p: StoredPlatformRun, withComputedReport: boolean): RunPlatformView {
  const sides = (['baseline', 'changed'] as const).flatMap((name) => {
    const side = p.sides[name];
    return side === null ? [] : [{ name, ref: side.ref, sha: side.sha }];
  });
  const twoSided =
    p.results?.benchmarks.some(
      (b) => (b.samples.baseline?.length ?? 0) > 0 && (b.samples.changed?.length ?? 0) > 0,
    ) ?? false;
  return {
    platform: p.platform,
    status: p.status,
    failure: p.failure,
    sides,
    rows: p.summaries.map((s) => ({
      label: s.group.name !== undefined && s.group.name !== s.name ? `${s.group.name}/${s.name}` : s.name,
      metric: s.metric,
      unit: s.unit,
      baseline: s.baseline,
      changed: s.changed,
      status: s.status,
    })),
    reportMarkdown:
      withComputedReport && twoSided && p.results !== null
        ? renderMarkdown(compareResults(p.results.benchmarks, DEFAULT_OPTIONS, p.results.run.adaptive))
        : null,
    startedAt: p.results?.run.startedAt ?? null,
    finishedAt: p.results?.run.finishedAt ?? null,
  };
}

export function runView(run: StoredRun, config: BenchbotConfig, uiUrl: string | null): RunPageView {
  return {
    runId: run.runId,
    kind: runKind(run),
    repository: run.repository,
    branch: run.branch,
    pullRequest: run.pullRequest,
    reason: run.reason,
    requester: run.requester,
    recordedAt: run.recordedAt,
    summary: run.summary,
    report: run.report,
    commitRange: run.commitRange,
    skipped: run.skipped.map((s) => ({ sha: s.sha, reason: s.reason })),
    // Runs recorded before reports were stored get one computed from their samples.
    platforms: run.platforms.map((p) => platformView(p, run.report === null)),
    webUrl: config.github.webUrl,
    workflowUrl: workflowUrl(uiUrl, config.temporal.namespace, run.runId),
  };
}

export function listRow(run: RunListing): RunListRow {
  // Every platform of a request measures the same refs; the first that recorded a side names them.
  const side = (name: 'baseline' | 'changed') =>
    run.platforms.map((p) => p.sides[name]).find((s) => s !== null) ?? null;
  return {
    runId: run.runId,
    kind: runKind(run),
    reason: run.reason,
    repository: run.repository,
    branch: run.branch,
    pullRequest: run.pullRequest,
    requester: run.requester,
    recordedAt: run.recordedAt,
    baseline: side('baseline'),
    changed: side('changed'),
    commitRange: run.commitRange,
    platforms: run.platforms.map((p) => ({ platform: p.platform, status: p.status })),
    summary: run.summary,
  };
}

export function firstRunHelp(config: BenchbotConfig, storeLocation: string): FirstRunHelp {
  return {
    storeLocation,
    repositories: config.repos.map((r) => ({
      name: r.name,
      defaultBranch: r.defaultBranch,
      benchmarks: r.benchmarks.map((b) => b.name),
    })),
  };
}

/** Where the config keeps results, in words, for a store that cannot be opened yet. */
export function configuredLocation(config: BenchbotConfig): string {
  return config.results.store === 'sqlite'
    ? config.results.path
    : `the PostgreSQL database in $${config.results.urlEnv}`;
}

export const configuredRepositories = (config: BenchbotConfig) => config.repos.map((r) => r.name);
