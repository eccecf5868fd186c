import type { Client } from '@temporalio/client';
import { type ChangePoint, DEFAULT_CHANGE_POINT_OPTIONS, eDivisive } from '../core/changepoint/index.js';
import type { BenchbotConfig } from '../core/config/index.js';
import {
  changeLabel,
  filterWindow,
  NO_FILTERS,
  type QueueView,
  type RunPageView,
  type RunPlatformView,
  runStamps,
  type SeriesFilters,
  type SeriesKey,
  type SeriesPageView,
  type SeriesSummary,
  type TrendPoint,
  type TrendSeries,
  windowSeries,
} from '../core/dashboard/index.js';
import { seededRandom, seedFromText } from '../core/random.js';
import { compareResults, formatValue, renderMarkdown } from '../core/report/index.js';
import { queueRows } from '../core/request/queue.js';
import { DEFAULT_OPTIONS } from '../core/stats/index.js';
import { workflowUrl } from './github-activities.js';
import { activeRequests } from './queue-activities.js';
import type { ResultsStore, RunRecord, SeriesPoint, StoredPlatformRun } from './results-store/index.js';

// The dashboard's reads: results-store queries turned into the view models core/dashboard renders.
// Change points are computed per series on first view and kept until the series grows.

export interface ChangePointSettings {
  pValue: number;
  minSegment: number;
  permutations: number;
}

// Benchmarks are listed from the latest runs, so a benchmark dropped long ago leaves the page.
const BENCHMARK_DISCOVERY_RUNS = 20;
const DAY_MS = 86_400_000;
const startOfDay = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
// lastRuns takes a limit; an export wants them all.
const ALL_RUNS = 1_000_000_000;

export interface DashboardData {
  /** Every configured repository, branch and platform that has trunk runs. */
  index(): Promise<SeriesSummary[]>;
  /** The trend page of one repository/branch/platform; null when nothing is recorded there. */
  seriesPage(key: SeriesKey, filters?: SeriesFilters): Promise<SeriesPageView | null>;
  /** One benchmark's series (one per metric and group), with change points. */
  benchmarkSeries(key: SeriesKey, benchmark: string): Promise<TrendSeries[]>;
  runPage(repository: string, runId: string, sha: string): Promise<RunPageView | null>;
  /** Every run of a series with all its platforms recorded under `keys`, for a static export. */
  runPages(keys: readonly SeriesKey[]): Promise<RunPageView[]>;
}

function seriesKeys(config: BenchbotConfig): SeriesKey[] {
  return config.repos.flatMap((repo) => {
    const branches = [...new Set([...repo.schedules.map((s) => s.branch), repo.defaultBranch])];
    const platforms = [...new Set([...repo.platforms, ...repo.schedules.flatMap((s) => s.platforms ?? [])])];
    return branches.flatMap((branch) =>
      platforms.map((platform) => ({ repository: repo.name, branch, platform })),
    );
  });
}

const seriesId = (key: SeriesKey, s: Pick<TrendSeries, 'benchmark' | 'group' | 'metric'>) =>
  JSON.stringify([key.repository, key.branch, key.platform, s.benchmark, s.group, s.metric]);

/** A trunk run measures its commit as "changed" (and the previous one as baseline); one point per run. */
function onePerRun(points: readonly SeriesPoint[]): SeriesPoint[] {
  const byRun = new Map<string, SeriesPoint>();
  for (const p of points) {
    const seen = byRun.get(p.runId);
    if (seen === undefined || (seen.side === 'baseline' && p.side === 'changed')) byRun.set(p.runId, p);
  }
  return [...byRun.values()];
}

function trendPoint(p: SeriesPoint): TrendPoint {
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

function platformView(p: StoredPlatformRun): RunPlatformView {
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
      twoSided && p.results !== null
        ? renderMarkdown(compareResults(p.results.benchmarks, DEFAULT_OPTIONS))
        : null,
  };
}

function runView(run: RunRecord, platforms: readonly StoredPlatformRun[], webUrl: string): RunPageView {
  return {
    runId: run.runId,
    repository: run.repository,
    branch: run.branch,
    pullRequest: run.pullRequest,
    reason: run.reason,
    recordedAt: run.recordedAt,
    commitRange: run.commitRange,
    skipped: run.skipped.map((s) => ({ sha: s.sha, reason: s.reason })),
    platforms: platforms.map(platformView),
    webUrl,
  };
}

export function createDashboardData(
  store: ResultsStore,
  config: BenchbotConfig,
  settings: ChangePointSettings = DEFAULT_CHANGE_POINT_OPTIONS,
): DashboardData {
  const changePointCache = new Map<string, { count: number; lastRunId: string; found: ChangePoint[] }>();

  const changePointsOf = (id: string, points: readonly TrendPoint[]): ChangePoint[] => {
    const last = points[points.length - 1];
    if (last === undefined) return [];
    const cached = changePointCache.get(id);
    if (cached !== undefined && cached.count === points.length && cached.lastRunId === last.runId)
      return cached.found;
    // Seeded by the series itself, so a page shows the same change points on every load.
    const found = eDivisive(
      points.map((p) => p.median),
      { ...settings, random: seededRandom(seedFromText(id)) },
    );
    changePointCache.set(id, { count: points.length, lastRunId: last.runId, found });
    return found;
  };

  const benchmarkNames = async (key: SeriesKey): Promise<string[]> => {
    const runs = await store.lastRuns({ ...key, limit: BENCHMARK_DISCOVERY_RUNS });
    const names = new Set<string>();
    for (const run of [...runs].reverse()) {
      for (const s of run.platform.summaries) if (s.status === 'ok') names.add(s.name);
    }
    return [...names];
  };

  const benchmarkSeries = async (key: SeriesKey, benchmark: string): Promise<TrendSeries[]> => {
    const groups = new Map<string, SeriesPoint[]>();
    for (const p of await store.series({ ...key, benchmark })) {
      const id = JSON.stringify([p.group.kind, p.group.name ?? null, p.metric]);
      const list = groups.get(id);
      if (list === undefined) groups.set(id, [p]);
      else list.push(p);
    }
    return [...groups.values()].map((raw) => {
      const first = raw[0] as SeriesPoint;
      const points = onePerRun(raw).map(trendPoint);
      const base = { benchmark, group: first.group.name ?? null, metric: first.metric };
      return {
        ...base,
        unit: first.unit,
        direction: first.direction,
        points,
        changePoints: changePointsOf(seriesId(key, base), points),
      };
    });
  };

  return {
    async index() {
      const summaries: SeriesSummary[] = [];
      for (const key of seriesKeys(config)) {
        const latest = await store.latestRun(key);
        if (latest === null) continue;
        const names = await benchmarkNames(key);
        const first = names[0];
        const runs =
          first === undefined ? 0 : onePerRun(await store.series({ ...key, benchmark: first })).length;
        summaries.push({ ...key, runs, benchmarks: names.length, latestAt: latest.run.recordedAt });
      }
      return summaries;
    },

    async seriesPage(key, filters = NO_FILTERS) {
      if ((await store.latestRun(key)) === null) return null;
      const all: TrendSeries[] = [];
      for (const name of await benchmarkNames(key)) all.push(...(await benchmarkSeries(key, name)));
      const runs = new Map<string, TrendPoint>();
      for (const s of all) for (const p of s.points) runs.set(p.runId, p);
      const stamps = runStamps([...runs.values()].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt)));
      const selected = filterWindow(filters, stamps);
      const window = selected.ok
        ? selected.window
        : { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };
      const series = all.map((s) => windowSeries(s, window));
      const inside = stamps.filter((r) => r.t >= window.from && r.t <= window.to);
      const firstT = inside[0]?.t;
      const lastT = inside[inside.length - 1]?.t;
      const coverage =
        firstT === undefined || lastT === undefined
          ? []
          : await store.coverage({
              ...key,
              from: new Date(Math.max(window.from, startOfDay(firstT))).toISOString(),
              to: new Date(Math.min(window.to + 1, startOfDay(lastT) + DAY_MS)).toISOString(),
            });
      return {
        key,
        filters,
        totalRuns: stamps.length,
        series,
        coverage,
        filterProblem: selected.ok ? null : selected.problem,
      };
    },

    benchmarkSeries,

    async runPage(repository, runId, sha) {
      const run = (await store.runsBySha(repository, sha)).find((r) => r.runId === runId);
      return run === undefined ? null : runView(run, run.platforms, config.github.webUrl);
    },

    async runPages(keys) {
      const runs = new Map<string, { run: RunRecord; platforms: StoredPlatformRun[] }>();
      for (const key of keys) {
        for (const { run, platform } of await store.lastRuns({ ...key, limit: ALL_RUNS })) {
          const entry = runs.get(run.runId) ?? { run, platforms: [] };
          entry.platforms.push(platform);
          runs.set(run.runId, entry);
        }
      }
      return [...runs.values()].map(({ run, platforms }) => runView(run, platforms, config.github.webUrl));
    },
  };
}

/** The live queue from Temporal visibility, each request linked to the Temporal Web UI. */
export async function queueView(
  client: Client,
  config: BenchbotConfig,
  uiUrl: string | null,
): Promise<QueueView> {
  try {
    const rows = queueRows(await activeRequests(client), new Date(), [], config.executor.slots);
    const links = Object.fromEntries(
      rows.map((r) => [r.workflowId, workflowUrl(uiUrl, config.temporal.namespace, r.workflowId)]),
    );
    return { rows, links, problem: null };
  } catch (err) {
    return { rows: [], links: {}, problem: `cannot read Temporal visibility: ${(err as Error).message}` };
  }
}

/** For `benchbot history`: the change points of each named benchmark's whole series, one line each. */
export async function changePointLines(
  store: ResultsStore,
  config: BenchbotConfig,
  key: SeriesKey,
  benchmarks: readonly string[],
): Promise<string[]> {
  const data = createDashboardData(store, config);
  const all: Array<{ name: string; series: TrendSeries }> = [];
  for (const name of benchmarks) {
    for (const series of await data.benchmarkSeries(key, name)) all.push({ name, series });
  }
  const lines = all.flatMap(({ name, series }) =>
    series.changePoints.map((cp, k) => {
      const at = series.points[cp.index] as TrendPoint;
      return `  ${name} ${series.metric}: CP${k + 1} before ${at.sha.slice(0, 10)} (${at.recordedAt.slice(0, 10)}): median ${formatValue(cp.before, series.unit)} -> ${formatValue(cp.after, series.unit)}, ${changeLabel(cp, series.direction)}, p = ${cp.pValue.toFixed(3)}`;
    }),
  );
  return lines.length === 0
    ? []
    : ['', 'Change points (E-divisive, p <= 0.05, over the whole series):', ...lines];
}
