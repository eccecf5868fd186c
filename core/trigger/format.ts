import { inlineCodeList } from './inline-code.js';
import type { TriggerContext, TriggerError } from './types.js';

const MAX_LISTED = 10;

function located(error: TriggerError): string {
  if (error.line === undefined) return error.message;
  const column = error.column === undefined ? '' : `, column ${error.column}`;
  return `line ${error.line}${column}: ${error.message}`;
}

/**
 * The markdown reply to a trigger comment that failed validation. Its first line is never a
 * trigger itself, so the poller does not react to its own reply.
 */
export function formatTriggerErrors(errors: readonly TriggerError[], ctx: TriggerContext): string {
  const listed = errors.slice(0, MAX_LISTED).map((error) => `- ${located(error)}`);
  if (errors.length > MAX_LISTED) listed.push(`- …and ${errors.length - MAX_LISTED} more`);
  const allowed =
    ctx.allowedBenchmarks.length > 0
      ? `Allowed benchmarks: ${inlineCodeList(ctx.allowedBenchmarks)}.`
      : 'This repository has no benchmarks configured yet: add them to its `benchbot.yaml`.';
  const example = ctx.allowedBenchmarks[0] ?? 'NAME';
  return [
    '**benchbot could not act on this comment:**',
    '',
    ...listed,
    '',
    allowed,
    '',
    'A valid request looks like this (every line after the first is optional):',
    '',
    '```yaml',
    `run benchmark ${example}`,
    'env:',
    '  RUST_LOG: debug',
    'baseline:',
    '  ref: main',
    'changed:',
    '  env:',
    '    RUST_LOG: info',
    '```',
    '',
    'Other commands: `run benchmarks` (all of them), `show benchmark queue`, `cancel benchmark`.',
  ].join('\n');
}
