import { openResultsStore, ResultsStoreError } from '../../adapters/results-store/index.js';
import type { BenchbotConfig } from '../../core/config/index.js';
import type { InputText } from '../../core/report/index.js';
import { newestSideOf } from '../../core/results/one-side.js';
import type { Target } from './target.js';

export interface StoredBaseline {
  runId: string;
  recordedAt: string;
  sha: string;
  /** The stored run's newest side as a one-side results file, to be compared like any file. */
  input: InputText;
}

/**
 * The newest run of the branch that succeeded on the platform (`compare --against latest`), or a
 * message naming the repository, branch and platform that have none, and how to make one.
 */
export async function latestStoredBaseline(
  config: BenchbotConfig,
  target: Target,
  env: NodeJS.ProcessEnv,
): Promise<StoredBaseline | string> {
  const where = `${target.repo} branch ${target.branch} on platform ${target.platform}`;
  const none = `no run of ${where} is recorded in the results store; record one first (benchbot record RESULTS --repo ${target.repo} --branch ${target.branch}), or check --repo, --branch and --platform`;
  let store: Awaited<ReturnType<typeof openResultsStore>>;
  try {
    store = await openResultsStore(config, env, { readonly: true });
  } catch (err) {
    if (err instanceof ResultsStoreError && err.kind === 'empty') return none;
    return `cannot open the results store: ${(err as Error).message}`;
  }
  try {
    const latest = await store.latestRun({
      repository: target.repo,
      branch: target.branch,
      platform: target.platform,
      status: 'ok',
    });
    const side = latest?.platform.results ? newestSideOf(latest.platform.results) : null;
    if (latest === null || side === null) return none;
    const sha = side.run.sides.changed?.sha ?? '';
    return {
      runId: latest.run.runId,
      recordedAt: latest.run.recordedAt,
      sha,
      input: {
        file: `stored run ${latest.run.runId} (${sha.slice(0, 10)}, ${latest.run.recordedAt})`,
        text: JSON.stringify(side),
      },
    };
  } catch (err) {
    return `cannot read the results store: ${(err as Error).message}`;
  } finally {
    await store.close();
  }
}
