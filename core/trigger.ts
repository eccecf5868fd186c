import { closestMatch } from './suggest.js';
import { type Command, firstNonEmptyLine, matchCommand } from './trigger/command.js';
import { inlineCode, inlineCodeList } from './trigger/inline-code.js';
import { parseRunOptions } from './trigger/options.js';
import type { TriggerContext, TriggerError, TriggerRequest, TriggerResult } from './trigger/types.js';

export {
  isReservedEnvName,
  MAX_ENV_VALUE_BYTES,
  MAX_ENV_VARS,
  RESERVED_ENV_NAMES,
  RESERVED_ENV_PREFIXES,
} from './trigger/env.js';
export { formatTriggerErrors } from './trigger/format.js';
export type {
  SideSpec,
  TriggerContext,
  TriggerError,
  TriggerErrorCode,
  TriggerRequest,
  TriggerResult,
} from './trigger/types.js';

export const MAX_COMMENT_BYTES = 64 * 1024;

/**
 * Cheap pre-filter for pollers: true iff the first non-empty line starts with a trigger phrase,
 * even one that will then fail validation.
 */
export function isTriggerLine(comment: string): boolean {
  const first = firstNonEmptyLine(comment);
  return first !== undefined && matchCommand(first.text) !== undefined;
}

/**
 * Parses a PR comment. Only the first non-empty line can be a trigger; the rest of the comment is
 * the optional YAML options of a `run` command. Never throws: problems come back as `errors`.
 */
export function parseTrigger(comment: string, ctx: TriggerContext): TriggerResult {
  const first = firstNonEmptyLine(comment);
  const command = first && matchCommand(first.text);
  if (!first || !command) return { trigger: false };
  const tooLarge = sizeError(comment);
  if (tooLarge) return { trigger: true, errors: [tooLarge] };

  const body = comment.slice(first.end).replace(/\r\n?/g, '\n');
  const bodyLine = first.number + 1;
  let errors: TriggerError[];
  let request: TriggerRequest;
  if (command.kind === 'queue' || command.kind === 'cancel') {
    errors = noArgumentsErrors(command, body, first.number);
    request = { kind: command.kind };
  } else {
    const selected = selectBenchmarks(command, ctx, first.number);
    const { options, errors: optionErrors } = parseRunOptions(body, bodyLine);
    errors = [...selected.errors, ...optionErrors];
    const all = command.kind === 'run-all' && command.args.length === 0;
    request = { kind: 'run', benchmarks: selected.benchmarks, all, ...options };
  }
  if (errors.length === 0) return { trigger: true, request };
  // In comment order, so the reply reads top to bottom alongside the comment.
  errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { trigger: true, errors };
}

function sizeError(comment: string): TriggerError | undefined {
  // UTF-16 length never exceeds the UTF-8 size, so the encoding is only needed below the limit.
  const bytes = comment.length > MAX_COMMENT_BYTES ? undefined : new TextEncoder().encode(comment).length;
  if (bytes !== undefined && bytes <= MAX_COMMENT_BYTES) return undefined;
  const size = bytes === undefined ? 'more than 64 KiB' : `${bytes} bytes`;
  return {
    code: 'comment-too-large',
    message: `this comment is ${size}, over benchbot's limit of ${MAX_COMMENT_BYTES} bytes for a trigger comment: shorten the options and post other text in a separate comment`,
  };
}

function noArgumentsErrors(command: Command, body: string, line: number): TriggerError[] {
  const errors: TriggerError[] = [];
  const phrase = inlineCode(command.phrase);
  if (command.args.length > 0) {
    errors.push({
      code: 'unexpected-arguments',
      message: `${phrase} takes nothing after it, but got ${inlineCodeList(command.args)}: write just ${phrase}`,
      line,
    });
  }
  const extra = body.split('\n').findIndex((text) => text.trim() !== '');
  if (extra !== -1) {
    errors.push({
      code: 'unexpected-body',
      message: `${phrase} takes no options, but the comment continues after it: post just ${phrase}, and other remarks in a separate comment`,
      line: line + 1 + extra,
    });
  }
  return errors;
}

function selectBenchmarks(
  command: Command,
  ctx: TriggerContext,
  line: number,
): { benchmarks: string[]; errors: TriggerError[] } {
  const allowed = ctx.allowedBenchmarks;
  if (allowed.length === 0) {
    const message =
      "this repository has no benchmarks configured, so there is nothing to run: add them to the repository's `benchbot.yaml`";
    return { benchmarks: [], errors: [{ code: 'no-benchmarks-configured', message, line }] };
  }
  // `run benchmarks tpch clickbench_1` names benchmarks too: the original controller accepts the
  // plural with names and its users type it.
  if (command.kind === 'run-all' && command.args.length === 0) {
    return { benchmarks: [...ctx.defaultBenchmarks], errors: [] };
  }
  if (command.args.length === 0) {
    const message = `\`run benchmark\` needs the names of the benchmarks to run, one or more of ${inlineCodeList(allowed)}, e.g. \`run benchmark ${allowed[0]}\`; to run all of them write \`run benchmarks\``;
    return { benchmarks: [], errors: [{ code: 'missing-benchmark-names', message, line }] };
  }
  return resolveNames(command.args, allowed, line);
}

/** Names match the allowlist case-insensitively and come back in its spelling. */
function resolveNames(
  names: readonly string[],
  allowed: readonly string[],
  line: number,
): { benchmarks: string[]; errors: TriggerError[] } {
  const benchmarks: string[] = [];
  const unknown: string[] = [];
  const duplicates: string[] = [];
  for (const name of names) {
    const known =
      allowed.find((a) => a === name) ?? allowed.find((a) => a.toLowerCase() === name.toLowerCase());
    if (known === undefined) {
      if (!unknown.includes(name)) unknown.push(name);
    } else if (!benchmarks.includes(known)) {
      benchmarks.push(known);
    } else if (!duplicates.includes(known)) {
      duplicates.push(known);
    }
  }
  const errors: TriggerError[] = [];
  if (unknown.length > 0) {
    const described = unknown.map((name) => {
      const guess = closestMatch(name, allowed);
      return guess === null ? inlineCode(name) : `${inlineCode(name)} (did you mean ${inlineCode(guess)}?)`;
    });
    const noun = unknown.length === 1 ? 'benchmark' : 'benchmarks';
    errors.push({
      code: 'unknown-benchmark',
      message: `unknown ${noun} ${described.join(', ')}: use names from this repository's list: ${inlineCodeList(allowed)}`,
      line,
    });
  }
  if (duplicates.length > 0) {
    errors.push({
      code: 'duplicate-benchmark',
      message: `${inlineCodeList(duplicates)} ${duplicates.length === 1 ? 'is' : 'are'} named more than once: list each benchmark once`,
      line,
    });
  }
  return { benchmarks, errors };
}
