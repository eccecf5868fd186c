import type { BenchbotConfig } from '../core/config/index.js';
import { compareResults, renderMarkdown, summaryLine } from '../core/report/index.js';
import type { BenchbotResults } from '../core/results/index.js';
import { DEFAULT_OPTIONS } from '../core/stats/index.js';
import { createStoreAccess } from './results-store/access.js';

// Room in a GitHub comment (65,536 characters) for the status header around the report.
const REPORT_BUDGET = 60_000;

export function createReportActivities(config: BenchbotConfig) {
  const store = createStoreAccess(config);
  const activities = {
    /** The verdicts, as the PR comment's markdown and a one-line summary. */
    async compareRun({
      results,
    }: {
      results: BenchbotResults;
    }): Promise<{ markdown: string; summary: string }> {
      const comparison = compareResults(results.benchmarks, DEFAULT_OPTIONS);
      return {
        markdown: renderMarkdown(comparison, { budget: REPORT_BUDGET }),
        summary: summaryLine(comparison),
      };
    },

    /** Writes the run into the history, once: the run id makes a retried write a no-op. */
    async recordRun(input: {
      runId: string;
      results: BenchbotResults;
      pullRequest: number | null;
    }): Promise<string> {
      const { run } = input.results;
      store.use((s) =>
        s.recordRun({
          runId: input.runId,
          repository: run.repository,
          // Pull-request A/B runs stay out of the trunk series.
          branch: null,
          pullRequest: input.pullRequest,
          reason: run.reason,
          platforms: [{ platform: run.platform, status: 'ok', results: input.results }],
          recordedAt: new Date().toISOString(),
        }),
      );
      return input.runId;
    },
  };
  return { activities, close: store.close };
}

export type ReportActivities = ReturnType<typeof createReportActivities>['activities'];
