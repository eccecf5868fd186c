import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { openResultsStore } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import { combineImports } from '../../core/results/importers/combine.js';
import { importResults, isInputFormat } from '../../core/results/importers/index.js';
import { INPUT_FORMATS } from '../../core/results/importers/types.js';
import { oneSideResults } from '../../core/results/one-side.js';
import { formatIssue, type RunReason } from '../../core/results/schema.js';
import { readMachineFacts } from '../../runner/machine-facts.js';
import { nonEmpty, resolveTarget, type TargetOptions } from '../ci/target.js';

export interface RecordOptions extends TargetOptions {
  sha?: string;
  inputFormat?: string;
  reason?: string;
}

const REASONS = ['schedule', 'manual'] as const satisfies readonly RunReason[];

async function packageVersion(): Promise<string> {
  const text = await readFile(new URL('../../package.json', import.meta.url), 'utf8');
  return `benchbot ${(JSON.parse(text) as { version: string }).version}`;
}

const isReason = (text: string): text is (typeof REASONS)[number] =>
  (REASONS as readonly string[]).includes(text);

/**
 * `benchbot record RESULTS`: stores one measurement of a commit (a tool's output, or a one-side
 * benchbot results file) as a run of the branch, straight into the configured results store, the
 * way a worker records a trunk run. Recording the same file for the same commit twice writes nothing.
 */
export async function record(
  config: BenchbotConfig,
  file: string,
  options: RecordOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const fail = (message: string, code = 2) => {
    console.error(`benchbot record: ${message}`);
    return code;
  };
  const target = resolveTarget(config, options, env);
  if (typeof target === 'string') return fail(target);
  const sha = options.sha ?? nonEmpty(env.GITHUB_SHA);
  if (sha === undefined)
    return fail('--sha is missing: pass the full commit SHA measured (GITHUB_SHA sets it in GitHub Actions)');
  if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(sha))
    return fail(`--sha ${sha}: expected a full commit SHA (40 lowercase hex digits)`);
  // A scheduled Actions run is the schedule's; anything else (workflow_dispatch, a shell) is manual.
  const reason = options.reason ?? (env.GITHUB_EVENT_NAME === 'schedule' ? 'schedule' : 'manual');
  if (!isReason(reason)) return fail(`--reason ${reason}: use one of ${REASONS.join(', ')}`);
  if (options.inputFormat !== undefined && !isInputFormat(options.inputFormat)) {
    return fail(
      `--input-format ${options.inputFormat}: use one of ${INPUT_FORMATS.join(', ')}, or leave it out to detect the format`,
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return fail(
      `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}); pass the path of a results file`,
    );
  }
  const imported = importResults(text, file, options.inputFormat);
  const combined = imported.ok
    ? combineImports([{ side: 'changed', file, benchmarks: imported.benchmarks }])
    : imported;
  if (!combined.ok) {
    for (const issue of combined.errors) console.error(formatIssue(issue));
    return 2;
  }
  const now = new Date().toISOString();
  const results = oneSideResults(
    {
      repository: target.repo,
      reason,
      side: { ref: target.branch, sha },
      commitRange: { from: sha, to: sha, count: 1 },
      platform: target.platform,
      machine: await readMachineFacts(null),
      startedAt: now,
      finishedAt: now,
      runnerVersion: await packageVersion(),
      interleaved: false,
    },
    combined.benchmarks,
  );
  // The content names the run: a retried CI step records nothing twice, a new measurement is new.
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const runId = `record:${target.repo}:${target.branch}:${sha}:${target.platform}:${digest}`;
  let store: Awaited<ReturnType<typeof openResultsStore>>;
  try {
    store = await openResultsStore(config, env);
  } catch (err) {
    return fail(`cannot open the results store: ${(err as Error).message}`, 1);
  }
  try {
    const { inserted } = await store.recordRun({
      runId,
      repository: target.repo,
      branch: target.branch,
      pullRequest: null,
      reason,
      commitRange: { from: sha, to: sha, count: 1 },
      platforms: [{ platform: target.platform, status: 'ok', results }],
      recordedAt: now,
      summary: `${results.benchmarks.length} benchmarks of ${sha.slice(0, 10)} recorded from ${file}`,
    });
    console.error(
      inserted
        ? `[benchbot] recorded ${runId} in ${store.location}`
        : `[benchbot] ${runId} was already recorded in ${store.location}; nothing written`,
    );
    console.log(runId);
    return 0;
  } catch (err) {
    return fail(`cannot record the run in ${store.location}: ${(err as Error).message}`, 1);
  } finally {
    await store.close();
  }
}
