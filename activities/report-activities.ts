import { ApplicationFailure } from '@temporalio/common';
import type { BenchbotConfig } from '../core/config/index.js';
import { compareResults, renderMarkdown, summaryLine } from '../core/report/index.js';
import type { BenchbotResults } from '../core/results/index.js';
import { DEFAULT_OPTIONS } from '../core/stats/index.js';
import { openResultsStore, type ResultsStore, ResultsStoreError } from './results-store/index.js';

// Room in a GitHub comment (65,536 characters) for the status header around the report.
const REPORT_BUDGET = 60_000;

// Problems a retry cannot fix; the others (a full or read-only disk, a busy file) keep the run in
// the workflow until the activity succeeds.
const PERMANENT_STORE_ERRORS = new Set([
  'invalid-run',
  'newer-database',
  'not-a-results-database',
  'needs-migration',
]);

export function createReportActivities(config: BenchbotConfig) {
  let store: ResultsStore | null = null;
  const openStore = () => {
    store ??= openResultsStore(config);
    return store;
  };
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
      try {
        openStore().recordRun({
          runId: input.runId,
          repository: run.repository,
          // Pull-request A/B runs stay out of the trunk series.
          branch: null,
          pullRequest: input.pullRequest,
          reason: run.reason,
          platforms: [{ platform: run.platform, status: 'ok', results: input.results }],
          recordedAt: new Date().toISOString(),
        });
      } catch (err) {
        if (err instanceof ResultsStoreError) {
          store?.close();
          store = null;
          if (PERMANENT_STORE_ERRORS.has(err.kind))
            throw ApplicationFailure.nonRetryable(err.message, 'InvalidResults');
        }
        throw err;
      }
      return input.runId;
    },
  };
  const close = () => {
    store?.close();
    store = null;
  };
  return { activities, close };
}

export type ReportActivities = ReturnType<typeof createReportActivities>['activities'];
