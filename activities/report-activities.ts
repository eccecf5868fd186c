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

interface RecordRunInput {
  runId: string;
  pullRequest: number | null;
  /** Absent in histories recorded before requesters were stored. */
  requester?: string;
}

export function createReportActivities(store: StoreAccess) {
  /**
   * Writes the run and its report into the history, once: the run id makes a retried write a
   * no-op. Results passed by reference leave the store's artifacts once recorded, so a retry
   * after that finds the run recorded instead.
   */
  async function record(input: ResultsSource & RecordRunInput): Promise<{ runId: string; summary: string }> {
    const results = 'results' in input ? input.results : await loadJobResults(store, input.ref);
    if (results === null) {
      const recorded = 'ref' in input ? await store.use((s) => s.runReport(input.runId)) : null;
      if (recorded !== null) return { runId: input.runId, summary: recorded.summary ?? '' };
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
    return { runId: input.runId, summary };
  }

  return {
    /**
     * The verdicts, as the PR comment's markdown (at most REPORT_BUDGET) and a one-line summary: for
     * requests from before 'report-from-store', which judge before recording.
     */
    async compareRun(source: ResultsSource): Promise<{ markdown: string; summary: string }> {
      const judged = judge(await resultsOf(store, source));
      const markdown =
        'ref' in source
          ? await withProfiles(store, source.ref, judged.markdown, judged.comparison, REPORT_BUDGET)
          : judged.markdown;
      return { markdown, summary: judged.summary };
    },

    /**
     * Judges and records a run whose results are in the store: the report stays there (the status
     * comment and `benchbot run` read it by run id), so only the summary crosses the history.
     */
    async recordRequestRun(
      input: ResultsSource & RecordRunInput,
    ): Promise<{ runId: string; summary: string }> {
      return record(input);
    },

    /** As recordRun is called by requests from before 'report-from-store' (they judge with compareRun first). */
    async recordRun(input: ResultsSource & RecordRunInput): Promise<string> {
      return (await record(input)).runId;
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
