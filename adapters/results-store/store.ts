import type { RunKind } from '../../core/results/run-kind.js';
import type {
  BenchbotResults,
  BenchmarkGroup,
  Direction,
  RunReason,
  SideName,
} from '../../core/results/schema.js';

// The results history: every recorded run, all platforms together. SQLite (the embedded default) and
// PostgreSQL (shared by every worker of a deployment) implement the same interface, so nothing outside
// this folder knows SQL.

export type PlatformStatus = 'ok' | 'failed';

/** The commits a batched trunk run stands for; `count` is null when the caller did not say. */
export interface CommitRange {
  from: string;
  to: string;
  count: number | null;
}

/** A commit a trunk run chose not to measure, and why (e.g. the queue was this deep). */
export interface SkippedCommit {
  sha: string;
  reason: string;
  queueDepth: number | null;
}

export interface PlatformOutcome {
  platform: string;
  status: PlatformStatus;
  /** Why the platform failed; required with status 'failed'. */
  failure?: string;
  /** Required with status 'ok'; a failed platform may still carry what it measured. */
  results?: BenchbotResults;
}

export interface RecordRunInput {
  /** Idempotency key (e.g. the workflow id): recording the same id again writes nothing. */
  runId: string;
  repository: string;
  /** The branch whose history the run measures; null for runs that belong to no branch (a PR's A/B). */
  branch: string | null;
  pullRequest: number | null;
  reason: RunReason;
  commitRange?: { from: string; to: string; count?: number };
  skipped?: Array<{ sha: string; reason: string; queueDepth?: number }>;
  platforms: PlatformOutcome[];
  /** ISO 8601 with offset; orders the history and buckets coverage by UTC day. */
  recordedAt: string;
  /** Who asked for the run (a GitHub login, or the user of `benchbot run`); none for a schedule. */
  requester?: string;
  /** The report's one-line summary (`3 faster, 1 slower, ...`). */
  summary?: string;
  /** The whole markdown report, as the pull request or the trunk summary showed it. */
  report?: string;
}

/** Median and confidence interval of one side, computed when the run was recorded. */
export interface SideStats {
  /** Samples that count: a retried round keeps only its latest attempt. */
  n: number;
  /** null for an empty side. */
  median: number | null;
  /** null when the interval is unbounded on that side (too few samples). */
  ciLo: number | null;
  ciHi: number | null;
}

export interface BenchmarkSummary {
  group: BenchmarkGroup;
  name: string;
  metric: string;
  unit: string;
  direction: Direction;
  status: PlatformStatus;
  baseline: SideStats | null;
  changed: SideStats | null;
}

export interface StoredSide {
  ref: string;
  sha: string;
}

export interface StoredPlatformRun {
  platform: string;
  status: PlatformStatus;
  failure: string | null;
  sides: { baseline: StoredSide | null; changed: StoredSide | null };
  /** The results file as recorded, raw samples included; null when the platform produced none. */
  results: BenchbotResults | null;
  summaries: BenchmarkSummary[];
}

export interface RunRecord {
  runId: string;
  repository: string;
  branch: string | null;
  pullRequest: number | null;
  reason: RunReason;
  commitRange: CommitRange | null;
  skipped: SkippedCommit[];
  recordedAt: string;
  requester: string | null;
  summary: string | null;
}

export interface StoredRun extends RunRecord {
  platforms: StoredPlatformRun[];
  report: string | null;
}

export { isRunKind, RUN_KINDS, type RunKind, runKind } from '../../core/results/run-kind.js';

export interface RunListQuery {
  repository?: string;
  kind?: RunKind;
  /** At most this many, newest first. */
  limit: number;
  /** Only runs recorded before this one (a page's last `cursor`). */
  before?: RunCursor;
}

/** Where a listing stopped: pass it back as `before` for the next page. */
export interface RunCursor {
  recordedAt: string;
  runId: string;
}

/** One platform of a listed run: what it measured, without its samples. */
export interface ListedPlatform {
  platform: string;
  status: PlatformStatus;
  sides: { baseline: StoredSide | null; changed: StoredSide | null };
}

export interface RunListing extends RunRecord {
  platforms: ListedPlatform[];
}

/** One platform of a run: what per-platform queries return. */
export interface RunOnPlatform {
  run: RunRecord;
  platform: StoredPlatformRun;
}

export interface PlatformQuery {
  repository: string;
  branch: string | null;
  platform: string;
  /** Only runs whose platform ended with this status; any status when omitted. */
  status?: PlatformStatus;
}

export interface LatestRunQuery extends PlatformQuery {
  /** Only runs that measured this benchmark (by name, any group or metric) successfully. */
  benchmark?: string;
}

export interface LastRunsQuery extends PlatformQuery {
  limit: number;
}

export interface CoverageQuery {
  repository: string;
  branch: string | null;
  /** ISO 8601, inclusive. */
  from: string;
  /** ISO 8601, exclusive. */
  to: string;
  /** Count only runs that included this platform, and a run as covering commits only if it succeeded there. */
  platform?: string;
}

export interface CoverageDay {
  /** UTC day, YYYY-MM-DD; every day of the range appears, days without runs with zeros. */
  day: string;
  runs: number;
  /** Runs in which every counted platform failed. */
  failedRuns: number;
  /** Commits the day's non-failed runs stand for (a batched run counts its whole range). */
  commitsCovered: number;
  skipped: number;
}

export interface SeriesQuery {
  repository: string;
  branch: string | null;
  platform: string;
  benchmark: string;
  /** All metrics of the benchmark when omitted (each point names its metric). */
  metric?: string;
  /** The latest `limit` points; all when omitted. */
  limit?: number;
}

/** One side of one successful benchmark in one run, for charts and change-point detection. */
export interface SeriesPoint {
  runId: string;
  recordedAt: string;
  reason: RunReason;
  pullRequest: number | null;
  side: SideName;
  sha: string;
  commitRange: CommitRange | null;
  group: BenchmarkGroup;
  metric: string;
  unit: string;
  direction: Direction;
  n: number;
  median: number;
  ciLo: number | null;
  ciHi: number | null;
}

/** The GitHub issue an alert opened, remembered so a later alert edits it instead of searching. */
export interface AlertIssue {
  /** The alert's identity (e.g. the regression marker of a repository, branch and commit range). */
  key: string;
  repository: string;
  issueNumber: number;
}

export interface ResultsStore {
  /** Where the store lives, for messages (a file, or a database URL without its password). */
  readonly location: string;
  /**
   * Writes the whole run, every platform, in one transaction; `inserted` is false for a known runId,
   * also when another worker records the same run at the same moment.
   */
  recordRun(input: RecordRunInput): Promise<{ inserted: boolean }>;
  latestRun(query: LatestRunQuery): Promise<RunOnPlatform | null>;
  /** Newest first. */
  lastRuns(query: LastRunsQuery): Promise<RunOnPlatform[]>;
  /** Runs that measured the commit on any side, or whose commit range ends there; newest first. */
  runsBySha(repository: string, sha: string): Promise<StoredRun[]>;
  /** One run by its id (the workflow id), every platform, samples and report included. */
  getRun(runId: string): Promise<StoredRun | null>;
  /** A recorded run's one-line summary and report, without its samples; null for an unknown run. */
  runReport(runId: string): Promise<{ summary: string | null; report: string | null } | null>;
  /** Every kind of run (pull-request, manual, trunk), newest first, without samples. */
  listRuns(query: RunListQuery): Promise<RunListing[]>;
  /** Every repository with at least one recorded run, sorted by name. */
  repositories(): Promise<string[]>;
  coverage(query: CoverageQuery): Promise<CoverageDay[]>;
  /** Oldest first, in the order the runs were recorded. */
  series(query: SeriesQuery): Promise<SeriesPoint[]>;
  /**
   * A number that grows with every run recorded by anyone (`store migrate --from` included) and
   * changes on nothing else: what a reader derived from the runs holds while it stays the same.
   */
  revision(): Promise<number>;
  /**
   * Large job data kept by reference (claim checks): a job's results file and its checkpoints, which
   * are too big for Temporal payloads. Writing a key again replaces its data.
   */
  putArtifact(key: string, data: Buffer): Promise<void>;
  getArtifact(key: string): Promise<Buffer | null>;
  /** Removes every artifact whose key starts with `prefix` (a job's, once it is recorded). */
  deleteArtifacts(prefix: string): Promise<number>;
  alertIssue(key: string): Promise<AlertIssue | null>;
  /** Remembers (or moves) the issue of an alert. */
  saveAlertIssue(alert: AlertIssue): Promise<void>;
  close(): Promise<void>;
}

export type ResultsStoreErrorKind =
  | 'unreachable'
  | 'authentication-failed'
  | 'newer-database'
  | 'not-a-results-database'
  | 'needs-migration'
  | 'read-only'
  | 'disk-full'
  | 'busy'
  | 'cannot-open'
  /** A read-only open found no store yet (no run recorded): a normal state, not a fault. */
  | 'empty'
  | 'invalid-run'
  | 'invalid-query';

/** A store failure whose message names the file or server, the problem and the fix. */
export class ResultsStoreError extends Error {
  override readonly name = 'ResultsStoreError';
  constructor(
    readonly kind: ResultsStoreErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
