export { benchmarkRequest, cancelledBySignal, jobPhaseSignal, statusQuery } from './benchmark-request.js';
export { trunkRun, trunkStatusQuery } from './trunk-run.js';
