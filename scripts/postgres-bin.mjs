// Finds PostgreSQL's server programs. Shared by `npm run setup` (plain Node, so JavaScript) and the
// test harness in test/support/postgres.ts, so both agree on which PostgreSQL the tests run.
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';
const PROGRAMS = ['initdb', 'pg_ctl', 'postgres'];

const hasPrograms = (dir) => PROGRAMS.every((name) => existsSync(join(dir, name)));

/**
 * The directory holding initdb, pg_ctl and postgres, or null. Debian keeps them in
 * /usr/lib/postgresql/<major>/bin and puts only client wrappers on PATH, so that comes first (the
 * newest major, as several can be installed side by side); PATH covers other systems.
 * @param {{ debianRoot?: string, path?: string }} [where]
 * @returns {string | null}
 */
export function findPostgresBin(where = {}) {
  const debianRoot = where.debianRoot ?? DEBIAN_POSTGRES_ROOT;
  const majors = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const dir = join(debianRoot, major, 'bin');
    if (hasPrograms(dir)) return dir;
  }
  for (const dir of (where.path ?? process.env.PATH ?? '').split(delimiter)) {
    if (dir && hasPrograms(dir)) return dir;
  }
  return null;
}
