import type { ChangePoint } from '../changepoint/index.js';
import type { QueueRow } from '../request/queue.js';

// View models: what activities/dashboard-data.ts reads from the results store and Temporal, and
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
  /** The comparison report (markdown from core/report) when both sides were measured. */
  reportMarkdown: string | null;
}

export interface RunPageView {
  runId: string;
  repository: string;
  branch: string | null;
  pullRequest: number | null;
  reason: string;
  recordedAt: string;
  commitRange: CommitSpan | null;
  skipped: Array<{ sha: string; reason: string }>;
  platforms: RunPlatformView[];
  /** GitHub's web address, for commit and compare links. */
  webUrl: string;
}
