export { compareResults } from './compare-results.js';
export {
  type CompareTextsResult,
  compareImports,
  compareResultsText,
  compareTexts,
  type ImportedSide,
  type InputText,
} from './compare-texts.js';
export { csvField, renderCsv } from './csv.js';
export { formatMedianCi, formatP, formatPct, formatSpread } from './format.js';
export { groupTotals } from './group-totals.js';
export {
  type BenchmarkJson,
  COMPARISON_SCHEMA,
  COMPARISON_SCHEMA_VERSION,
  type ComparisonJson,
  renderJson,
  type SideJson,
  toComparisonJson,
} from './json.js';
export { benchmarkLabels, groupLabel } from './labels.js';
export {
  DEFAULT_MARKDOWN_BUDGET,
  GITHUB_COMMENT_LIMIT,
  type MarkdownOptions,
  renderMarkdown,
  significanceOrder,
} from './markdown.js';
export { latestAttempts, roundPairs } from './round-pairs.js';
export { geomeansLine, headlineGeomean, methodLine, summaryLine } from './summary.js';
export type {
  BenchmarkIdentity,
  ComparedBenchmark,
  FailedBenchmark,
  GroupTotal,
  GroupTotalKind,
  MetricGeomean,
  OneSidedBenchmark,
  ResultsComparison,
  VerdictCounts,
} from './types.js';
export { formatValue, threeSignificant } from './units.js';
