import { asyncLocalStorage } from '@temporalio/activity';
import { readRateBudget } from '../../core/poller/budget.js';
import type { GitHubClient } from './client.js';

type ResponseHeaders = Readonly<Record<string, string | number | undefined>>;

/**
 * Exports the token's hourly GitHub budget, as the latest response (from any activity: polls,
 * reactions, status comments, reports) reports it, beside Temporal's metrics. Errors carry the
 * headers too: a 403 for an exhausted budget is the response that matters most.
 */
export function exportRateBudget(octokit: GitHubClient): void {
  const record = (headers: ResponseHeaders | undefined) => {
    const meter = asyncLocalStorage.getStore()?.metricMeter;
    const budget = headers === undefined ? null : readRateBudget(headers);
    if (meter === undefined || budget === null) return;
    meter
      .createGauge(
        'benchbot_github_rate_limit_remaining',
        'int',
        'requests',
        "requests left in the token's hourly GitHub budget",
      )
      .set(budget.remaining);
    meter
      .createGauge(
        'benchbot_github_rate_limit_used',
        'int',
        'requests',
        "requests used of the token's hourly GitHub budget",
      )
      .set(budget.used);
  };
  octokit.hook.after('request', (response) => record(response.headers));
  octokit.hook.error('request', (error) => {
    record((error as { response?: { headers?: ResponseHeaders } }).response?.headers);
    throw error;
  });
}
