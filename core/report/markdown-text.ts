/**
 * Inline code, so names from a benchmark tool's output cannot format the comment, open HTML or
 * @-mention anyone; in a table cell `|` must still be escaped.
 */
export function codeSpan(text: string, inTable: boolean): string {
  let flat = text.replace(/\s+/g, ' ').trim();
  if (inTable) flat = flat.replaceAll('|', '\\|');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
