import {
  isRunKind,
  openResultsStore,
  type ResultsStore,
  ResultsStoreError,
  RUN_KINDS,
  type RunKind,
  type RunListing,
  runKind,
  type StoredRun,
  type StoredSide,
} from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';

export interface RunsOptions {
  repo?: string;
  reason?: string;
  last?: string;
  format?: string;
}

const FORMATS = ['text', 'json'] as const;

/** A listed run as `benchbot runs --format json` prints it. */
export interface RunsJsonEntry {
  /** The run key: the workflow id that recorded it. */
  id: string;
  repository: string;
  reason: RunKind;
  /** What started it, as the results file says (pr-comment, schedule, manual, backfill). */
  trigger: string;
  recordedAt: string;
  branch: string | null;
  pullRequest: number | null;
  requester: string | null;
  baseline: StoredSide | null;
  changed: StoredSide | null;
  commitRange: RunListing['commitRange'];
  platforms: Array<{ platform: string; status: string }>;
  summary: string | null;
}

function jsonEntry(run: RunListing): RunsJsonEntry {
  const sides = run.platforms.find((p) => p.sides.changed !== null)?.sides;
  return {
    id: run.runId,
    repository: run.repository,
    reason: runKind(run),
    trigger: run.reason,
    recordedAt: run.recordedAt,
    branch: run.branch,
    pullRequest: run.pullRequest,
    requester: run.requester,
    baseline: sides?.baseline ?? null,
    changed: sides?.changed ?? null,
    commitRange: run.commitRange,
    platforms: run.platforms.map((p) => ({ platform: p.platform, status: p.status })),
    summary: run.summary,
  };
}

const short = (side: StoredSide | null) => (side === null ? '-' : `${side.ref}@${side.sha.slice(0, 10)}`);

function textLine(run: RunsJsonEntry): string {
  const where = run.pullRequest !== null ? `#${run.pullRequest}` : (run.branch ?? '-');
  const failed = run.platforms.filter((p) => p.status === 'failed').map((p) => p.platform);
  return [
    run.recordedAt.replace(/\.\d+Z$/, 'Z'),
    run.reason.padEnd(12),
    run.repository,
    where,
    `${short(run.baseline)} -> ${short(run.changed)}`,
    run.summary ?? (failed.length > 0 ? `failed on ${failed.join(', ')}` : '(no summary)'),
    run.id,
  ].join('  ');
}

/** Before the first run is recorded there is no store to read: nothing is recorded, which is no error. */
const noStoreYet = (err: unknown) => err instanceof ResultsStoreError && err.kind === 'empty';

async function withStore<T>(config: BenchbotConfig, fn: (store: ResultsStore) => Promise<T>): Promise<T> {
  const store = await openResultsStore(config, process.env, { readonly: true });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `benchbot runs`: every recorded run (pull-request, manual and trunk), newest first. */
export async function runsCommand(config: BenchbotConfig, options: RunsOptions): Promise<number> {
  const format = (options.format ?? 'text') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format)) {
    console.error(`--format ${options.format} is not one of ${FORMATS.join(', ')}`);
    return 2;
  }
  const kind = options.reason;
  if (kind !== undefined && !isRunKind(kind)) {
    console.error(`--reason ${options.reason} is not one of ${RUN_KINDS.join(', ')}`);
    return 2;
  }
  const last = options.last === undefined ? 20 : Number(options.last);
  if (!Number.isInteger(last) || last < 1) {
    console.error(`--last ${options.last} is not a whole number of runs, e.g. --last 20`);
    return 2;
  }
  let runs: RunListing[];
  try {
    runs = await withStore(config, (store) =>
      store.listRuns({
        limit: last,
        ...(options.repo === undefined ? {} : { repository: options.repo }),
        ...(kind === undefined ? {} : { kind }),
      }),
    );
  } catch (err) {
    if (!noStoreYet(err)) {
      console.error(`cannot read the results store: ${(err as Error).message}`);
      return 1;
    }
    runs = [];
  }
  const entries = runs.map(jsonEntry);
  if (format === 'json') {
    console.log(JSON.stringify(entries, null, 2));
  } else if (entries.length === 0) {
    const filters = [
      ...(options.repo === undefined ? [] : [`--repo ${options.repo}`]),
      ...(kind === undefined ? [] : [`--reason ${kind}`]),
    ];
    console.log(
      filters.length > 0
        ? `No recorded run matches ${filters.join(' ')}; \`benchbot runs\` lists every kind of every repository.`
        : 'No runs recorded yet. `benchbot run --repo ... --baseline ... --changed ...` makes a first one.',
    );
  } else {
    for (const entry of entries) console.log(textLine(entry));
  }
  return 0;
}

/** `benchbot runs show ID`: one run's report (markdown), or the whole run with its samples (json). */
export async function runsShowCommand(
  config: BenchbotConfig,
  id: string,
  options: { format?: string; platform?: string },
): Promise<number> {
  const format = options.format ?? 'markdown';
  if (format !== 'markdown' && format !== 'json' && format !== 'results') {
    console.error(`--format ${format} is not one of markdown, json, results`);
    return 2;
  }
  try {
    const run = await withStore(config, (store) => store.getRun(id)).catch((err: unknown) => {
      if (noStoreYet(err)) return null;
      throw err;
    });
    if (run === null) {
      console.error(`no run ${JSON.stringify(id)} is recorded; \`benchbot runs\` lists the recorded ones`);
      return 1;
    }
    if (format === 'results') return printResultsFile(run, options.platform);
    if (format === 'json') console.log(JSON.stringify(run, null, 2));
    else
      console.log(run.report ?? `Run ${id} was recorded without a report (${run.summary ?? 'no summary'}).`);
    return 0;
  } catch (err) {
    console.error(`cannot read the results store: ${(err as Error).message}`);
    return 1;
  }
}

/** One platform's results file as recorded, for `benchbot compare RESULTS.json` to re-judge. */
function printResultsFile(run: StoredRun, platform: string | undefined): number {
  const withResults = run.platforms.filter((p) => p.results !== null);
  const names = withResults.map((p) => p.platform).join(', ') || '(none)';
  const chosen =
    platform === undefined
      ? withResults.length === 1
        ? withResults[0]
        : undefined
      : withResults.find((p) => p.platform === platform);
  if (chosen?.results == null) {
    console.error(
      platform === undefined && withResults.length > 1
        ? `run ${run.runId} has results on several platforms (${names}); pick one with --platform`
        : `run ${run.runId} has no results${platform === undefined ? '' : ` on platform ${platform}`}; platforms with results: ${names}`,
    );
    return 1;
  }
  console.log(JSON.stringify(chosen.results, null, 2));
  return 0;
}
