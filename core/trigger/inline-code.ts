const MAX_SHOWN = 64;

/**
 * Renders user-supplied text as a markdown code span for error replies: code spans keep
 * `@mentions`, HTML and links inert, and truncation keeps a hostile comment from being echoed back.
 */
export function inlineCode(text: string): string {
  const chars = Array.from(text);
  const shown = chars.length > MAX_SHOWN ? `${chars.slice(0, MAX_SHOWN).join('')}…` : text;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we replace
  const visible = shown.replace(/[\u0000-\u001f\u007f]/g, '\uFFFD');
  const longestTickRun = Math.max(0, ...(visible.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestTickRun + 1);
  const pad = longestTickRun > 0 || visible === '' ? ' ' : '';
  return `${fence}${pad}${visible}${pad}${fence}`;
}

export function inlineCodeList(items: readonly string[]): string {
  return items.map(inlineCode).join(', ');
}
