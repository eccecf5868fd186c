import { compareResults, renderMarkdown, summaryLine } from '../core/report/index.js';
import type { BenchbotResults } from '../core/results/index.js';
import { DEFAULT_OPTIONS } from '../core/stats/index.js';
import type { StoreAccess } from './results-store/access.js';

// Room in a GitHub comment (65,536 characters) for the status header around the report.
const REPORT_BUDGET = 60_000;

function judge(results: BenchbotResults): { markdown: string; summary: string } {
  const comparison = compareResults(results.benchmarks, DEFAULT_OPTIONS);
  return {
    markdown: renderMarkdown(comparison, { budget: REPORT_BUDGET }),
    summary: summaryLine(comparison),
  };
}

export function createReportActivities(store: StoreAccess) {
  return {
    /** The verdicts, as the PR comment's markdown and a one-line summary. */
    async compareRun({
      results,
    }: {
      results: BenchbotResults;
    }): Promise<{ markdown: string; summary: string }> {
      return judge(results);
    },

    /** Writes the run and its report into the history, once: the run id makes a retried write a no-op. */
    async recordRun(input: {
      runId: string;
      results: BenchbotResults;
      pullRequest: number | null;
      /** Absent in histories recorded before requesters were stored. */
      requester?: string;
    }): Promise<string> {
      const { run } = input.results;
      const { markdown, summary } = judge(input.results);
      await store.use((s) =>
        s.recordRun({
          runId: input.runId,
          repository: run.repository,
          // Pull-request A/B runs stay out of the trunk series.
          branch: null,
          pullRequest: input.pullRequest,
          reason: run.reason,
          platforms: [{ platform: run.platform, status: 'ok', results: input.results }],
          recordedAt: new Date().toISOString(),
          ...(input.requester === undefined ? {} : { requester: input.requester }),
          summary,
          report: markdown,
        }),
      );
      return input.runId;
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
