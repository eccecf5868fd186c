export { benchmarkRequest, cancelledBySignal, jobPhaseSignal, statusQuery } from './benchmark-request.js';
