import { openResultsStore } from '../adapters/results-store/index.js';
import type { BenchbotConfig } from '../core/config/index.js';

/**
 * The report the worker recorded with a run. A machine that cannot open the store (another
 * worker's PostgreSQL without its URL here) still gets the summary and how to see the rest.
 */
export async function storedReport(
  config: BenchbotConfig,
  env: NodeJS.ProcessEnv,
  run: { runId: string; summary: string },
  say: (line: string) => void,
): Promise<string> {
  try {
    const store = await openResultsStore(config, env, { readonly: true });
    try {
      const stored = await store.runReport(run.runId);
      if (stored?.report) return stored.report;
    } finally {
      await store.close();
    }
  } catch (err) {
    say(
      `reading the report from the results store failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return `${run.summary}\n\nThe whole report is recorded as run ${run.runId}: \`benchbot runs show ${run.runId}\` where the results store can be opened.`;
}
