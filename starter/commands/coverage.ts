import { join } from 'node:path';
import { branchCommits, refreshMirror } from '../../adapters/git/resolve-refs.js';
import { openResultsStore, type ResultsStore } from '../../adapters/results-store/index.js';
import { type BenchbotConfig, findRepo } from '../../core/config/index.js';
import { type CoverageRun, commitCoverage, renderCoverageText } from '../../core/trunk/coverage.js';

export interface CoverageOptions {
  repo: string;
  since?: string;
  branch?: string;
  platform?: string;
  format?: string;
}

export type CoverageResult = { ok: true; text: string } | { ok: false; error: string };

const DEFAULT_DAYS = 30;

/** Commits of the branch since the date (git) against the trunk runs recorded for them (the store). */
export async function coverageReport(
  config: BenchbotConfig,
  options: CoverageOptions,
  now: Date = new Date(),
): Promise<CoverageResult> {
  const repo = findRepo(config, options.repo);
  if (repo === null) {
    return {
      ok: false,
      error: `${options.repo} is not configured. Fix: name one of: ${config.repos.map((r) => r.name).join(', ')}`,
    };
  }
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    return { ok: false, error: `--format ${format} is not text or json` };
  const sinceMs =
    options.since === undefined ? now.getTime() - DEFAULT_DAYS * 86_400_000 : Date.parse(options.since);
  if (!Number.isFinite(sinceMs)) {
    return {
      ok: false,
      error: `--since ${options.since} is not a date; write e.g. 2025-01-31 or 2025-01-31T12:00:00Z`,
    };
  }
  const branch = options.branch ?? repo.schedules[0]?.branch ?? repo.defaultBranch;
  const platforms = options.platform === undefined ? repo.platforms : [options.platform];
  let store: ResultsStore;
  try {
    store = await openResultsStore(config, process.env, { readonly: true });
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const runs = new Map<string, CoverageRun>();
  try {
    for (const platform of platforms) {
      for (const { run, platform: outcome } of await store.lastRuns({
        repository: repo.name,
        branch,
        platform,
        limit: 100_000,
      })) {
        const known = runs.get(run.runId);
        runs.set(run.runId, {
          runId: run.runId,
          range: run.commitRange,
          sha: outcome.sides.changed?.sha ?? known?.sha ?? null,
          ok: (known?.ok ?? false) || outcome.status === 'ok',
          skipped: run.skipped,
        });
      }
    }
  } finally {
    await store.close();
  }
  let commits: Awaited<ReturnType<typeof branchCommits>>['commits'];
  try {
    const mirror = await refreshMirror(repo.url, join(config.dataDir, 'git-cache'));
    ({ commits } = await branchCommits(mirror, branch, { after: null, since: Math.floor(sinceMs / 1000) }));
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  const report = commitCoverage(commits, [...runs.values()]);
  return {
    ok: true,
    text: format === 'json' ? JSON.stringify(report, null, 2) : renderCoverageText(repo.name, branch, report),
  };
}

export async function coverage(config: BenchbotConfig, options: CoverageOptions): Promise<number> {
  const result = await coverageReport(config, options);
  if (!result.ok) {
    console.error(result.error);
    return 2;
  }
  console.log(result.text);
  return 0;
}
