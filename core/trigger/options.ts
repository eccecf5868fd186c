import { type ErrorCode, isMap, isNode, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { closestMatch } from '../suggest.js';
import { yamlTooDeepAt } from '../yaml-depth.js';
import { envNameProblem, envValueProblem, MAX_ENV_VARS } from './env.js';
import { gitRefProblem } from './git-ref.js';
import { inlineCode, inlineCodeList } from './inline-code.js';
import type { SideSpec, TriggerError, TriggerErrorCode } from './types.js';

export interface RunOptions {
  sharedEnv: Record<string, string>;
  baseline: SideSpec;
  changed: SideSpec;
}

type Side = 'baseline' | 'changed';

const TOP_LEVEL_KEYS = ['env', 'baseline', 'changed'] as const;
const SIDE_KEYS = ['ref', 'env'] as const;
const SIDE_DEFAULT: Record<Side, string> = { baseline: "the PR's merge base", changed: 'the PR head' };
const MAX_DEPTH = 16;

const YAML_FIX =
  'check the indentation there (spaces, the same amount for keys of one mapping) and quote values containing `: ` or ` #`';
const YAML_FIXES: Partial<Record<ErrorCode, string>> = {
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  DUPLICATE_KEY: 'keep only one of the repeated keys',
  MULTIPLE_DOCS: 'remove the `---` line; the options are a single YAML document',
};

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})[^`]*$/;

/** Positions in the YAML text, reported as line/column of the whole comment. */
class Reporter {
  readonly errors: TriggerError[] = [];
  readonly lineCounter = new LineCounter();
  constructor(private readonly firstLine: number) {}

  at(offset: number): { line: number; column: number } {
    const { line, col } = this.lineCounter.linePos(offset);
    return { line: this.firstLine + line - 1, column: col };
  }

  report(code: TriggerErrorCode, message: string, node?: unknown): void {
    const offset = isNode(node) ? node.range?.[0] : undefined;
    this.errors.push({ code, message, ...(offset === undefined ? {} : this.at(offset)) });
  }
}

/**
 * Reads the YAML options that may follow `run benchmark(s)`. `body` is the comment after the
 * trigger line (with `\n` line ends), `firstLine` the comment line number where it starts.
 */
export function parseRunOptions(
  body: string,
  firstLine: number,
): { options: RunOptions; errors: TriggerError[] } {
  const options: RunOptions = {
    sharedEnv: {},
    baseline: { ref: null, env: {} },
    changed: { ref: null, env: {} },
  };
  const located = locateYaml(body, firstLine);
  if ('error' in located) return { options, errors: [located.error] };
  const reporter = new Reporter(located.firstLine);
  if (located.trailing) reporter.errors.push(located.trailing);
  readYaml(located.yaml, reporter, options);
  return { options, errors: reporter.errors };
}

/** People often wrap the options in a ``` fence; accept that, and a bare body too. */
function locateYaml(
  body: string,
  firstLine: number,
): { yaml: string; firstLine: number; trailing?: TriggerError } | { error: TriggerError } {
  const lines = body.split('\n');
  const start = lines.findIndex((line) => line.trim() !== '');
  const fence = start === -1 ? null : FENCE_OPEN.exec(lines[start] ?? '');
  if (!fence?.[1]) return { yaml: body, firstLine };
  const marker = fence[1];
  const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
  const end = lines.findIndex((line, i) => i > start && closing.test(line));
  if (end === -1) {
    return {
      error: {
        code: 'unclosed-fence',
        message: `the ${inlineCode(marker)} fence around the options is never closed: add a closing ${inlineCode(marker)} line after them`,
        line: firstLine + start,
      },
    };
  }
  const yaml = { yaml: lines.slice(start + 1, end).join('\n'), firstLine: firstLine + start + 1 };
  const after = lines.findIndex((line, i) => i > end && line.trim() !== '');
  if (after === -1) return yaml;
  const trailing: TriggerError = {
    code: 'text-after-fence',
    message: `there is text after the closing ${inlineCode(marker)} of the options: remove it, or post remarks in a separate comment`,
    line: firstLine + after,
  };
  return { ...yaml, trailing };
}

function readYaml(yaml: string, reporter: Reporter, options: RunOptions): void {
  const tooDeep = yamlTooDeepAt(yaml, MAX_DEPTH, reporter.lineCounter.addNewLine);
  if (tooDeep !== undefined) {
    reporter.errors.push({
      code: 'malformed-yaml',
      message: `the options nest more than ${MAX_DEPTH} levels deep: they need at most three (\`baseline:\` → \`env:\` → \`NAME: value\`)`,
      ...reporter.at(tooDeep),
    });
    return;
  }
  // The failsafe schema keeps every scalar as the text the user wrote: `1.0`, `0x10` and `yes`
  // reach the environment verbatim instead of being re-rendered as numbers or booleans.
  const doc = parseDocument(yaml, {
    schema: 'failsafe',
    prettyErrors: false,
  });
  for (const error of doc.errors) {
    reporter.errors.push({
      code: 'malformed-yaml',
      message: `the options are not valid YAML (${error.message}): ${YAML_FIXES[error.code] ?? YAML_FIX}`,
      ...reporter.at(error.pos[0]),
    });
  }
  if (doc.errors.length > 0) return;
  let aliases = false;
  visit(doc, {
    Alias(_, node) {
      aliases = true;
      reporter.report(
        'yaml-alias',
        'YAML aliases (`*name`) are not supported in benchbot options: write the value out in full',
        node,
      );
    },
  });
  if (aliases || isEmpty(doc.contents)) return;
  if (!isMap(doc.contents)) {
    reporter.report(
      'body-not-mapping',
      'the lines after the trigger must be YAML options (`env:`, `baseline:`, `changed:`), not other text: move remarks to a separate comment',
      doc.contents,
    );
    return;
  }
  for (const pair of doc.contents.items) {
    const key = keyOf(pair.key, TOP_LEVEL_KEYS, 'at the top level', reporter);
    if (key === 'env') options.sharedEnv = readEnv(pair.value, 'env', reporter);
    else if (key !== undefined) options[key] = readSide(pair.value, key, reporter);
  }
  mergeEnv(options, reporter);
}

/** Per-side env overrides shared env; the limit applies to every name the options set. */
function mergeEnv(options: RunOptions, reporter: Reporter): void {
  const names = new Set([
    ...Object.keys(options.sharedEnv),
    ...Object.keys(options.baseline.env),
    ...Object.keys(options.changed.env),
  ]);
  if (names.size > MAX_ENV_VARS) {
    reporter.report(
      'too-many-env-vars',
      `the options set ${names.size} environment variables: at most ${MAX_ENV_VARS} are allowed, remove some`,
    );
  }
  for (const side of ['baseline', 'changed'] as const) {
    options[side].env = { ...options.sharedEnv, ...options[side].env };
  }
}

/** A key with nothing after it (`env:`) parses as an empty plain scalar. */
function isEmpty(value: unknown): boolean {
  return value == null || (isScalar(value) && value.type === 'PLAIN' && value.value === '');
}

function scalarText(value: unknown): string | undefined {
  return isScalar(value) && typeof value.value === 'string' ? value.value : undefined;
}

function keyOf<K extends string>(
  key: unknown,
  allowed: readonly K[],
  where: string,
  reporter: Reporter,
): K | undefined {
  const name = scalarText(key);
  const known = allowed.find((k) => k === name);
  if (known !== undefined) return known;
  const shown = name === undefined ? 'a non-text key' : `unknown option ${inlineCode(name)}`;
  const guess = name === undefined ? null : closestMatch(name, allowed);
  const hint = guess === null ? '' : ` (did you mean ${inlineCode(guess)}?)`;
  reporter.report(
    'unknown-key',
    `${shown} ${where}${hint}: the allowed keys are ${inlineCodeList(allowed)}`,
    key,
  );
  return undefined;
}

function readEnv(value: unknown, label: string, reporter: Reporter): Record<string, string> {
  const env: Record<string, string> = {};
  if (isEmpty(value)) return env;
  if (!isMap(value)) {
    reporter.report(
      'invalid-option',
      `${inlineCode(label)} must be a mapping of \`NAME: value\` lines, e.g. \`env: {RUST_LOG: debug}\``,
      value,
    );
    return env;
  }
  for (const pair of value.items) {
    const name = scalarText(pair.key);
    if (name === undefined) {
      reporter.report(
        'invalid-env-name',
        `${inlineCode(label)} has a non-text key: use \`NAME: value\` lines`,
        pair.key,
      );
      continue;
    }
    const nameProblem = envNameProblem(name);
    if (nameProblem) {
      reporter.report(nameProblem.code, nameProblem.message, pair.key);
      continue;
    }
    const read = envValue(name, pair.value);
    if ('problem' in read) {
      reporter.report('invalid-env-value', read.problem, pair.key);
      continue;
    }
    env[name] = read.text;
  }
  return env;
}

function envValue(name: string, value: unknown): { text: string } | { problem: string } {
  if (isEmpty(value)) {
    return {
      problem: `environment variable ${inlineCode(name)} has no value: write \`${name}: ''\` for an empty value, or remove it`,
    };
  }
  const text = scalarText(value);
  if (text === undefined) {
    return {
      problem: `environment variable ${inlineCode(name)} must be a single string, number or boolean, not a list or mapping: quote it if you meant text`,
    };
  }
  const problem = envValueProblem(name, text);
  return problem === undefined ? { text } : { problem };
}

function readSide(value: unknown, side: Side, reporter: Reporter): SideSpec {
  const spec: SideSpec = { ref: null, env: {} };
  if (isEmpty(value)) return spec;
  if (!isMap(value)) {
    const example = inlineCode(`${side}: {ref: ${scalarText(value) ?? 'main'}}`);
    reporter.report(
      'invalid-option',
      `${inlineCode(side)} must be a mapping with \`ref\` and/or \`env\`, e.g. ${example}`,
      value,
    );
    return spec;
  }
  for (const pair of value.items) {
    const key = keyOf(pair.key, SIDE_KEYS, `under ${inlineCode(side)}`, reporter);
    if (key === 'env') spec.env = readEnv(pair.value, `${side}.env`, reporter);
    else if (key === 'ref') spec.ref = readRef(pair.value, side, reporter);
  }
  return spec;
}

function readRef(value: unknown, side: Side, reporter: Reporter): string | null {
  const fix = `use a branch, tag or commit SHA (7-40 hex digits), or remove \`ref:\` to use the default (${SIDE_DEFAULT[side]})`;
  const ref = isEmpty(value) ? '' : scalarText(value);
  const problem = ref === undefined ? 'it is not a single value' : gitRefProblem(ref);
  if (problem === undefined) return ref ?? null;
  const shown = ref ? ` ${inlineCode(ref)}` : '';
  reporter.report(
    'invalid-ref',
    `${inlineCode(side)} ref${shown} is not a valid git ref: ${problem}; ${fix}`,
    value,
  );
  return null;
}
