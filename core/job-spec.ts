import { z } from 'zod';
import type { RepoConfig } from './config/schema.js';
import { issuesFromZod, parseJsonText } from './results/importers/json-text.js';
import { OUTPUT_FORMATS, WALL_CLOCK_FORMAT } from './results/output-formats.js';
import { formatIssue, RUN_REASONS, type RunReason, type SideName } from './results/schema.js';
import type { SideSpec } from './trigger/types.js';

// What the runner is told to do, as one JSON file: everything it needs from benchbot.yaml, the
// resolved sides and the order of the interleaved rounds. Secrets never go in a spec: it is a
// workflow argument, a Kubernetes object and a file on disk.

export const JOB_SPEC_VERSION = 1;
export const SUPPORTED_JOB_SPEC_VERSIONS: readonly number[] = [JOB_SPEC_VERSION];
export const ROUND_ORDER_SCHEMES = ['abba', 'balanced-random'] as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const sha = z
  .string()
  .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'expected a full commit SHA (40 or 64 lowercase hex digits)');

const envSchema = z.record(z.string().regex(ENV_NAME, 'not an environment variable name'), z.string());

// Relative, and never climbing out of the checkout: the runner resolves it inside a worktree.
const insidePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a relative path inside the repository, without ".."',
  });

const sideSchema = z.strictObject({ ref: z.string().min(1), sha, env: envSchema });

const buildSchema = z.strictObject({
  command: z.string().min(1).nullable(),
  workdir: insidePath,
  timeoutSeconds: z.int().positive(),
  env: envSchema,
});

const outputSchema = z
  .strictObject({ path: insidePath.nullable(), format: z.enum(OUTPUT_FORMATS) })
  .refine((o) => (o.format === WALL_CLOCK_FORMAT) === (o.path === null), {
    message: `path is null exactly when format is ${WALL_CLOCK_FORMAT}`,
  });

const benchmarkSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'not a benchmark name'),
  command: z.string().min(1),
  workdir: insidePath,
  output: outputSchema,
  iterations: z.int().positive(),
  warmups: z.int().nonnegative(),
  /** Per run of the command, not for all rounds together. */
  timeoutSeconds: z.int().positive(),
  env: envSchema,
  /**
   * Adaptive rounds (core/adaptive-rounds.ts): while undecided after `iterations` rounds, up to
   * `maxRounds` in all, as many as fit in `extraSeconds` at the planned rounds' pace. Absent: no
   * extra rounds (and a spec that has none is the same as before adaptive rounds existed).
   */
  adaptive: z.strictObject({ maxRounds: z.int().positive(), extraSeconds: z.int().positive() }).optional(),
  /** Absent when the benchmark takes no profile, so specs (and their digests) stay as they were. */
  profile: z
    .strictObject({ command: z.string().min(1), path: insidePath, format: z.literal('pprof') })
    .optional(),
});

const roundOrderSchema = z.strictObject({
  scheme: z.enum(ROUND_ORDER_SCHEMES),
  // In the spec, not drawn by the runner, so a resumed run repeats the same order.
  seed: z.int().nonnegative().max(0xffffffff),
});

export const jobSpecSchema = z
  .strictObject({
    specVersion: z.literal(JOB_SPEC_VERSION),
    repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'expected "owner/name"'),
    url: z.string().min(1),
    reason: z.enum(RUN_REASONS),
    pullRequest: z.int().positive().optional(),
    platform: z.string().min(1),
    sides: z.strictObject({ baseline: sideSchema, changed: sideSchema }),
    build: buildSchema,
    benchmarks: z.array(benchmarkSchema).min(1),
    order: roundOrderSchema,
    pinCpus: z.array(z.int().nonnegative()).min(1).nullable(),
  })
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.benchmarks.forEach((b, i) => {
      if (b.adaptive !== undefined && b.adaptive.maxRounds <= b.iterations) {
        ctx.addIssue({
          code: 'custom',
          path: ['benchmarks', i, 'adaptive', 'maxRounds'],
          message: `maxRounds ${b.adaptive.maxRounds} is not above iterations ${b.iterations}; leave adaptive out for no extra rounds`,
        });
      }
      if (seen.has(b.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['benchmarks', i, 'name'],
          message: `${b.name} is listed twice`,
        });
      }
      seen.add(b.name);
    });
  });

export type JobSpec = z.infer<typeof jobSpecSchema>;
export type JobSide = JobSpec['sides']['baseline'];
export type JobBuild = JobSpec['build'];
export type JobBenchmark = JobSpec['benchmarks'][number];
export type RoundOrder = JobSpec['order'];
export type RoundOrderScheme = (typeof ROUND_ORDER_SCHEMES)[number];

export type ParseJobSpec = { ok: true; spec: JobSpec } | { ok: false; errors: string[] };

/** Reads a spec file, refusing unknown versions before anything else. */
export function parseJobSpec(text: string, file: string): ParseJobSpec {
  const json = parseJsonText(text, file);
  if (!json.ok) return { ok: false, errors: [`${file}: ${json.issue.message}`] };
  const version = (json.value as { specVersion?: unknown } | null)?.specVersion;
  if (typeof version !== 'number' || !SUPPORTED_JOB_SPEC_VERSIONS.includes(version)) {
    return {
      ok: false,
      errors: [
        `${file}: specVersion ${JSON.stringify(version) ?? 'missing'} is not supported by this runner ` +
          `(supports ${SUPPORTED_JOB_SPEC_VERSIONS.join(', ')}); run a runner image as new as the worker`,
      ],
    };
  }
  const parsed = jobSpecSchema.safeParse(json.value);
  if (parsed.success) return { ok: true, spec: parsed.data };
  return {
    ok: false,
    errors: issuesFromZod(parsed.error, file).map(formatIssue),
  };
}

/** A side after the workflow resolved its ref to a commit. */
export type ResolvedSide = Omit<SideSpec, 'ref'> & { ref: string; sha: string };

export interface JobSpecInput {
  repo: RepoConfig;
  sides: Record<SideName, ResolvedSide>;
  benchmarks: readonly string[];
  reason: RunReason;
  pullRequest?: number;
  platform: string;
  seed: number;
  scheme?: RoundOrderScheme;
  pinCpus?: readonly number[] | null;
}

export type BuildJobSpec = { ok: true; spec: JobSpec } | { ok: false; error: string };

/** The spec for one platform of one request, from the repository's config; pure. */
export function buildJobSpec(input: JobSpecInput): BuildJobSpec {
  const { repo } = input;
  const unknown = input.benchmarks.filter((name) => !repo.benchmarks.some((b) => b.name === name));
  if (unknown.length > 0) {
    return {
      ok: false,
      error: `${repo.name} has no benchmark ${unknown.join(', ')}; it defines: ${repo.benchmarks.map((b) => b.name).join(', ')}`,
    };
  }
  if (!repo.platforms.includes(input.platform)) {
    return {
      ok: false,
      error: `${repo.name} does not run on ${input.platform}; its platforms are ${repo.platforms.join(', ')}`,
    };
  }
  const benchmarks = input.benchmarks.map((name) => {
    const b = repo.benchmarks.find(
      (candidate) => candidate.name === name,
    ) as RepoConfig['benchmarks'][number];
    return {
      name: b.name,
      command: b.command,
      workdir: b.workdir,
      output: b.output,
      iterations: b.iterations,
      warmups: b.warmups,
      timeoutSeconds: b.timeoutMinutes * 60,
      env: b.env,
      ...(b.maxRounds === null || b.maxRounds <= b.iterations
        ? {}
        : { adaptive: { maxRounds: b.maxRounds, extraSeconds: b.extraRoundsMinutes * 60 } }),
      ...(b.profile === null ? {} : { profile: b.profile }),
    };
  });
  const side = (s: ResolvedSide): JobSide => ({ ref: s.ref, sha: s.sha, env: { ...s.env } });
  const candidate = {
    specVersion: JOB_SPEC_VERSION,
    repository: repo.name,
    url: repo.url,
    reason: input.reason,
    ...(input.pullRequest === undefined ? {} : { pullRequest: input.pullRequest }),
    platform: input.platform,
    sides: { baseline: side(input.sides.baseline), changed: side(input.sides.changed) },
    build: {
      command: repo.build.command,
      workdir: repo.build.workdir,
      timeoutSeconds: repo.build.timeoutMinutes * 60,
      env: repo.build.env,
    },
    benchmarks,
    order: { scheme: input.scheme ?? 'balanced-random', seed: input.seed >>> 0 },
    pinCpus: input.pinCpus === undefined || input.pinCpus === null ? null : [...input.pinCpus],
  };
  // The config was validated already; this catches what only the sides can get wrong (a short SHA).
  const parsed = jobSpecSchema.safeParse(candidate);
  if (!parsed.success) {
    const issues = issuesFromZod(parsed.error, 'job spec').map((i) => `${i.place}: ${i.message}`);
    return { ok: false, error: `cannot build the job spec: ${issues.join('; ')}` };
  }
  return { ok: true, spec: parsed.data };
}

// FNV-1a then murmur3's finaliser: a pure, well-mixed 32-bit hash, so the order needs no state.
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const AB: readonly [SideName, SideName] = ['baseline', 'changed'];
const BA: readonly [SideName, SideName] = ['changed', 'baseline'];

/**
 * Which side runs first in a round. Both schemes go in blocks of two rounds holding one AB and one
 * BA, so each side runs first equally often and a linear drift hits both alike. `abba` always
 * starts a block with AB; `balanced-random` flips each block by a hash of seed, benchmark and
 * block, so a drift with the period of a round cannot line up with one side.
 */
export function sidesInRound(
  order: RoundOrder,
  benchmark: string,
  round: number,
): readonly [SideName, SideName] {
  const block = Math.floor(round / 2);
  const flipped =
    order.scheme === 'balanced-random' && (hash32(`${order.seed}:${benchmark}:${block}`) & 1) === 1;
  const firstOfBlock = round % 2 === 0;
  return firstOfBlock !== flipped ? AB : BA;
}
