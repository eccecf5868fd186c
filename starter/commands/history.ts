import { openResultsStore, type ResultsStore, type SeriesPoint } from '../../adapters/results-store/index.js';
import { type BenchbotConfig, findRepo } from '../../core/config/index.js';
import {
  HISTORY_FORMATS,
  type HistoryFormat,
  type HistoryRow,
  renderHistory,
} from '../../core/trunk/history.js';
import { changePointLines } from '../dashboard/data.js';

export interface HistoryOptions {
  repo: string;
  benchmark: string;
  last?: string;
  format?: string;
  branch?: string;
  platform?: string;
}

export type HistoryResult = { ok: true; text: string } | { ok: false; error: string };

/** The benchmark's trunk series from the results store: the commit each run measured, oldest first. */
export async function historyReport(config: BenchbotConfig, options: HistoryOptions): Promise<HistoryResult> {
  const repo = findRepo(config, options.repo);
  if (repo === null) {
    return {
      ok: false,
      error: `${options.repo} is not configured. Fix: name one of: ${config.repos.map((r) => r.name).join(', ')}`,
    };
  }
  const format = (options.format ?? 'text') as HistoryFormat;
  if (!HISTORY_FORMATS.includes(format)) {
    return { ok: false, error: `--format ${options.format} is not one of ${HISTORY_FORMATS.join(', ')}` };
  }
  const last = options.last === undefined ? 20 : Number(options.last);
  if (!Number.isInteger(last) || last < 1) {
    return { ok: false, error: `--last ${options.last} is not a whole number of runs, e.g. --last 20` };
  }
  const branch = options.branch ?? repo.schedules[0]?.branch ?? repo.defaultBranch;
  const platform = options.platform ?? repo.platforms[0] ?? 'x86-64-linux';
  let store: ResultsStore;
  try {
    store = await openResultsStore(config, process.env, { readonly: true });
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  try {
    // `--benchmark` may name a configured benchmark (a group of results, e.g. tpch's queries) or
    // one result; the latest run says which results a configured benchmark produces.
    const latest = await store.latestRun({ repository: repo.name, branch, platform });
    const names = new Set([
      options.benchmark,
      ...(latest?.platform.summaries ?? [])
        .filter((s) => s.group.name === options.benchmark)
        .map((s) => s.name),
    ]);
    // A trunk run measures the previous commit too (its baseline); the series is the new ones.
    const all: Array<SeriesPoint & { benchmark: string }> = [];
    for (const benchmark of names) {
      for (const point of await store.series({ repository: repo.name, branch, platform, benchmark })) {
        all.push({ ...point, benchmark });
      }
    }
    const points = all
      .filter((p) => p.side === 'changed')
      .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
    const runs = [...new Set(points.map((p) => p.runId))].slice(-last);
    const keep = new Set(runs);
    const rows: HistoryRow[] = points
      .filter((p) => keep.has(p.runId))
      .map((p) => ({
        recordedAt: p.recordedAt,
        runId: p.runId,
        reason: p.reason,
        sha: p.sha,
        benchmark: p.benchmark,
        rangeFrom: p.commitRange?.from ?? null,
        rangeTo: p.commitRange?.to ?? null,
        commits: p.commitRange?.count ?? null,
        metric: p.metric,
        unit: p.unit,
        n: p.n,
        median: p.median,
        ciLo: p.ciLo,
        ciHi: p.ciHi,
      }));
    if (rows.length === 0 && format === 'text') {
      return {
        ok: true,
        text: `No runs of ${options.benchmark} recorded for ${repo.name} ${branch} on ${platform}.`,
      };
    }
    const changePoints =
      format === 'text'
        ? await changePointLines(store, config, { repository: repo.name, branch, platform }, [...names])
        : [];
    return { ok: true, text: [renderHistory(rows, format), ...changePoints].join('\n') };
  } finally {
    await store.close();
  }
}

export async function history(config: BenchbotConfig, options: HistoryOptions): Promise<number> {
  const result = await historyReport(config, options);
  if (!result.ok) {
    console.error(result.error);
    return 2;
  }
  console.log(result.text);
  return 0;
}
