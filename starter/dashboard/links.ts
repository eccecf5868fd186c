import type { DashboardLinks, RunListCursor, RunListFilters, SeriesKey } from '../../core/dashboard/index.js';
import { seedFromText } from '../../core/random.js';

// URLs of the dashboard: query strings for the server, file names for a static export (relative to
// the export's root; run pages sit one folder down and set <base href="../">).

const query = (params: Record<string, string>) => new URLSearchParams(params).toString();
const keyParams = (key: SeriesKey) => ({ repo: key.repository, branch: key.branch, platform: key.platform });

/** The Runs list's query string: only the filters that are set, and where the page continues. */
export function runsQuery(filters: RunListFilters, older: RunListCursor | null = null): string {
  const params: Record<string, string> = {};
  if (filters.repository !== '') params.repo = filters.repository;
  if (filters.kind !== '') params.reason = filters.kind;
  if (older !== null) {
    params.before = older.recordedAt;
    params.beforeRun = older.runId;
  }
  const text = query(params);
  return text === '' ? '' : `?${text}`;
}

export const servedLinks: DashboardLinks = {
  mode: 'served',
  home: '/',
  series: (key) => `/series?${query(keyParams(key))}`,
  run: (_repository, run) => `/run?${query({ id: run.runId })}`,
  runs: (filters, older) => `/runs${runsQuery(filters, older)}`,
  csv: (key, s) => `/export.csv?${query({ ...keyParams(key), benchmark: s.benchmark, metric: s.metric })}`,
  svg: (key, s) => `/export.svg?${query({ ...keyParams(key), benchmark: s.benchmark, metric: s.metric })}`,
};

/** A file-name-safe, collision-resistant name: readable words plus a hash of the whole text. */
export function slug(...parts: string[]): string {
  const text = parts.join(' ');
  const words = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${words}-${seedFromText(text).toString(16).padStart(8, '0')}`;
}

export const exportRunFile = (repository: string, runId: string) => `runs/${slug(repository, runId)}.html`;

const keySlug = (key: SeriesKey) => slug(key.repository, key.branch, key.platform);

export const exportLinks: DashboardLinks = {
  mode: 'export',
  home: 'index.html',
  series: (key) => `series-${keySlug(key)}.html`,
  run: (repository, run) => exportRunFile(repository, run.runId),
  // Every run is on the one page; its filters run in the page and read the same query string.
  runs: (filters) => `runs.html${runsQuery(filters)}`,
  csv: (key, s) => `csv/${slug(keySlug(key), s.benchmark, s.metric)}.csv`,
  svg: (key, s) => `svg/${slug(keySlug(key), s.benchmark, s.metric)}.svg`,
};

/** A series page's detail script (every run and point of its charts), loaded on first use. */
export const exportDetailScript = (key: SeriesKey) => `data/detail-${keySlug(key)}.js`;
