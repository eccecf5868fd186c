export {
  type ChangePoint,
  type ChangePointOptions,
  DEFAULT_CHANGE_POINT_OPTIONS,
  eDivisive,
} from './e-divisive.js';
export { bestSplit, type RankedValues, rankValues } from './energy.js';
