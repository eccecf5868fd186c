import { writeFileSync } from 'node:fs';
import { openResultsStore, type ResultsStore } from '../../adapters/results-store/index.js';
import { type BenchbotConfig, findRepo } from '../../core/config/index.js';
import { seriesCsv, seriesSvg } from '../../core/dashboard/index.js';
import { createDashboardData } from '../dashboard/data.js';

export interface ExportOptions {
  repo: string;
  benchmark: string;
  branch?: string;
  platform?: string;
  metric?: string;
  format?: string;
  out?: string;
}

const FORMATS = ['csv', 'svg'] as const;

export type ExportResult = { ok: true; text: string; series: number } | { ok: false; error: string };

/** One benchmark's trunk series as CSV or SVG (with its change points), from the results store. */
export async function exportSeries(config: BenchbotConfig, options: ExportOptions): Promise<ExportResult> {
  const repo = findRepo(config, options.repo);
  if (repo === null) {
    return {
      ok: false,
      error: `${options.repo} is not configured. Fix: name one of: ${config.repos.map((r) => r.name).join(', ')}`,
    };
  }
  const format = (options.format ?? 'csv') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format))
    return { ok: false, error: `--format ${options.format} is not one of ${FORMATS.join(', ')}` };
  const key = {
    repository: repo.name,
    branch: options.branch ?? repo.schedules[0]?.branch ?? repo.defaultBranch,
    platform: options.platform ?? repo.platforms[0] ?? 'x86-64-linux',
  };
  let store: ResultsStore;
  try {
    store = await openResultsStore(config, process.env, { readonly: true });
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  try {
    const all = await createDashboardData(store, config, { uiUrl: null }).benchmarkSeries(
      key,
      options.benchmark,
    );
    const series = all.filter((s) => options.metric === undefined || s.metric === options.metric);
    const chosen = series[0];
    if (chosen === undefined) {
      const metrics = all.map((s) => s.metric).join(', ');
      return {
        ok: false,
        error:
          all.length === 0
            ? `no runs of ${options.benchmark} recorded for ${key.repository} ${key.branch} on ${key.platform}. Fix: check --benchmark, --branch and --platform (benchbot history lists runs)`
            : `${options.benchmark} has no metric ${options.metric}. Fix: use --metric with one of: ${metrics}`,
      };
    }
    if (series.length > 1 && format === 'svg') {
      return {
        ok: false,
        error: `${options.benchmark} has several series (${series.map((s) => `${s.group ?? '-'}/${s.metric}`).join(', ')}). Fix: pick one with --metric`,
      };
    }
    const commitUrl = (sha: string) => `${config.github.webUrl}/${key.repository}/commit/${sha}`;
    const text =
      format === 'svg'
        ? seriesSvg(chosen, (p) => commitUrl(p.sha))
        : series
            .map((s, i) => (i === 0 ? seriesCsv(s) : seriesCsv(s).split('\n').slice(1).join('\n')))
            .join('');
    return { ok: true, text, series: series.length };
  } finally {
    await store.close();
  }
}

/** `benchbot export`: to --out, or to stdout. */
export async function exportCommand(config: BenchbotConfig, options: ExportOptions): Promise<number> {
  const result = await exportSeries(config, options);
  if (!result.ok) {
    console.error(result.error);
    return 2;
  }
  if (options.out === undefined) {
    process.stdout.write(result.text);
  } else {
    writeFileSync(options.out, result.text);
    console.error(`[benchbot] wrote ${options.out}`);
  }
  return 0;
}
