import type { ChangePoint } from '../changepoint/index.js';
import type { QueueRow } from '../request/queue.js';
import type { RunKind } from '../results/run-kind.js';

// View models: what starter/dashboard/data.ts reads from the results store and Temporal, and
// what the pure renderers here turn into HTML, SVG and CSV.

export interface SeriesKey {
  repository: string;
  branch: string;
  platform: string;
}

export interface CommitSpan {
  from: string;
  to: string;
  count: number | null;
}

/** One run of one benchmark: the median of the measured side with its confidence interval. */
export interface TrendPoint {
  runId: string;
  recordedAt: string;
  reason: string;
  sha: string;
  commitRange: CommitSpan | null;
  n: number;
  median: number;
  ciLo: number | null;
  ciHi: number | null;
}

export interface TrendSeries {
  benchmark: string;
  /** The configured benchmark the result belongs to (e.g. tpch for q17), when the tool named one. */
  group: string | null;
  metric: string;
  unit: string;
  direction: 'lower-is-better' | 'higher-is-better';
  /** Oldest first. */
  points: TrendPoint[];
  /** Indices into `points`. */
  changePoints: ChangePoint[];
}

export interface CoverageDayView {
  day: string;
  runs: number;
  failedRuns: number;
  commitsCovered: number;
  skipped: number;
}

/** Filters as the user gave them; empty strings are "no filter". */
export interface SeriesFilters {
  /** Substring of the benchmark name, case-insensitive. */
  benchmark: string;
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
  /** `A..B` (SHA prefixes; either side may be empty) or one SHA prefix. */
  commits: string;
}

export const NO_FILTERS: SeriesFilters = { benchmark: '', from: '', to: '', commits: '' };

export interface SeriesPageView {
  key: SeriesKey;
  filters: SeriesFilters;
  /** Runs in the whole series before filtering. */
  totalRuns: number;
  series: TrendSeries[];
  coverage: CoverageDayView[];
  /** Set when the commit-range filter named a commit no run measured. */
  filterProblem: string | null;
}

export interface SeriesSummary extends SeriesKey {
  runs: number;
  benchmarks: number;
  latestAt: string | null;
}

export interface QueueView {
  rows: QueueRow[];
  /** Temporal Web UI link per workflow id; null when the UI address is not known. */
  links: Record<string, string | null>;
  /** Why the queue could not be read (Temporal unreachable), instead of rows. */
  problem: string | null;
}

export interface RunSideView {
  name: 'baseline' | 'changed';
  ref: string;
  sha: string;
}

export interface RunBenchmarkRow {
  label: string;
  metric: string;
  unit: string;
  baseline: { n: number; median: number | null; ciLo: number | null; ciHi: number | null } | null;
  changed: { n: number; median: number | null; ciLo: number | null; ciHi: number | null } | null;
  status: string;
}

export interface RunPlatformView {
  platform: string;
  status: string;
  failure: string | null;
  sides: RunSideView[];
  rows: RunBenchmarkRow[];
  /**
   * The comparison report (markdown from core/report) computed from the samples, for runs recorded
   * before reports were stored and only when both sides were measured; null otherwise.
   */
  reportMarkdown: string | null;
  /** When the runner started and finished on this platform (its results file); null without results. */
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunPageView {
  runId: string;
  kind: RunKind;
  repository: string;
  branch: string | null;
  pullRequest: number | null;
  /** What started it, as recorded: pr-comment, schedule, manual, backfill. */
  reason: string;
  /** Who asked (a GitHub login or the user of `benchbot run`); null for a schedule. */
  requester: string | null;
  recordedAt: string;
  summary: string | null;
  /** The whole report as the pull request or the trunk summary showed it (markdown). */
  report: string | null;
  commitRange: CommitSpan | null;
  skipped: Array<{ sha: string; reason: string }>;
  platforms: RunPlatformView[];
  /** GitHub's web address, for commit and compare links. */
  webUrl: string;
  /** The run's workflow in the Temporal Web UI; null when the UI's address is not known. */
  workflowUrl: string | null;
}

/** One recorded request in the Runs list. */
export interface RunListRow {
  runId: string;
  kind: RunKind;
  reason: string;
  repository: string;
  branch: string | null;
  pullRequest: number | null;
  requester: string | null;
  recordedAt: string;
  baseline: Omit<RunSideView, 'name'> | null;
  changed: Omit<RunSideView, 'name'> | null;
  commitRange: CommitSpan | null;
  platforms: Array<{ platform: string; status: string }>;
  summary: string | null;
}

/** Filters of the Runs list as the user gave them; empty strings are "all". */
export interface RunListFilters {
  repository: string;
  kind: string;
}

export const ALL_RUNS_FILTERS: RunListFilters = { repository: '', kind: '' };

/** Where a page of the Runs list stopped; the next (older) page starts after it. */
export interface RunListCursor {
  recordedAt: string;
  runId: string;
}

export interface RunListView {
  filters: RunListFilters;
  /** The repositories the filter offers: the configured ones and any with recorded runs. */
  repositories: string[];
  /** Newest first. */
  rows: RunListRow[];
  /** Set when more (older) runs match than this page shows. */
  older: RunListCursor | null;
  /** Set when a filter value is not one benchbot knows (an unknown reason). */
  filterProblem: string | null;
}

/** What a dashboard with no recorded run shows instead: how to get a first one. */
export interface FirstRunHelp {
  /** Where the results store is (or will be): a file, or a database without its password. */
  storeLocation: string;
  repositories: Array<{ name: string; defaultBranch: string; benchmarks: string[] }>;
}
