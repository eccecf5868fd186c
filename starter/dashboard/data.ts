import {
  type CoverageDay,
  isRunKind,
  openResultsStore,
  type ResultsStore,
  ResultsStoreError,
  type SeriesPoint,
} from '../../adapters/results-store/index.js';
import { type ChangePoint, DEFAULT_CHANGE_POINT_OPTIONS, eDivisive } from '../../core/changepoint/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import {
  ALL_RUNS_FILTERS,
  changeLabel,
  type FirstRunHelp,
  filterWindow,
  type IndexView,
  NO_FILTERS,
  type RunListCursor,
  type RunListFilters,
  type RunListView,
  type RunPageView,
  type RunStamp,
  runStamps,
  type SeriesFilters,
  type SeriesKey,
  type SeriesPageView,
  type SeriesSummary,
  type TrendPoint,
  type TrendSeries,
  windowSeries,
} from '../../core/dashboard/index.js';
import { seededRandom, seedFromText } from '../../core/random.js';
import { formatValue } from '../../core/report/index.js';
import {
  configuredLocation,
  configuredRepositories,
  firstRunHelp,
  listRow,
  onePerRun,
  runView,
  seriesId,
  seriesKeys,
  trendPoint,
} from './views.js';

// The dashboard's reads: results-store queries turned into the view models core/dashboard renders.
// Change points are computed per series on first view and kept until the series grows. What a
// series page reads of the whole history is kept until the store's revision changes (any recorded
// run, an older one copied in by `store migrate --from` too). The mappings from store records to
// view models are in views.ts.

export interface ChangePointSettings {
  pValue: number;
  minSegment: number;
  permutations: number;
}

// Benchmarks are listed from the latest runs, so a benchmark dropped long ago leaves the page.
const BENCHMARK_DISCOVERY_RUNS = 20;
const DAY_MS = 86_400_000;
const startOfDay = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
// An export reads the run list this many at a time, so memory stays flat however long the history.
const EXPORT_PAGE = 200;
// Histories kept at once: a URL can name any repository, branch and platform, the config a few.
const KEPT_HISTORIES = 64;
const KEPT_WINDOWS = 16;

/** What a series page reads of one repository/branch/platform's whole history. */
interface SeriesHistory {
  latestAt: string;
  /** The benchmarks of the latest runs, first seen first. */
  names: string[];
  series: TrendSeries[];
  /** Every run of the series, oldest first. */
  stamps: RunStamp[];
  /** Coverage by time window ("from/to"), as read. */
  coverage: Map<string, Promise<CoverageDay[]>>;
}

export interface DashboardOptions {
  changePoints?: ChangePointSettings;
  /** The Temporal Web UI's address, for each run's link to its workflow; null when not known. */
  uiUrl: string | null;
}

export interface DashboardData {
  /** Every configured repository, branch and platform that has trunk runs. */
  index(): Promise<SeriesSummary[]>;
  /** The trend page of one repository/branch/platform; null when nothing is recorded there. */
  seriesPage(key: SeriesKey, filters?: SeriesFilters): Promise<SeriesPageView | null>;
  /** One benchmark's series (one per metric and group), with change points. */
  benchmarkSeries(key: SeriesKey, benchmark: string): Promise<TrendSeries[]>;
  /** Recorded requests of every kind, newest first, `limit` at a time. */
  runList(filters: RunListFilters, page: { limit: number; before?: RunListCursor }): Promise<RunListView>;
  /** One run's page by its id (the workflow id that recorded it); null when no such run is recorded. */
  runPage(runId: string): Promise<RunPageView | null>;
  /** Every recorded run's page, newest first, one at a time: what a static export writes. */
  allRunPages(): AsyncIterable<RunPageView>;
  /** What the index shows when nothing is recorded yet. */
  firstRunHelp(): FirstRunHelp;
}

/**
 * What `map` keeps under `id`, read on first use; a failed read is not kept, so the next use reads
 * again. A full map starts over, so URLs naming ever new series or windows cannot grow it unbounded.
 */
function keptRead<T>(
  map: Map<string, Promise<T>>,
  most: number,
  id: string,
  read: () => Promise<T>,
): Promise<T> {
  const found = map.get(id);
  if (found !== undefined) return found;
  if (map.size >= most) map.clear();
  const reading = read();
  map.set(id, reading);
  reading.catch(() => {
    if (map.get(id) === reading) map.delete(id);
  });
  return reading;
}

export function createDashboardData(
  store: ResultsStore,
  config: BenchbotConfig,
  options: DashboardOptions,
): DashboardData {
  const settings = options.changePoints ?? DEFAULT_CHANGE_POINT_OPTIONS;
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

  const readHistory = async (key: SeriesKey): Promise<SeriesHistory | null> => {
    const latest = await store.latestRun(key);
    if (latest === null) return null;
    const names = await benchmarkNames(key);
    const series: TrendSeries[] = [];
    for (const name of names) series.push(...(await benchmarkSeries(key, name)));
    const runs = new Map<string, TrendPoint>();
    for (const s of series) for (const p of s.points) runs.set(p.runId, p);
    const stamps = runStamps([...runs.values()].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt)));
    return { latestAt: latest.run.recordedAt, names, series, stamps, coverage: new Map() };
  };

  // Kept with the history it counts, a few time windows of it (each filter asks for its own).
  const coverageOf = (history: SeriesHistory, key: SeriesKey, from: string, to: string) =>
    keptRead(history.coverage, KEPT_WINDOWS, `${from}/${to}`, () => store.coverage({ ...key, from, to }));

  // Read at the revision seen before reading, so a run recorded meanwhile makes the next request read again.
  let keptRevision: number | null = null;
  const kept = new Map<string, Promise<SeriesHistory | null>>();
  const historyOf = async (key: SeriesKey): Promise<SeriesHistory | null> => {
    const revision = await store.revision();
    if (revision !== keptRevision) {
      kept.clear();
      keptRevision = revision;
    }
    return keptRead(kept, KEPT_HISTORIES, JSON.stringify([key.repository, key.branch, key.platform]), () =>
      readHistory(key),
    );
  };

  return {
    async index() {
      const summaries: SeriesSummary[] = [];
      for (const key of seriesKeys(config)) {
        const history = await historyOf(key);
        if (history === null) continue;
        const first = history.names[0];
        const runs = new Set(
          history.series.filter((s) => s.benchmark === first).flatMap((s) => s.points.map((p) => p.runId)),
        ).size;
        summaries.push({ ...key, runs, benchmarks: history.names.length, latestAt: history.latestAt });
      }
      return summaries;
    },

    async seriesPage(key, filters = NO_FILTERS) {
      const history = await historyOf(key);
      if (history === null) return null;
      const { stamps } = history;
      const selected = filterWindow(filters, stamps);
      const window = selected.ok
        ? selected.window
        : { from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY };
      const series = history.series.map((s) => windowSeries(s, window));
      const inside = stamps.filter((r) => r.t >= window.from && r.t <= window.to);
      const firstT = inside[0]?.t;
      const lastT = inside[inside.length - 1]?.t;
      const coverage =
        firstT === undefined || lastT === undefined
          ? []
          : await coverageOf(
              history,
              key,
              new Date(Math.max(window.from, startOfDay(firstT))).toISOString(),
              new Date(Math.min(window.to + 1, startOfDay(lastT) + DAY_MS)).toISOString(),
            );
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

    async runList(filters, page) {
      // The filter offers every configured repository and every one with recorded runs.
      const repositories = new Set([...configuredRepositories(config), ...(await store.repositories())]);
      if (filters.repository !== '') repositories.add(filters.repository);
      const view = { filters, repositories: [...repositories].sort(), rows: [], older: null };
      const kind = filters.kind === '' ? undefined : filters.kind;
      if (kind !== undefined && !isRunKind(kind))
        return {
          ...view,
          filterProblem: `no reason ${JSON.stringify(kind)}: pick pull-request, manual or trunk`,
        };
      // One more than shown says whether an older page exists.
      const listed = await store.listRuns({
        limit: page.limit + 1,
        ...(filters.repository === '' ? {} : { repository: filters.repository }),
        ...(kind === undefined ? {} : { kind }),
        ...(page.before === undefined ? {} : { before: page.before }),
      });
      const rows = listed.slice(0, page.limit).map(listRow);
      const last = rows[rows.length - 1];
      return {
        ...view,
        rows,
        older:
          listed.length > page.limit && last !== undefined
            ? { recordedAt: last.recordedAt, runId: last.runId }
            : null,
        filterProblem: null,
      };
    },

    async runPage(runId) {
      const run = await store.getRun(runId);
      return run === null ? null : runView(run, config, options.uiUrl);
    },

    async *allRunPages() {
      let before: RunListCursor | undefined;
      for (;;) {
        const listed = await store.listRuns({
          limit: EXPORT_PAGE,
          ...(before === undefined ? {} : { before }),
        });
        for (const listing of listed) {
          const run = await store.getRun(listing.runId);
          if (run !== null) yield runView(run, config, options.uiUrl);
        }
        const last = listed[listed.length - 1];
        if (listed.length < EXPORT_PAGE || last === undefined) return;
        before = { recordedAt: last.recordedAt, runId: last.runId };
      }
    },

    firstRunHelp: () => firstRunHelp(config, store.location),
  };
}

/** Runs the index page shows. */
const LATEST_RUNS = 10;

/** The index page: the trunk series, the newest runs of every kind, or the first steps when nothing is recorded. */
export async function indexView(data: DashboardData): Promise<IndexView> {
  const series = await data.index();
  const latest = (await data.runList(ALL_RUNS_FILTERS, { limit: LATEST_RUNS })).rows;
  return {
    series,
    latest,
    firstRun: series.length === 0 && latest.length === 0 ? data.firstRunHelp() : null,
  };
}

/** The dashboard before the first run is recorded: every page empty, none of them an error. */
export function emptyDashboardData(config: BenchbotConfig): DashboardData {
  return {
    index: async () => [],
    seriesPage: async () => null,
    benchmarkSeries: async () => [],
    runList: async (filters) => ({
      filters,
      repositories: configuredRepositories(config),
      rows: [],
      older: null,
      filterProblem: null,
    }),
    runPage: async () => null,
    async *allRunPages() {},
    firstRunHelp: () => firstRunHelp(config, configuredLocation(config)),
  };
}

export interface OpenedDashboardData {
  data: DashboardData;
  /** False before the first run is recorded: open again later to see it. */
  recorded: boolean;
  close(): Promise<void>;
}

/**
 * The dashboard's data over the results store, read-only. A store that does not exist yet is the
 * normal state before the first run and gives empty pages; any other store error is thrown.
 */
export async function openDashboardData(
  config: BenchbotConfig,
  env: NodeJS.ProcessEnv,
  options: DashboardOptions,
): Promise<OpenedDashboardData> {
  try {
    const store = await openResultsStore(config, env, { readonly: true });
    return { data: createDashboardData(store, config, options), recorded: true, close: () => store.close() };
  } catch (err) {
    if (err instanceof ResultsStoreError && err.kind === 'empty')
      return { data: emptyDashboardData(config), recorded: false, close: async () => undefined };
    throw err;
  }
}

/** For `benchbot history`: the change points of each named benchmark's whole series, one line each. */
export async function changePointLines(
  store: ResultsStore,
  config: BenchbotConfig,
  key: SeriesKey,
  benchmarks: readonly string[],
): Promise<string[]> {
  const data = createDashboardData(store, config, { uiUrl: null });
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
