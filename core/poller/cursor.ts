/**
 * GitHub timestamps have whole-second precision, so a comment written in the same second as the
 * newest one already read would be skipped by `since = cursor`. Each listing therefore starts a
 * little before the cursor and the comments already handled in that overlap are remembered.
 */
export const CURSOR_OVERLAP_MS = 1000;

export interface Cursor {
  /** Epoch ms of the newest `updated_at` handled. */
  atMs: number;
  /**
   * `id@updatedAtMs` of the comments handled inside the overlap window, so a comment seen again
   * is not acted on twice, while the same comment edited later (a new updated_at) is.
   */
  seen: string[];
}

export interface Timestamped {
  id: number;
  updatedAtMs: number;
}

export function sinceParam(cursor: Cursor): string {
  return new Date(cursor.atMs - CURSOR_OVERLAP_MS).toISOString();
}

function key(comment: Timestamped): string {
  return `${comment.id}@${comment.updatedAtMs}`;
}

/**
 * Splits a listing into the comments not handled before and the cursor after handling them. The
 * listing may overlap the previous one and may contain one comment twice (edited while the pages
 * were read); both are harmless.
 */
export function advanceCursor<T extends Timestamped>(
  cursor: Cursor,
  listed: readonly T[],
): { fresh: T[]; next: Cursor } {
  const known = new Set(cursor.seen);
  const fresh: T[] = [];
  for (const comment of listed) {
    const k = key(comment);
    if (known.has(k)) continue;
    known.add(k);
    fresh.push(comment);
  }
  const atMs = listed.reduce((max, c) => Math.max(max, c.updatedAtMs), cursor.atMs);
  const windowStart = atMs - CURSOR_OVERLAP_MS;
  const inWindow = (k: string) => Number(k.slice(k.indexOf('@') + 1)) >= windowStart;
  return { fresh, next: { atMs, seen: [...known].filter(inWindow).sort() } };
}
