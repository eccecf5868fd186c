import Bottleneck from 'bottleneck/light.js';

// Writes that notify people (a new comment, an issue) may be limited further than other writes,
// GitHub's guidance says; @octokit/plugin-throttling spaces them three times as far apart (3 s
// against 1 s by default), and benchbot keeps that ratio for any interval.
const NOTIFYING_FACTOR = 3;

/** plugin-throttling's `write` and `notifications` groups: its own way to set write pacing. */
export interface WritePacing {
  write: Bottleneck.Group;
  notifications: Bottleneck.Group;
}

/**
 * At most one write starting per `intervalMs` (0: unpaced), notifying writes per 3 × that, for one
 * client: the worker makes one GitHub session for all its activities, so the interval holds between
 * any two writes of the worker.
 */
export function writePacing(intervalMs: number): WritePacing {
  return {
    write: new Bottleneck.Group({ id: 'octokit-write', maxConcurrent: 1, minTime: intervalMs }),
    notifications: new Bottleneck.Group({
      id: 'octokit-notifications',
      maxConcurrent: 1,
      minTime: intervalMs * NOTIFYING_FACTOR,
    }),
  };
}
