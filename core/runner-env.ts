// The runner's environment, and through it every build and benchmark command's, is built from an
// allowlist: code from a pull request sees what it needs to find its tools and nothing else of the
// worker's (no token, no database URL, whatever its variable is called). What the repository's
// config and the trigger's `env:` set reaches the commands through the job spec, not from here.

const PASSED = new Set(['PATH', 'LANG', 'LANGUAGE', 'TZ', 'TERM']);
const LOCALE = /^LC_[A-Z]+$/;

/**
 * The worker's variables that may reach the runner: PATH, locale and time zone, and the names the
 * config's `executor.local.passEnv` adds; then `set` (HOME, caches, the runner's protocol variables).
 */
export function runnerEnv(
  host: Readonly<Record<string, string | undefined>>,
  passEnv: readonly string[],
  set: Readonly<Record<string, string>>,
): Record<string, string> {
  const extra = new Set(passEnv);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(host)) {
    if (value !== undefined && (PASSED.has(name) || LOCALE.test(name) || extra.has(name))) env[name] = value;
  }
  return { ...env, ...set };
}
