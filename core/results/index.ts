export {
  type CombineResult,
  combineImports,
  type MissingBenchmark,
  type SideImport,
} from './importers/combine.js';
export { criterionNameFromPath } from './importers/criterion.js';
export { GoBenchReader } from './importers/go-bench.js';
export {
  detectFormat,
  importedLines,
  importResults,
  isInputFormat,
  readsLineByLine,
} from './importers/index.js';
export { MILESTONES_FORMAT } from './importers/milestones.js';
export {
  type ImportedBenchmark,
  type ImportResult,
  INPUT_FORMATS,
  type InputFormat,
} from './importers/types.js';
export {
  type AdaptiveRecord,
  type BenchbotResults,
  type Benchmark,
  type BenchmarkFailure,
  type BenchmarkGroup,
  benchmarkKey,
  CANONICAL_UNITS,
  CURRENT_SCHEMA_VERSION,
  DIRECTIONS,
  type Direction,
  formatIssue,
  GROUP_KINDS,
  type GroupKind,
  type MachineFacts,
  type ParseResults,
  parseResults,
  RESULTS_SCHEMA,
  type ResultIssue,
  RUN_REASONS,
  type RunMetadata,
  type RunReason,
  resultsSchema,
  type Sample,
  SIDES,
  type SideInfo,
  type SideName,
  SUPPORTED_SCHEMA_VERSIONS,
  schemaVersionFor,
  serializeResults,
} from './schema.js';
