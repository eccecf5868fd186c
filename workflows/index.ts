export { benchmarkRequest, cancelledBySignal, jobPhaseSignal, statusQuery } from './benchmark-request.js';
export { commentPoller, pollerStatusQuery, setPollIntervalSignal } from './comment-poller.js';
export { trunkRun, trunkStatusQuery } from './trunk-run.js';
export { trunkWatchdog } from './trunk-watchdog.js';
