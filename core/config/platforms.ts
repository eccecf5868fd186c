import { z } from 'zod';

// Platforms: where a repository's jobs run. A platform is named in `repos[].platforms`, either as a
// plain name (placed as executor.kubernetes says, e.g. x86-64-linux) or with its own placement and
// image (e.g. aarch64-linux on arm64 nodes). Each platform gets its own jobs task queue, so its
// runner slots are its own and a worker serves only the platforms it lists in executor.platforms.

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function quoted(input: unknown): string {
  return JSON.stringify(input) ?? String(input);
}

export const nameSchema = z.string().regex(NAME_PATTERN, {
  error: (iss) =>
    `${quoted(iss.input)} is not a valid name: start with a letter or digit and use only letters, digits, "_", "." and "-"`,
});

export const tolerationSchema = z.strictObject({
  key: z.string().min(1, { error: 'must not be empty' }).optional(),
  operator: z.enum(['Equal', 'Exists']).default('Equal'),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().nonnegative().optional(),
});

const placedPlatformSchema = z.strictObject({
  name: nameSchema,
  // Added to executor.kubernetes.nodeSelector and tolerations for this platform's Jobs.
  nodeSelector: z.record(z.string().min(1), z.string()).default(() => ({})),
  tolerations: z.array(tolerationSchema).default(() => []),
  // Instead of executor.kubernetes.runnerImage (e.g. an arm64 build of the runner image).
  runnerImage: z.string().min(1).nullable().default(null),
  // Instead of executor.slots: how many of this platform's jobs run at once.
  slots: z.number().int().positive().nullable().default(null),
});

export const platformEntrySchema = z.union([nameSchema, placedPlatformSchema], {
  error:
    'give a platform name (e.g. x86-64-linux) or { name, nodeSelector, tolerations, runnerImage, slots }',
});

export type PlatformEntry = z.output<typeof platformEntrySchema>;
export type Platform = z.output<typeof placedPlatformSchema>;

export function platformOf(entry: PlatformEntry): Platform {
  return typeof entry === 'string'
    ? { name: entry, nodeSelector: {}, tolerations: [], runnerImage: null, slots: null }
    : entry;
}

export const platformName = (entry: PlatformEntry): string =>
  typeof entry === 'string' ? entry : entry.name;

/**
 * Every platform the repositories name, by name. A platform given with placement in one
 * repository and by name alone in another is the placed one (checkConfig refuses two different
 * placements of one name).
 */
export function platformsOf(repos: { platforms: PlatformEntry[] }[]): Record<string, Platform> {
  const all: Record<string, Platform> = {};
  for (const entry of repos.flatMap((r) => r.platforms)) {
    const name = platformName(entry);
    if (all[name] === undefined || typeof entry !== 'string') all[name] = platformOf(entry);
  }
  return all;
}

/** The platforms a worker serves: executor.platforms, or every platform the repositories name. */
export function servedPlatforms(config: {
  platforms: Record<string, Platform>;
  executor: { platforms: string[] | null };
}): Platform[] {
  return (config.executor.platforms ?? Object.keys(config.platforms)).map(
    (name) => config.platforms[name] ?? platformOf(name),
  );
}
