export { benchmarkRequest, cancelledBySignal, jobPhaseSignal, statusQuery } from './benchmark-request.js';
export { triggerCheck } from './trigger-check.js';
