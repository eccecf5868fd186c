import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import type { Logger } from 'pino';
import { listCommentsSince, type ResponseFacts } from '../adapters/github/list-comments.js';
import type { GitHubSession } from '../adapters/github/session.js';
import { startCommentRequest } from '../adapters/temporal/start-request.js';
import { LOW_BUDGET_SHARE, nextPollDelaySeconds, type RateBudget } from '../core/poller/budget.js';
import { advanceCursor, type Cursor, sinceParam } from '../core/poller/cursor.js';
import { requestSourceFor } from '../core/poller/select.js';
import type { CycleResult } from '../core/poller/state.js';
import { commentRequestId } from '../core/request/ids.js';

export interface PollerActivityDeps {
  github: GitHubSession;
  logger: Logger;
}

export interface PollCommentsInput {
  repo: string;
  cursor: Cursor;
  etag: string | null;
  intervalSeconds: number;
  /** Where BenchmarkRequests start: the main task queue. */
  requestTaskQueue: string;
}

function pollerMetrics(meter: MetricMeter, repo: string) {
  const tagged = meter.withTags({ repository: repo });
  const requests = tagged.createCounter(
    'benchbot_github_poll_requests',
    'requests',
    'GitHub requests of the comment poller, by HTTP status (304s do not count against the rate limit)',
  );
  const starts = tagged.createCounter(
    'benchbot_poller_request_starts',
    'requests',
    'BenchmarkRequest starts by the poller',
  );
  return {
    response(facts: ResponseFacts) {
      requests.add(1, { status: String(facts.status) });
    },
    start(outcome: string) {
      starts.add(1, { outcome });
    },
  };
}

/**
 * The poll activity: one listing of the repository's comments since the cursor, a start for every
 * new trigger, and the cost of it all. GitHub clients are made on first use, so a worker without a
 * token still serves everything else.
 */
export function createPollerActivities(deps: PollerActivityDeps) {
  const { octokit, whoAmI: botLogin } = deps.github;

  return {
    async pollComments(input: PollCommentsInput): Promise<CycleResult> {
      const context = Context.current();
      const metrics = pollerMetrics(context.metricMeter, input.repo);
      const log = deps.logger.child({ repository: input.repo, activity: 'pollComments' });
      const listing = await listCommentsSince(
        octokit(),
        input.repo,
        sinceParam(input.cursor),
        input.etag,
        (facts) => metrics.response(facts),
      );
      const counts = {
        requests: listing.responses.length,
        counted: listing.responses.filter((r) => r.status !== 304).length,
        notModified: listing.responses.filter((r) => r.status === 304).length,
      };
      const budget = listing.responses.reduce<RateBudget | null>((last, r) => r.budget ?? last, null);

      let cursor = input.cursor;
      let started = 0;
      let alreadyStarted = 0;
      if (listing.comments !== null) {
        const { fresh, next } = advanceCursor(input.cursor, listing.comments);
        cursor = next;
        const wanted = fresh.some((c) => requestSourceFor(input.repo, c, null) !== null);
        const self = wanted ? await botLogin() : null;
        for (const comment of fresh) {
          const source = requestSourceFor(input.repo, comment, self);
          if (source === null) continue;
          const outcome = await startCommentRequest(context.client, input.requestTaskQueue, source);
          metrics.start(outcome);
          if (outcome === 'started') started++;
          else alreadyStarted++;
          log.info(
            {
              commentId: comment.id,
              pr: comment.issueNumber,
              outcome,
              request: commentRequestId(input.repo, comment.id),
            },
            'benchmark request from a comment',
          );
        }
      }

      const delaySeconds = listing.truncated
        ? 0
        : nextPollDelaySeconds(input.intervalSeconds, budget, Date.now());
      const low = budget !== null && budget.remaining < budget.limit * LOW_BUDGET_SHARE;
      log[low ? 'warn' : 'debug'](
        {
          ...counts,
          rateLimit: budget,
          delaySeconds,
          cursor: new Date(cursor.atMs).toISOString(),
        },
        low ? 'GitHub budget low: polling less often until it resets' : 'poll cycle',
      );
      return { cursor, etag: listing.etag, counts, started, alreadyStarted, budget, delaySeconds };
    },
  };
}

export type PollerActivities = ReturnType<typeof createPollerActivities>;
