import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

// benchbot's custom search attributes: they make requests findable by repository, pull request,
// requester and state in the Temporal Web UI and in `show benchmark queue`.
export const REPOSITORY = defineSearchAttributeKey('BenchbotRepository', SearchAttributeType.KEYWORD);
export const PULL_REQUEST = defineSearchAttributeKey('BenchbotPullRequest', SearchAttributeType.INT);
export const REQUESTER = defineSearchAttributeKey('BenchbotRequester', SearchAttributeType.KEYWORD);
export const STATE = defineSearchAttributeKey('BenchbotState', SearchAttributeType.KEYWORD);
export const BENCHMARKS = defineSearchAttributeKey('BenchbotBenchmarks', SearchAttributeType.KEYWORD_LIST);

export const ALL_SEARCH_ATTRIBUTES = [REPOSITORY, PULL_REQUEST, REQUESTER, STATE, BENCHMARKS] as const;

export type RequestState =
  | 'queued'
  | 'building'
  | 'running'
  | 'comparing'
  | 'done'
  | 'failed'
  | 'cancelled'
  /** Ended before its job started: new commits on the pull request made it outdated. */
  | 'superseded';

/** The states of a request that is waiting for or holding a runner slot. */
export const ACTIVE_REQUEST_STATES = [
  'queued',
  'building',
  'running',
  'comparing',
] as const satisfies readonly RequestState[];
