import { keepRunProfiles } from '../adapters/profiles/job-profiles.js';
import { withProfiles } from '../adapters/profiles/report.js';
import type { StoreAccess } from '../adapters/results-store/access.js';
import {
  deleteJobArtifacts,
  loadJobResults,
  missingResults,
  resultsOf,
} from '../adapters/results-store/job-artifacts.js';
import { compareResults, type ResultsComparison, renderMarkdown, summaryLine } from '../core/report/index.js';
import type { ResultsSource } from '../core/results/claim-check.js';
import type { BenchbotResults } from '../core/results/index.js';
import { DEFAULT_OPTIONS } from '../core/stats/index.js';

// Room in a GitHub comment (65,536 characters) for the status header around the report.
const REPORT_BUDGET = 60_000;

function judge(results: BenchbotResults): {
  markdown: string;
  summary: string;
  comparison: ResultsComparison;
} {
  const comparison = compareResults(results.benchmarks, DEFAULT_OPTIONS, results.run.adaptive);
  return {
    markdown: renderMarkdown(comparison, { budget: REPORT_BUDGET }),
    summary: summaryLine(comparison),
    comparison,
  };
}

export function createReportActivities(store: StoreAccess) {
  return {
    /** The verdicts, as the PR comment's markdown (at most REPORT_BUDGET) and a one-line summary. */
    async compareRun(source: ResultsSource): Promise<{ markdown: string; summary: string }> {
      const judged = judge(await resultsOf(store, source));
      const markdown =
        'ref' in source
          ? await withProfiles(store, source.ref, judged.markdown, judged.comparison, REPORT_BUDGET)
          : judged.markdown;
      return { markdown, summary: judged.summary };
    },

    /**
     * Writes the run and its report into the history, once: the run id makes a retried write a
     * no-op. Results passed by reference leave the store's artifacts once recorded, so a retry
     * after that finds the run recorded instead.
     */
    async recordRun(
      input: ResultsSource & {
        runId: string;
        pullRequest: number | null;
        /** Absent in histories recorded before requesters were stored. */
        requester?: string;
      },
    ): Promise<string> {
      const results = 'results' in input ? input.results : await loadJobResults(store, input.ref);
      if (results === null) {
        if ('ref' in input && (await store.use((s) => s.runReport(input.runId))) !== null) return input.runId;
        throw missingResults('ref' in input ? input.ref : input.runId);
      }
      const { run } = results;
      const judged = judge(results);
      const { summary } = judged;
      const markdown =
        'ref' in input
          ? await withProfiles(store, input.ref, judged.markdown, judged.comparison, REPORT_BUDGET)
          : judged.markdown;
      await store.use((s) =>
        s.recordRun({
          runId: input.runId,
          repository: run.repository,
          // Pull-request A/B runs stay out of the trunk series.
          branch: null,
          pullRequest: input.pullRequest,
          reason: run.reason,
          platforms: [{ platform: run.platform, status: 'ok', results }],
          recordedAt: new Date().toISOString(),
          ...(input.requester === undefined ? {} : { requester: input.requester }),
          summary,
          report: markdown,
        }),
      );
      if ('ref' in input) {
        await keepRunProfiles(store, input.ref, input.runId, run.platform);
        await deleteJobArtifacts(store, input.ref);
      }
      return input.runId;
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
