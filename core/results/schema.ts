import { z } from 'zod';
import { issuesFromZod, parseJsonText } from './importers/json-text.js';

/** The `schema` tag every benchbot results file carries, so a tool's own JSON is never mistaken for one. */
export const RESULTS_SCHEMA = 'benchbot-results';
// Version 2 adds run.adaptive (adaptive rounds); a run without them is still written as version 1,
// which older benchbots read.
export const CURRENT_SCHEMA_VERSION = 2;
export const SUPPORTED_SCHEMA_VERSIONS: readonly number[] = [1, CURRENT_SCHEMA_VERSION];
/** The version a results file needs: the first that has every field it uses. */
export const schemaVersionFor = (run: { adaptive?: unknown }): 1 | 2 => (run.adaptive === undefined ? 1 : 2);

/** Units importers normalise to; any other non-empty string is a tool's own unit and is kept as is. */
export const CANONICAL_UNITS = { time: 'ns', bytes: 'B', byteRate: 'B/s', opRate: 'ops/s' } as const;

export const SIDES = ['baseline', 'changed'] as const;
export type SideName = (typeof SIDES)[number];

export const RUN_REASONS = ['pr-comment', 'schedule', 'manual', 'backfill'] as const;
export const GROUP_KINDS = ['query', 'milestone', 'phase', 'benchmark'] as const;
export const DIRECTIONS = ['lower-is-better', 'higher-is-better'] as const;

/** A problem in an input file: `place` is a JSON path (`benchmarks[3].samples.baseline[2].value`) or a line. */
export interface ResultIssue {
  file: string;
  place: string;
  message: string;
}

export function formatIssue(issue: ResultIssue): string {
  return issue.place === ''
    ? `${issue.file}: ${issue.message}`
    : `${issue.file}: ${issue.place}: ${issue.message}`;
}

const sha = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'expected a full commit SHA (40 or 64 lowercase hex digits)');

const sideSchema = z.strictObject({
  ref: z.string().min(1),
  sha,
  // Only the names: values may be secrets and results files are stored and shown publicly.
  envKeys: z.array(z.string().min(1)),
});

const machineSchema = z.strictObject({
  cpuModel: z.string().min(1),
  cores: z.int().positive(),
  kernel: z.string().min(1),
  memoryBytes: z.int().positive(),
  // null where the kernel exposes no cpufreq (most VMs and containers without /sys).
  governor: z.string().min(1).nullable().optional(),
  // 1, 5 and 15 minute load averages when the run started.
  loadAverage: z.tuple([z.number(), z.number(), z.number()]).optional(),
  pinnedCpus: z.array(z.int().nonnegative()).optional(),
});

const groupSchema = z.strictObject({ kind: z.enum(GROUP_KINDS), name: z.string().min(1).optional() });

/**
 * Adaptive rounds (core/adaptive-rounds.ts): alpha was split between the look after the planned
 * rounds and the final one, and the benchmarks still undecided at the first look ran more rounds.
 * Each measurement of such a benchmark is judged at its look, on the rounds that look saw; a
 * measurement of any other benchmark is judged at the first look.
 */
const adaptiveSchema = z.strictObject({
  spending: z.literal('bonferroni-split'),
  /** Share of alpha spent at the first look; the final look has the rest. */
  firstLookShare: z.number().gt(0).lt(1),
  extended: z.array(
    z.strictObject({
      /** The benchmark of the config (its command ran the extra rounds). */
      benchmark: z.string().min(1),
      plannedRounds: z.int().positive(),
      rounds: z.int().positive(),
      /** 1: decided at the planned rounds (judged on rounds below plannedRounds); 2: judged on all. */
      measurements: z.array(
        z.strictObject({
          group: groupSchema,
          name: z.string().min(1),
          metric: z.string().min(1),
          look: z.union([z.literal(1), z.literal(2)]),
        }),
      ),
    }),
  ),
});

const runSchema = z
  .strictObject({
    repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"'),
    reason: z.enum(RUN_REASONS),
    pullRequest: z.int().positive().optional(),
    sides: z
      .strictObject({ baseline: sideSchema.optional(), changed: sideSchema.optional() })
      .refine((s) => s.baseline !== undefined || s.changed !== undefined, {
        message: 'expected at least one of "baseline" and "changed"',
      }),
    // A scheduled run may stand for several commits (batched trunk runs); this says which.
    commitRange: z.strictObject({ from: sha, to: sha, count: z.int().positive().optional() }).optional(),
    platform: z.string().min(1),
    machine: machineSchema,
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
    runnerVersion: z.string().min(1),
    interleaved: z.boolean(),
    // Why the numbers may be noisier than usual (busy machine, powersave governor); never a refusal.
    warnings: z.array(z.string().min(1)).optional(),
    adaptive: adaptiveSchema.optional(),
  })
  .superRefine((run, ctx) => {
    if (Date.parse(run.finishedAt) < Date.parse(run.startedAt)) {
      ctx.addIssue({ code: 'custom', path: ['finishedAt'], message: 'finishedAt is before startedAt' });
    }
  });

const sampleSchema = z.strictObject({
  value: z.number(),
  // Which interleaved round produced the sample, so statistics can pair baseline and changed runs.
  round: z.int().nonnegative().optional(),
  // Retries of a round after infrastructure loss; the latest attempt is the one that counts.
  attempt: z.int().positive().optional(),
});

const failureSchema = z.strictObject({ reason: z.string().min(1), logTail: z.string().optional() });

const benchmarkSchema = z
  .strictObject({
    name: z.string().min(1),
    group: groupSchema,
    metric: z.string().min(1),
    unit: z.string().min(1),
    direction: z.enum(DIRECTIONS),
    samples: z.strictObject({
      baseline: z.array(sampleSchema).optional(),
      changed: z.array(sampleSchema).optional(),
    }),
    // false when the tool only reported a summary (e.g. criterion's estimates.json): n=1, not a distribution.
    rawSamples: z.boolean(),
    status: z.enum(['ok', 'failed']),
    failure: failureSchema.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.status === 'failed' && b.failure === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['failure'],
        message: 'a failed benchmark needs "failure": { reason }',
      });
    }
    if (b.status === 'ok' && b.failure !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['failure'],
        message: '"failure" is only allowed with status "failed"',
      });
    }
    const count = (b.samples.baseline?.length ?? 0) + (b.samples.changed?.length ?? 0);
    if (b.status === 'ok' && count === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['samples'],
        message: 'a benchmark with status "ok" needs samples',
      });
    }
  });

export const resultsSchema = z
  .strictObject({
    schema: z.literal(RESULTS_SCHEMA),
    schemaVersion: z.union([z.literal(1), z.literal(CURRENT_SCHEMA_VERSION)]),
    run: runSchema,
    benchmarks: z.array(benchmarkSchema),
  })
  .superRefine((results, ctx) => {
    if (results.schemaVersion < schemaVersionFor(results.run)) {
      ctx.addIssue({
        code: 'custom',
        path: ['run', 'adaptive'],
        message: `adaptive rounds need schemaVersion ${schemaVersionFor(results.run)}; set it, or remove run.adaptive`,
      });
    }
    const seen = new Map<string, number>();
    results.benchmarks.forEach((b, i) => {
      const key = benchmarkKey(b);
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['benchmarks', i],
          message: `duplicates benchmarks[${first}] (same group, name and metric); merge their samples`,
        });
      } else {
        seen.set(key, i);
      }
      for (const side of SIDES) {
        if (b.samples[side] !== undefined && results.run.sides[side] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['benchmarks', i, 'samples', side],
            message: `has ${side} samples but run.sides has no ${side}`,
          });
        }
      }
    });
  });

export type BenchbotResults = z.infer<typeof resultsSchema>;
export type RunMetadata = BenchbotResults['run'];
export type SideInfo = z.infer<typeof sideSchema>;
export type MachineFacts = z.infer<typeof machineSchema>;
export type RunReason = (typeof RUN_REASONS)[number];
export type Benchmark = z.infer<typeof benchmarkSchema>;
export type BenchmarkGroup = z.infer<typeof groupSchema>;
export type GroupKind = (typeof GROUP_KINDS)[number];
export type Direction = (typeof DIRECTIONS)[number];
export type Sample = z.infer<typeof sampleSchema>;
export type BenchmarkFailure = z.infer<typeof failureSchema>;
export type AdaptiveRecord = z.infer<typeof adaptiveSchema>;

/** What identifies a benchmark across runs and sides: group, name and metric (unit and direction follow). */
export function benchmarkKey(b: Pick<Benchmark, 'group' | 'name' | 'metric'>): string {
  return JSON.stringify([b.group.kind, b.group.name ?? null, b.name, b.metric]);
}

export type ParseResults = { ok: true; results: BenchbotResults } | { ok: false; errors: ResultIssue[] };

/**
 * Reads a benchbot results file. The version is checked before anything else so that a file from a
 * newer benchbot is refused with an upgrade hint instead of a pile of validation errors.
 */
export function parseResults(text: string, file: string): ParseResults {
  const json = parseJsonText(text, file);
  if (!json.ok) return { ok: false, errors: [json.issue] };
  const value = json.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(file, '', 'expected a JSON object with "schema": "benchbot-results"');
  }
  const record = value as Record<string, unknown>;
  if (record.schema !== RESULTS_SCHEMA) {
    return fail(
      file,
      'schema',
      `expected "${RESULTS_SCHEMA}", found ${JSON.stringify(record.schema) ?? 'nothing'}; ` +
        'if this is a benchmark tool’s own output, import it with --input-format',
    );
  }
  const version = record.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    return fail(
      file,
      'schemaVersion',
      `expected an integer schema version, found ${JSON.stringify(version)}`,
    );
  }
  if (!SUPPORTED_SCHEMA_VERSIONS.includes(version)) {
    return fail(
      file,
      'schemaVersion',
      `schemaVersion ${version} is not supported by this benchbot (supports ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}); ` +
        'upgrade benchbot or re-export the file',
    );
  }
  const parsed = resultsSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: issuesFromZod(parsed.error, file) };
  return { ok: true, results: parsed.data };
}

/** Stable, diff-friendly text of a results file; `parseResults(serializeResults(r))` gives `r` back. */
export function serializeResults(results: BenchbotResults): string {
  return `${JSON.stringify(results, null, 2)}\n`;
}

function fail(file: string, place: string, message: string): ParseResults {
  return { ok: false, errors: [{ file, place, message }] };
}
