import type { BenchmarkFailure, BenchmarkGroup, Direction, ResultIssue } from '../schema.js';

/** `--input-format` names; `benchbot` is a benchbot results file holding one side. */
export const INPUT_FORMATS = [
  'benchbot',
  'dfbench-json',
  'criterion',
  'go-bench',
  'pytest-benchmark',
  'hyperfine',
  'google-benchmark',
  'milestones',
] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** One benchmark's samples for one side, as read from one tool run; values are in `unit`. */
export interface ImportedBenchmark {
  name: string;
  group: BenchmarkGroup;
  metric: string;
  unit: string;
  direction: Direction;
  samples: number[];
  /** false when the tool only reported a summary, so `samples` holds estimates, not a distribution. */
  rawSamples: boolean;
  status: 'ok' | 'failed';
  failure?: BenchmarkFailure;
}

export type ImportResult =
  | { ok: true; format: InputFormat; benchmarks: ImportedBenchmark[]; warnings: ResultIssue[] }
  | { ok: false; errors: ResultIssue[] };

export type Importer = (text: string, file: string) => ImportResult;
