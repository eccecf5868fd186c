import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstNonEmptyLine, matchCommand } from '../../core/trigger/command.js';
import { gitRefProblem } from '../../core/trigger/git-ref.js';
import { inlineCode } from '../../core/trigger/inline-code.js';
import {
  isReservedEnvName,
  isTriggerLine,
  MAX_ENV_VALUE_BYTES,
  MAX_ENV_VARS,
  parseTrigger,
  type TriggerContext,
  type TriggerErrorCode,
  type TriggerResult,
} from '../../core/trigger.js';
import {
  ALLOWLIST,
  CONTEXT,
  comment,
  EMPTY_CONTEXT,
  expectedRequest,
  hugeBody,
  MAX_COMMENT_BYTES,
  nastyLine,
  renderComment,
  renderStyle,
  requestSpec,
  SEED,
  triggerLine,
  validRef,
} from './arbitraries.js';

const CODES: readonly TriggerErrorCode[] = [
  'comment-too-large',
  'unexpected-arguments',
  'missing-benchmark-names',
  'no-benchmarks-configured',
  'unknown-benchmark',
  'duplicate-benchmark',
  'unexpected-body',
  'unclosed-fence',
  'text-after-fence',
  'malformed-yaml',
  'yaml-alias',
  'body-not-mapping',
  'unknown-key',
  'invalid-option',
  'invalid-env-name',
  'reserved-env-name',
  'invalid-env-value',
  'too-many-env-vars',
  'invalid-ref',
];

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what env values may not hold
const ENV_VALUE_FORBIDDEN = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const context = fc.oneof(
  { arbitrary: fc.constant(CONTEXT), weight: 9 },
  { arbitrary: fc.constant(EMPTY_CONTEXT), weight: 1 },
);

function lineCount(text: string): number {
  return text.split(/\r\n|\r|\n/).length;
}

function checkEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) {
    expect(name).toMatch(ENV_NAME);
    expect(isReservedEnvName(name)).toBe(false);
    expect(value).not.toMatch(ENV_VALUE_FORBIDDEN);
    expect(Buffer.byteLength(value)).toBeLessThanOrEqual(MAX_ENV_VALUE_BYTES);
  }
}

/** The invariants every parse result keeps, whatever the comment. */
function checkResult(text: string, ctx: TriggerContext, result: TriggerResult): void {
  expect(isTriggerLine(text)).toBe(result.trigger);
  if (!result.trigger) {
    expect(result).toEqual({ trigger: false });
    return;
  }
  if ('request' in result) {
    const { request } = result;
    expect(['run', 'queue', 'cancel']).toContain(request.kind);
    if (request.kind !== 'run') return;
    for (const name of request.benchmarks) expect(ctx.allowedBenchmarks).toContain(name);
    expect(new Set(request.benchmarks).size).toBe(request.benchmarks.length);
    checkEnv(request.sharedEnv);
    const names = new Set<string>(Object.keys(request.sharedEnv));
    for (const side of [request.baseline, request.changed]) {
      checkEnv(side.env);
      for (const name of Object.keys(side.env)) names.add(name);
      for (const name of Object.keys(request.sharedEnv)) expect(side.env).toHaveProperty(name);
      if (side.ref !== null) expect(gitRefProblem(side.ref)).toBeUndefined();
    }
    expect(names.size).toBeLessThanOrEqual(MAX_ENV_VARS);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  const lines = lineCount(text);
  for (const error of result.errors) {
    expect(CODES).toContain(error.code);
    expect(error.message.trim()).not.toBe('');
    if (error.line !== undefined) {
      expect(Number.isInteger(error.line) && error.line >= 1 && error.line <= lines).toBe(true);
    }
    if (error.column !== undefined) expect(Number.isInteger(error.column) && error.column >= 1).toBe(true);
  }
  checkUnknownNamesAreNamed(text, ctx, result.errors);
}

/** An `unknown-benchmark` error quotes every name on the trigger line that is not in the allowlist. */
function checkUnknownNamesAreNamed(
  text: string,
  ctx: TriggerContext,
  errors: readonly { code: TriggerErrorCode; message: string }[],
): void {
  const command = matchCommand(firstNonEmptyLine(text)?.text ?? '');
  if (command?.kind !== 'run-named' || ctx.allowedBenchmarks.length === 0) return;
  if (errors.some((e) => e.code === 'comment-too-large')) return;
  const allowed = ctx.allowedBenchmarks.map((name) => name.toLowerCase());
  const unknown = command.args.filter((arg) => !allowed.includes(arg.toLowerCase()));
  const error = errors.find((e) => e.code === 'unknown-benchmark');
  if (unknown.length === 0) {
    expect(error).toBeUndefined();
    return;
  }
  expect(error).toBeDefined();
  for (const name of unknown) expect(error?.message).toContain(inlineCode(name));
}

function quoted(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `> ${line}`)
    .join('\n');
}

describe('parseTrigger on 10,000 generated comments', () => {
  it('never throws and returns a request, "not a trigger" or located, named errors', () => {
    fc.assert(
      fc.property(comment, context, (text, ctx) => {
        checkResult(text, ctx, parseTrigger(text, ctx));
      }),
      { numRuns: 10_000, seed: SEED },
    );
  });
});

describe('metamorphic properties of parseTrigger', () => {
  it('a markdown quote of any comment is not a trigger', () => {
    fc.assert(
      fc.property(comment, (text) => {
        expect(parseTrigger(quoted(text), CONTEXT)).toEqual({ trigger: false });
        expect(isTriggerLine(quoted(text))).toBe(false);
      }),
      { numRuns: 1_000, seed: SEED },
    );
  });

  const notTriggerLine = fc
    .oneof(
      nastyLine,
      triggerLine.map((line) => `please ${line}`),
      triggerLine.map((line) => `    ${line}`),
      triggerLine.map((line) => `> ${line}`),
      fc.constantFrom('run benchmarksfoo', 'run-benchmark tpch', '`run benchmark tpch`', 'cancel benchmarks'),
    )
    .filter((line) => line.trim() !== '' && !isTriggerLine(line));

  it('a non-empty non-trigger line before any comment makes it not a trigger', () => {
    fc.assert(
      fc.property(notTriggerLine, comment, fc.constantFrom('\n', '\r\n', '\r'), (line, text, eol) => {
        expect(parseTrigger(`${line}${eol}${text}`, CONTEXT)).toEqual({ trigger: false });
      }),
      { numRuns: 1_000, seed: SEED },
    );
  });

  it('a valid request written as a comment parses back to the same request', () => {
    fc.assert(
      fc.property(requestSpec, renderStyle, (spec, style) => {
        const text = renderComment(spec, style);
        expect(parseTrigger(text, CONTEXT), text).toEqual({ trigger: true, request: expectedRequest(spec) });
      }),
      { numRuns: 2_000, seed: SEED },
    );
  });

  it('accepts every ref git accepts', () => {
    fc.assert(
      fc.property(validRef, (ref) => {
        expect(gitRefProblem(ref)).toBeUndefined();
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it('refuses a trigger comment over 64 KiB with one error, and only then', () => {
    const trigger = triggerLine.filter((line) => isTriggerLine(line));
    fc.assert(
      fc.property(trigger, hugeBody, (line, body) => {
        const text = `${line}\n${body}`;
        const result = parseTrigger(text, CONTEXT);
        const tooLarge = Buffer.byteLength(text) > MAX_COMMENT_BYTES;
        const errors = 'errors' in result ? result.errors : [];
        if (tooLarge) {
          expect(errors.map((e) => e.code)).toEqual(['comment-too-large']);
          expect(errors[0]?.message).toContain(String(MAX_COMMENT_BYTES));
        } else {
          expect(errors.map((e) => e.code)).not.toContain('comment-too-large');
        }
      }),
      { numRuns: 60, seed: SEED },
    );
  });
});

describe('error messages name what is wrong', () => {
  const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/);

  it('names every unknown benchmark', () => {
    const unknown = fc.oneof(word, nastyLine).filter((name) => {
      const trimmed = name.trim();
      return (
        trimmed !== '' &&
        !/\s/.test(trimmed) &&
        !ALLOWLIST.some((allowed) => allowed.toLowerCase() === trimmed.toLowerCase())
      );
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(
          unknown.map((s) => s.trim()),
          { minLength: 1, maxLength: 5 },
        ),
        (names) => {
          const result = parseTrigger(`run benchmark tpch ${names.join(' ')}`, CONTEXT);
          const error =
            'errors' in result ? result.errors.find((e) => e.code === 'unknown-benchmark') : undefined;
          for (const name of names) expect(error?.message).toContain(inlineCode(name));
        },
      ),
      { numRuns: 500, seed: SEED },
    );
  });

  it('names unknown option keys, bad env names and bad refs', () => {
    const badEnvName = fc.oneof(
      word,
      fc.stringMatching(/^[0-9][A-Z0-9_]{0,5}$/),
      fc.constantFrom('A-B', 'A.B', 'É'),
    );
    const badRef = fc.constantFrom('a b', 'HEAD~1', 'x^', 'a..b', 'a:b', '-x', 'x.lock', 'x/', 'a@{1}', 'x*');
    const option = fc.oneof(
      word
        .filter((key) => !['env', 'baseline', 'changed'].includes(key))
        .map((key) => ({ body: `${key}: x`, name: key, code: 'unknown-key' as const })),
      word
        .filter((key) => !['env', 'ref'].includes(key))
        .map((key) => ({ body: `baseline:\n  ${key}: x`, name: key, code: 'unknown-key' as const })),
      badEnvName.map((name) => ({
        body: `env:\n  ${JSON.stringify(name)}: x`,
        name,
        code: 'invalid-env-name' as const,
      })),
      badRef.map((ref) => ({
        body: `changed: {ref: ${JSON.stringify(ref)}}`,
        name: ref,
        code: 'invalid-ref' as const,
      })),
    );
    fc.assert(
      fc.property(option, ({ body, name, code }) => {
        const result = parseTrigger(`run benchmark tpch\n${body}`, CONTEXT);
        const error = 'errors' in result ? result.errors.find((e) => e.code === code) : undefined;
        expect(error?.message, body).toContain(inlineCode(name));
        expect(error?.line).toBe(2 + body.split('\n').length - 1);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});
