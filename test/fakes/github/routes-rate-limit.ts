import { rateLimitOverview } from './payloads.js';
import type { PrimaryRateLimit } from './rate-limit.js';
import { route } from './router.js';

/** `GET /rate_limit` reports the caller's windows and, as documented, does not count against them. */
export function rateLimitRoutes(limit: PrimaryRateLimit) {
  return [
    route(
      'GET',
      '/rate_limit',
      'https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user',
      (ctx) => {
        const core = limit.snapshot(ctx.viewer?.login.toLowerCase() ?? null);
        return { status: 200, body: rateLimitOverview(core, core.reset) };
      },
    ),
  ];
}
