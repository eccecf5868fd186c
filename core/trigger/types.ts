export interface TriggerContext {
  /** The repository's benchmark allowlist, in config order. */
  readonly allowedBenchmarks: readonly string[];
  /** What `run benchmarks` runs: the allowlist less benchmarks marked not to run by default. */
  readonly defaultBenchmarks: readonly string[];
}

/** One side of an A/B run. `ref: null` means the default (baseline: PR merge base, changed: PR head). */
export interface SideSpec {
  ref: string | null;
  /** Shared env merged with this side's env; the side wins on conflicts. */
  env: Record<string, string>;
}

export type TriggerRequest =
  | {
      kind: 'run';
      benchmarks: string[];
      all: boolean;
      sharedEnv: Record<string, string>;
      baseline: SideSpec;
      changed: SideSpec;
    }
  | { kind: 'queue' }
  | { kind: 'cancel' };

export type TriggerErrorCode =
  | 'comment-too-large'
  | 'unexpected-arguments'
  | 'missing-benchmark-names'
  | 'no-benchmarks-configured'
  | 'unknown-benchmark'
  | 'duplicate-benchmark'
  | 'unexpected-body'
  | 'unclosed-fence'
  | 'text-after-fence'
  | 'malformed-yaml'
  | 'yaml-alias'
  | 'body-not-mapping'
  | 'unknown-key'
  | 'invalid-option'
  | 'invalid-env-name'
  | 'reserved-env-name'
  | 'invalid-env-value'
  | 'too-many-env-vars'
  | 'invalid-ref';

/**
 * `message` is markdown (user text inside code spans) naming the problem and the fix.
 * `line`/`column` are 1-based positions in the comment, when the problem has one.
 */
export interface TriggerError {
  code: TriggerErrorCode;
  message: string;
  line?: number;
  column?: number;
}

export type TriggerResult =
  | { trigger: false }
  | { trigger: true; request: TriggerRequest }
  | { trigger: true; errors: TriggerError[] };
