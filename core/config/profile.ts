import { z } from 'zod';

/**
 * `benchmarks[].profile`: a CPU profile taken on each side in one extra, untimed run after the
 * measured rounds (runner/capture-profiles.ts); `path` is where the command leaves it, relative to
 * the benchmark's workdir.
 */
export const profileSchema = z.strictObject({
  command: z.string().min(1, { error: 'must not be empty' }),
  path: z
    .string()
    .min(1, { error: 'must not be empty' })
    .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), {
      error: 'must be a relative path inside the benchmark\'s workdir, without ".."',
    }),
  format: z.literal('pprof', { error: 'the only profile format is pprof' }).default('pprof'),
});
