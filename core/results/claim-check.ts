import type { BenchbotResults } from './schema.js';

// A job's results and checkpoints grow with the suite (criterion: 100 samples per function per
// round) and Temporal refuses payloads over 2 MB, so they are kept in the results store as
// artifacts and only a reference travels through workflows, heartbeats and ConfigMaps: the claim
// check. The job key (workflowId[:platform][:part]) names a job's artifacts.

/** What a workflow needs to decide about a finished job, without its samples. */
export interface JobSummary {
  platform: string;
  benchmarks: number;
  failed: number;
  samples: number;
  sides: { baseline: string | null; changed: string | null };
}

/** A finished job's results, kept in the store under `resultsArtifactKey(ref)`. */
export interface ResultsByReference {
  /** The job key. */
  ref: string;
  summary: JobSummary;
}

/** How an activity is handed a job's results: inline (histories from before the claim check) or by reference. */
export type ResultsSource = { results: BenchbotResults } | { ref: string };

/** What runJob returned: the whole results (asked without `byReference`) or the claim check. */
export type JobResult = BenchbotResults | ResultsByReference;

export function resultsSource(job: JobResult): ResultsSource {
  return 'ref' in job ? { ref: job.ref } : { results: job };
}

export function summarizeResults(results: BenchbotResults): JobSummary {
  let samples = 0;
  for (const b of results.benchmarks)
    samples += (b.samples.baseline?.length ?? 0) + (b.samples.changed?.length ?? 0);
  return {
    platform: results.run.platform,
    benchmarks: results.benchmarks.length,
    failed: results.benchmarks.filter((b) => b.status === 'failed').length,
    samples,
    sides: {
      baseline: results.run.sides.baseline?.sha ?? null,
      changed: results.run.sides.changed?.sha ?? null,
    },
  };
}

export const resultsArtifactKey = (jobKey: string) => `${jobKey}:results`;
export const checkpointArtifactKey = (jobKey: string) => `${jobKey}:checkpoint`;
/**
 * A trunk confirmation's verdict, kept after its job's artifacts go: a retry of the judging activity
 * (its worker died before Temporal heard the answer) finds it instead of missing results. Outside
 * the job's prefix, so removing the job's artifacts leaves it; a few hundred bytes per confirmation.
 */
export const confirmationArtifactKey = (jobKey: string) => `confirmations/${jobKey}`;
/** Every artifact of a job (and of the jobs named after it: a trunk run's `:confirm` part). */
export const jobArtifactPrefix = (jobKey: string) => `${jobKey}:`;
