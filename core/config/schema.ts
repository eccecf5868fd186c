import { z } from 'zod';
import { OUTPUT_FORMATS, WALL_CLOCK_FORMAT } from '../results/output-formats.js';
import { SANDBOX_KINDS } from '../sandbox.js';
import { type ConfigProblem, checkConfig } from './checks.js';
import { deriveConfig } from './derive.js';
import { parseDurationSeconds } from './duration.js';
import { NAME_PATTERN, nameSchema, platformEntrySchema, quoted, tolerationSchema } from './platforms.js';
import { profileSchema } from './profile.js';

export { NAME_PATTERN, nameSchema };

// The config file format, validated with zod. Every object is strict so a typo (or a pasted secret
// such as `token:`) is an error instead of being silently ignored. Every field has a default, so
// `version: 1` plus one repository is a complete file.

export const SUPPORTED_CONFIG_VERSIONS: readonly number[] = [1];

export const REPO_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+$/;
const ENV_VAR_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const QUANTITY_PATTERN = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const DNS_LABEL_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_PORT_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):[0-9]{1,5}$/;
const HTTP_URL_PATTERN = /^https?:\/\/[^\s/]+(\/\S*)?$/;
const GITHUB_LOGIN_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\[bot\])?$/;
// Five cron fields (minute hour day-of-month month day-of-week), or a macro such as @daily.
const CRON_PATTERN = /^(@[a-z]+|(\S+\s+){4}\S+)$/;

export { NAME_PLACEHOLDER } from './derive.js';

/** GitHub's `author_association` values. */
export const AUTHOR_ASSOCIATIONS = [
  'OWNER',
  'MEMBER',
  'COLLABORATOR',
  'CONTRIBUTOR',
  'FIRST_TIME_CONTRIBUTOR',
  'FIRST_TIMER',
  'MANNEQUIN',
  'NONE',
] as const;

export const REPO_PERMISSIONS = ['read', 'triage', 'write', 'maintain', 'admin'] as const;
export const SCHEDULE_OVERLAP_POLICIES = [
  'skip',
  'buffer_one',
  'buffer_all',
  'cancel_other',
  'allow_all',
] as const;

export const repoNameSchema = z.string().regex(REPO_NAME_PATTERN, {
  error: (iss) =>
    `${quoted(iss.input)} is not a repository name: write it as owner/name, e.g. apache/datafusion`,
});

export const envVarNameSchema = z.string().regex(ENV_VAR_PATTERN, {
  error: (iss) =>
    `${quoted(iss.input)} is not an environment variable name: use letters, digits and "_", not starting with a digit`,
});

export const quantitySchema = z
  .union([z.string(), z.number().nonnegative()])
  .transform((value) => String(value))
  .pipe(
    z.string().regex(QUANTITY_PATTERN, {
      error: (iss) => `${quoted(iss.input)} is not a Kubernetes quantity such as "30", "500m" or "60Gi"`,
    }),
  );

export const kubernetesNamespaceSchema = z.string().regex(DNS_LABEL_PATTERN, {
  error: (iss) =>
    `${quoted(iss.input)} is not a Kubernetes namespace: use lower-case letters, digits and "-" (at most 63)`,
});

export const hostPortSchema = z.string().regex(HOST_PORT_PATTERN, {
  error: (iss) => `${quoted(iss.input)} is not host:port, e.g. temporal.example.com:7233`,
});

const httpUrlSchema = z
  .string()
  .regex(HTTP_URL_PATTERN, {
    error: (iss) => `${quoted(iss.input)} is not an http(s) URL, e.g. https://example.com`,
  })
  .transform((url) => url.replace(/\/+$/, ''));

const durationSchema = z.string().refine((text) => parseDurationSeconds(text) !== null, {
  error: (iss) =>
    `${quoted(iss.input)} is not a duration: write a number and a unit, e.g. 15m, 6h, 1d or 1h30m`,
});

const cronSchema = z.string().regex(CRON_PATTERN, {
  error: (iss) =>
    `${quoted(iss.input)} is not a cron expression: give five fields (minute hour day month weekday), e.g. "0 */6 * * *"`,
});

const nonEmptyString = z.string().min(1, { error: 'must not be empty' });
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();
// 0 asks the embedded server to pick a free port (tests run several side by side).
const portSchema = z.number().int().min(0).max(65535);
const relativeDirSchema = nonEmptyString;
// YAML reads `CARGO_INCREMENTAL: 0` as a number; environment values are strings, so accept scalars.
const envMapSchema = z.record(
  envVarNameSchema,
  z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value)),
);

const temporalTlsSchema = z.strictObject({
  serverName: nonEmptyString.optional(),
  serverRootCACertPath: nonEmptyString.optional(),
  clientCertPath: nonEmptyString.optional(),
  clientKeyPath: nonEmptyString.optional(),
});

const temporalSchema = z.strictObject({
  address: hostPortSchema.nullable().default(null),
  namespace: nonEmptyString.default('default'),
  taskQueue: nonEmptyString.default('benchbot'),
  port: portSchema.default(7233),
  uiPort: portSchema.default(8233),
  uiUrl: httpUrlSchema.nullable().default(null),
  tls: temporalTlsSchema.nullable().default(null),
  apiKeyEnv: envVarNameSchema.default('TEMPORAL_API_KEY'),
});

const githubSchema = z.strictObject({
  apiUrl: httpUrlSchema.default('https://api.github.com'),
  webUrl: httpUrlSchema.default('https://github.com'),
  tokenEnv: envVarNameSchema.default('GITHUB_TOKEN'),
  // Authenticate as a GitHub App installation instead of with a token; the key is read from the
  // environment variable named here, never from this file.
  app: z
    .strictObject({
      appId: positiveInt,
      installationId: positiveInt,
      privateKeyEnv: envVarNameSchema.default('GITHUB_APP_PRIVATE_KEY'),
    })
    .nullable()
    .default(null),
  botLogin: z
    .string()
    .regex(GITHUB_LOGIN_PATTERN, { error: (iss) => `${quoted(iss.input)} is not a GitHub login` })
    .nullable()
    .default(null),
  // `issue_comment` webhooks: served by `npm start` when this variable holds the shared secret.
  webhookSecretEnv: envVarNameSchema.default('GITHUB_WEBHOOK_SECRET'),
  webhookPort: portSchema.default(8787),
  // Least time between the starts of two writes (POST/PATCH/PUT/DELETE) of one worker process;
  // writes that notify people (a new comment or issue) wait three times as long. GitHub.com asks
  // for at least 1 s and allows about 80 content-creating requests a minute and 500 an hour; 0
  // (unpaced) only where an Enterprise Server admin has turned the secondary rate limits off.
  writeIntervalMs: nonNegativeInt.default(1000),
});

const kubernetesSchema = z.strictObject({
  namespace: kubernetesNamespaceSchema.default('benchmarking'),
  runnerImage: nonEmptyString.nullable().default(null),
  serviceAccountName: nonEmptyString.nullable().default(null),
  cpu: quantitySchema.default('30'),
  memory: quantitySchema.default('60Gi'),
  ephemeralStorage: quantitySchema.default('200Gi'),
  nodeSelector: z.record(nonEmptyString, z.string()).default(() => ({})),
  tolerations: z.array(tolerationSchema).default(() => []),
  computeClass: nonEmptyString.nullable().default(null),
  spot: z.boolean().default(true),
  activeDeadlineSeconds: positiveInt.default(21600),
  ttlSecondsAfterFinished: nonNegativeInt.default(3600),
  // How long a runner pod may wait for a node or its image before the job fails with the reason.
  pendingGraceSeconds: positiveInt.default(600),
});

const absolutePathSchema = nonEmptyString.refine((path) => path.startsWith('/'), {
  error: (iss) =>
    `${quoted(iss.input)} is not an absolute path: write it from the root, e.g. /opt/toolchains`,
});

// How code from a pull request is boxed in on this machine (see core/sandbox.ts and README's Security).
const localExecutorSchema = z.strictObject({
  workDir: nonEmptyString.nullable().default(null),
  // `none` runs jobs as the worker's own processes: pull-request runs are then marked unsandboxed.
  sandbox: z.enum(SANDBOX_KINDS).default('bubblewrap'),
  // Builds fetch crates and modules; false gives jobs no network at all.
  network: z.boolean().default(true),
  // Toolchains outside /usr (e.g. ~/.rustup, ~/.cargo/bin), mounted read-only into every job.
  readOnlyPaths: z.array(absolutePathSchema).default(() => []),
  // Worker variables jobs may see besides PATH, locale and TZ (e.g. RUSTUP_HOME); never secrets.
  passEnv: z.array(envVarNameSchema).default(() => []),
  limits: z
    .strictObject({
      // Processes and threads of one job together.
      processes: positiveInt.default(4096),
      // Per process (RLIMIT_DATA); null: 80% of the machine's memory.
      memoryMiB: positiveInt.nullable().default(null),
      // The whole job, both builds and every round; past it the job fails and is not retried.
      wallMinutes: positiveInt.default(360),
    })
    .prefault({}),
});

const executorSchema = z.strictObject({
  kind: z.enum(['local', 'kubernetes']).default('local'),
  slots: positiveInt.default(1),
  // The platforms whose jobs this worker runs (null: every platform the repositories name).
  platforms: z.array(nameSchema).min(1).nullable().default(null),
  local: localExecutorSchema.prefault({}),
  kubernetes: kubernetesSchema.prefault({}),
});

// SQLite (a file, the embedded default) or PostgreSQL (shared by every worker of a deployment); the
// PostgreSQL URL holds a password, so only the name of the variable that carries it is configured.
const resultsSchema = z
  .strictObject({
    store: z.enum(['sqlite', 'postgres']).default('sqlite'),
    path: nonEmptyString.nullable().default(null),
    urlEnv: envVarNameSchema.default('BENCHBOT_DATABASE_URL'),
  })
  .superRefine((results, ctx) => {
    if (results.store === 'postgres' && results.path !== null) {
      ctx.addIssue({
        code: 'custom',
        path: ['path'],
        message:
          'results.path is the SQLite file; with store: postgres the database URL comes from the variable results.urlEnv names. Remove path',
      });
    }
  });

const triggerSchema = z.strictObject({
  associations: z
    .array(z.enum(AUTHOR_ASSOCIATIONS))
    .default((): (typeof AUTHOR_ASSOCIATIONS)[number][] => ['OWNER', 'MEMBER', 'COLLABORATOR']),
  users: z
    .array(
      z
        .string()
        .regex(GITHUB_LOGIN_PATTERN, { error: (iss) => `${quoted(iss.input)} is not a GitHub login` }),
    )
    .default(() => []),
  minPermission: z.enum(REPO_PERMISSIONS).nullable().default(null),
  maxQueuedPerRequester: positiveInt.default(3),
  /**
   * New commits on a pull request: `supersede` ends its requests that have not started (they would
   * measure an outdated head); `keep` runs them as asked. A running job always finishes.
   */
  onPush: z.enum(['supersede', 'keep']).default('supersede'),
});

const buildSchema = z.strictObject({
  command: nonEmptyString.nullable().default(null),
  workdir: relativeDirSchema.default('.'),
  timeoutMinutes: positiveInt.default(60),
  env: envMapSchema.default(() => ({})),
});

const benchmarkOutputDefaultsSchema = z.strictObject({
  path: nonEmptyString.default('benchbot-results.json'),
  format: z.enum(OUTPUT_FORMATS).default('benchbot'),
});

const benchmarkDefaultsSchema = z.strictObject({
  command: nonEmptyString.nullable().default(null),
  workdir: relativeDirSchema.default('.'),
  output: benchmarkOutputDefaultsSchema.prefault({}),
  iterations: positiveInt.default(10),
  // Adaptive rounds: a benchmark still undecided after `iterations` rounds runs more, up to
  // maxRounds in all and extraRoundsMinutes of extra rounds; null: exactly `iterations` rounds.
  maxRounds: positiveInt.nullable().default(null),
  extraRoundsMinutes: positiveInt.default(30),
  warmups: nonNegativeInt.default(1),
  timeoutMinutes: positiveInt.default(30),
  runByDefault: z.boolean().default(true),
  env: envMapSchema.default(() => ({})),
});

const benchmarkSchema = z.strictObject({
  name: nameSchema,
  description: z.string().default(''),
  command: nonEmptyString.optional(),
  workdir: relativeDirSchema.optional(),
  output: z
    .strictObject({ path: nonEmptyString.optional(), format: z.enum(OUTPUT_FORMATS).optional() })
    .refine((output) => output.format !== WALL_CLOCK_FORMAT || output.path === undefined, {
      error: `${WALL_CLOCK_FORMAT} output is timed by the runner and has no file; remove path`,
      path: ['path'],
    })
    .optional(),
  iterations: positiveInt.optional(),
  maxRounds: positiveInt.nullable().optional(),
  extraRoundsMinutes: positiveInt.optional(),
  warmups: nonNegativeInt.optional(),
  timeoutMinutes: positiveInt.optional(),
  runByDefault: z.boolean().optional(),
  env: envMapSchema.optional(),
  profile: profileSchema.optional(),
});

const scheduleSchema = z.strictObject({
  name: nameSchema.nullable().default(null),
  branch: nonEmptyString.nullable().default(null),
  every: durationSchema.nullable().default(null),
  cron: cronSchema.nullable().default(null),
  benchmarks: z.array(nameSchema).nullable().default(null),
  catchupWindow: durationSchema.default('1d'),
  overlap: z.enum(SCHEDULE_OVERLAP_POLICIES).default('skip'),
  paused: z.boolean().default(false),
  // Trunk tracking: which commits a run may measure, the time window each run samples (null: the
  // interval, or a day for cron), and the platforms to run on (null: all of the repository's).
  strategy: z.enum(['latest', 'merge-commits', 'marked']).default('latest'),
  window: durationSchema.nullable().default(null),
  platforms: z.array(nameSchema).min(1).nullable().default(null),
  // Results reaching people: the run's summary as a comment on the benchmarked commit, and one
  // issue when this many intervals pass without a successful run (null: no such alert).
  commitComment: z.boolean().default(false),
  missingRunsAfter: positiveInt.nullable().default(3),
});

const repoSchema = z.strictObject({
  name: repoNameSchema,
  watch: z.boolean().default(true),
  url: nonEmptyString.nullable().default(null),
  defaultBranch: nonEmptyString.default('main'),
  trigger: triggerSchema.prefault({}),
  build: buildSchema.prefault({}),
  benchmarkDefaults: benchmarkDefaultsSchema.prefault({}),
  benchmarks: z.array(benchmarkSchema).default(() => []),
  platforms: z
    .array(platformEntrySchema)
    .min(1, { error: 'list at least one platform, e.g. [x86-64-linux]' })
    .default(() => ['x86-64-linux']),
  schedules: z.array(scheduleSchema).default(() => []),
});

/** The file as written, with zod defaults filled in but nothing derived yet. */
export const configFileSchema = z.strictObject({
  // parseConfig refuses other versions with its own message before this schema runs.
  version: z.literal(1),
  dataDir: nonEmptyString.default('data'),
  temporal: temporalSchema.prefault({}),
  github: githubSchema.prefault({}),
  poll: z.strictObject({ intervalSeconds: positiveInt.default(30) }).prefault({}),
  executor: executorSchema.prefault({}),
  results: resultsSchema.prefault({}),
  telemetry: z
    .strictObject({
      // Prometheus metrics: the Temporal worker runtime's and benchbot's own; null turns them off.
      metricsAddress: hostPortSchema.nullable().default('127.0.0.1:9464'),
      // How often requests by state and the queue's depth are read from Temporal for those metrics.
      requestMetricsIntervalSeconds: positiveInt.default(15),
      // /healthz and /readyz for a Deployment's probes; null turns them off.
      healthAddress: hostPortSchema.nullable().default('127.0.0.1:9465'),
    })
    .prefault({}),
  // The dashboard `npm start` and `benchbot dashboard` serve; localhost only unless host says otherwise.
  dashboard: z
    .strictObject({ host: nonEmptyString.default('127.0.0.1'), port: portSchema.default(8234) })
    .prefault({}),
  repos: z.array(repoSchema).default(() => []),
});

export type ConfigFile = z.output<typeof configFileSchema>;

function reportProblems(problems: ConfigProblem[], input: unknown, ctx: z.core.$RefinementCtx): void {
  for (const problem of problems) {
    ctx.issues.push({ code: 'custom', input, path: [...problem.path], message: problem.message });
  }
}

/** The full schema: file shape, cross-field checks, derived defaults. */
export const configSchema = configFileSchema.transform((file, ctx) => {
  const problems = checkConfig(file);
  if (problems.length > 0) {
    reportProblems(problems, file, ctx);
    return z.NEVER;
  }
  return deriveConfig(file);
});

/** The fully defaulted configuration every other part of benchbot reads. */
export type BenchbotConfig = z.output<typeof configSchema>;
export type RepoConfig = BenchbotConfig['repos'][number];
export type BenchmarkConfig = RepoConfig['benchmarks'][number];
export type ScheduleConfig = RepoConfig['schedules'][number];
