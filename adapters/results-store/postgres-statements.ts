import { createHash } from 'node:crypto';
import type pg from 'pg';

const statementNames = new Map<string, string>();

/**
 * Runs a statement prepared once per connection, named by its text: PostgreSQL parses and plans it
 * once per connection instead of on every call, as SQLite's cached statements are.
 */
export function prepared<R extends pg.QueryResultRow>(
  db: pg.PoolClient,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `benchbot_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return db.query<R>({ name, text, values });
}

// The runs columns a RunRow holds (the report, read only on its own, is left out).
export const RUN_COLUMNS = `r.id, r.run_key, r.repository, r.branch, r.pull_request, r.reason, r.commit_from, r.commit_to,
  r.commit_count, r.recorded_at, r.requester, r.summary`;
export const SERIES_MATCH = `s.repository = $1 AND coalesce(s.branch, '') = coalesce($2::text, '') AND s.platform = $3`;

/**
 * The runs of `branch` (parameter $2): `r.branch IS NOT DISTINCT FROM $2` says it for both a branch
 * and none in one statement, but no index serves it, and reads then walked every run of the repository.
 */
export function branchIs(branch: string | null): string {
  return branch === null ? '$2::text IS NULL AND r.branch IS NULL' : 'r.branch = $2';
}
