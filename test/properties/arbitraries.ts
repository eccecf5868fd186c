import fc from 'fast-check';
import type { TriggerContext, TriggerRequest } from '../../core/trigger.js';

/**
 * Every property runs with this seed unless FC_SEED says otherwise, so a failure in CI reproduces
 * locally (fast-check prints the seed and the shrunk counterexample either way).
 */
export const SEED = Number(process.env.FC_SEED ?? 1_717_171_717);

// ---------------------------------------------------------------------------------------------
// Text that breaks naive parsers.

const astral = fc.integer({ min: 0x1_0000, max: 0x10_ffff }).map((cp) => String.fromCodePoint(cp));
const combining = fc
  .array(fc.integer({ min: 0x300, max: 0x36f }), { minLength: 1, maxLength: 12 })
  .map((cps) => `e${String.fromCharCode(...cps)}`);
const rtl = fc.constantFrom('\u200f', '\u202e', '\u2067', '\u061c', 'עברית', 'العربية', '\u202eknil');
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
// Characters that mean something to markdown, YAML or line splitting.
const special = fc.constantFrom(
  '\0',
  '\t',
  '\r\n',
  '\r',
  '\n',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u00a0',
  '\ufeff',
  '\u200b',
  '\u3000',
  '\u007f',
  ' ',
  '`',
  '```',
  '~~~',
  '> ',
  '#',
  ': ',
  '- ',
  '? ',
  '&a ',
  '*a',
  '!!str ',
  '!!binary ',
  '%YAML 1.2\n',
  '---\n',
  '...\n',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '|',
  '>-',
  '\\',
  '@',
  '<<: ',
  'run benchmark ',
  'env:',
  'baseline:',
  'changed:',
  'ref:',
);

export const nastyText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { arbitrary: fc.string({ maxLength: 10 }), weight: 4 },
      { arbitrary: fc.string({ unit: 'binary', maxLength: 6 }), weight: 2 },
      { arbitrary: special, weight: 4 },
      { arbitrary: astral, weight: 1 },
      { arbitrary: combining, weight: 1 },
      { arbitrary: rtl, weight: 1 },
      { arbitrary: loneSurrogate, weight: 1 },
      { arbitrary: control, weight: 1 },
    ),
    { maxLength: 24 },
  )
  .map((parts) => parts.join(''));

/** One line of nasty text: no `\r` or `\n` (other Unicode separators stay). */
export const nastyLine: fc.Arbitrary<string> = nastyText.map((text) => text.replace(/[\r\n]/g, ' '));

// ---------------------------------------------------------------------------------------------
// YAML that attacks the parser: bombs, deep nesting, anchors, tags, tabs.

/** Billion laughs: each level aliases the previous one `width` times. */
export const billionLaughs: fc.Arbitrary<string> = fc
  .record({
    levels: fc.integer({ min: 1, max: 12 }),
    width: fc.integer({ min: 2, max: 10 }),
    flow: fc.boolean(),
    under: fc.constantFrom('', 'env', 'baseline', 'changed'),
  })
  .map(({ levels, width, flow, under }) => {
    const lines = [`l0: &l0 [${Array(width).fill('"lol"').join(', ')}]`];
    for (let i = 1; i < levels; i++) {
      const refs = Array(width).fill(`*l${i - 1}`);
      lines.push(
        flow
          ? `l${i}: &l${i} [${refs.join(', ')}]`
          : `l${i}: &l${i}\n${refs.map((r) => `  - ${r}`).join('\n')}`,
      );
    }
    const last = `*l${levels - 1}`;
    if (under === 'env') lines.push(`env: { BOMB: ${last} }`);
    else if (under !== '') lines.push(`${under}:\n  ref: ${last}\n  env:\n    BOMB: ${last}`);
    return lines.join('\n');
  });

export const deepNesting: fc.Arbitrary<string> = fc
  .record({
    depth: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 40, max: 5_000 })),
    kind: fc.constantFrom('[', '{', '- ', '{a: ', '[{', 'block-map', 'block-seq', '? ', 'mixed'),
    closed: fc.boolean(),
  })
  .map(({ depth, kind, closed }) => {
    switch (kind) {
      case '[':
        return `env: ${'['.repeat(depth)}${closed ? ']'.repeat(depth) : ''}`;
      case '{':
        return `${'{'.repeat(depth)}${closed ? '}'.repeat(depth) : ''}`;
      case '[{':
        return `${'[{'.repeat(depth)}${closed ? '}]'.repeat(depth) : ''}`;
      case '{a: ':
        return `env: ${'{a: '.repeat(depth)}x${closed ? '}'.repeat(depth) : ''}`;
      case '- ':
        return `${'- '.repeat(depth)}x`;
      case '? ':
        return `${'? '.repeat(depth)}x`;
      case 'block-map':
        return Array.from({ length: Math.min(depth, 400) }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
      case 'block-seq':
        return Array.from({ length: Math.min(depth, 400) }, (_, i) => `${'  '.repeat(i)}-`).join('\n');
      default:
        return `changed:\n  env: ${'[{a: - '.repeat(depth)}`;
    }
  });

export const ANCHORS_AND_TAGS: readonly string[] = [
  'env: &shared\n  RUST_LOG: debug\nbaseline:\n  env: *shared',
  'base: &b {RUST_LOG: debug}\nenv:\n  <<: *b',
  'env:\n  <<: {A: b}',
  'baseline: &x\n  ref: main\nchanged: *x',
  'env: {A: *undefined}',
  'env: &x [*x]',
  'baseline: &x {ref: main, env: *x}',
  'version: 1\nrepos: &x [{name: a/b, benchmarks: *x}]',
  'env: {A: &a x, B: *a}',
  'env: !!map {A: b}',
  'env: !!binary aGVsbG8=',
  'env: {A: !!int 1}',
  'env: {A: !foo bar}',
  'env: {A: !!python/object:os.system ls}',
  'env: {? [a, b] : c}',
  'env: {[A]: b}',
  'env:\n\tA: b',
  'env:\n  A:\tb',
  '\tenv: {}',
  'env: {A: b, A: c}',
  'baseline: {ref: main}\nbaseline: {ref: dev}',
  '---\nenv: {}\n---\nenv: {}',
  '%YAML 1.1\n---\nenv: {}',
  '%TAG ! tag:example.com,2000:\n---\nenv: !x {}',
  'env: |\n  A: b',
  'env: >\n  A: b',
  'env: {A: "unterminated}',
  "env: {A: 'unterminated}",
  'env: {A: "\\x00\\u0000\\U0010FFFF"}',
  'env: {A: "\\ud800"}',
  '&a env: {}',
  '*a',
  '? env\n: {A: b}',
  'env: {A: "a\\nb"}',
  'env: {"A\\u0000": b}',
];
export const anchorsAndTags: fc.Arbitrary<string> = fc.constantFrom(...ANCHORS_AND_TAGS);

/** A YAML-looking body: indented `key: value` and `- item` lines with random keys, values and indents. */
export const yamlish: fc.Arbitrary<string> = fc
  .array(
    fc.record({
      indent: fc.constantFrom('', '', ' ', '  ', '    ', '\t', '  \t'),
      key: fc.oneof(
        fc.constantFrom(
          'env',
          'baseline',
          'changed',
          'ref',
          'RUST_LOG',
          'PATH',
          'GIT_DIR',
          'BENCHBOT_X',
          'a',
          '',
        ),
        fc.string({ maxLength: 8 }),
        nastyLine,
      ),
      form: fc.constantFrom(
        'key: value',
        'key:',
        '- value',
        '- key: value',
        'value',
        'key: [value]',
        'key: {k: value}',
      ),
      value: fc.oneof(
        fc.constantFrom(
          'main',
          'debug',
          '1',
          '1.0',
          'true',
          'null',
          '~',
          '',
          '""',
          "''",
          '-x',
          'a b',
          'HEAD~1',
        ),
        nastyLine,
      ),
    }),
    { minLength: 1, maxLength: 10 },
  )
  .map((lines) =>
    lines
      .map(({ indent, key, form, value }) => indent + form.replace('key', key).replace('value', value))
      .join('\n'),
  );

/** An existing body inside a ``` or ~~~ fence, maybe unclosed, maybe with text after it. */
export function fenced(body: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .record({
      body,
      open: fc.constantFrom('```', '```yaml', '~~~', '````yml', '   ```', '    ```', '```not`fence'),
      close: fc.constantFrom('```', '~~~', '````', '', '``', '``` '),
      after: fc.oneof({ arbitrary: fc.constant(''), weight: 4 }, { arbitrary: nastyLine, weight: 1 }),
    })
    .map(({ body, open, close, after }) => [open, body, close, after].join('\n'));
}

// ---------------------------------------------------------------------------------------------
// Trigger comments.

export const ALLOWLIST = [
  'tpch',
  'tpch10',
  'tpch_mem',
  'clickbench_1',
  'sort',
  'sort_pushdown',
  'sql-planner',
  'v1.2',
] as const;
export const CONTEXT: TriggerContext = {
  allowedBenchmarks: ALLOWLIST,
  defaultBenchmarks: ALLOWLIST.slice(0, 5),
};
export const EMPTY_CONTEXT: TriggerContext = { allowedBenchmarks: [], defaultBenchmarks: [] };

export const MAX_COMMENT_BYTES = 64 * 1024;

function randomCase(text: string, flips: readonly boolean[]): string {
  return Array.from(text, (c, i) => (flips[i % Math.max(1, flips.length)] ? c.toUpperCase() : c)).join('');
}

const phrase = fc
  .tuple(
    fc.oneof(
      {
        arbitrary: fc.constantFrom(
          'run benchmarks',
          'run benchmark',
          'show benchmark queue',
          'cancel benchmark',
        ),
        weight: 6,
      },
      {
        arbitrary: fc.constantFrom(
          'run  benchmark',
          'run\tbenchmarks',
          'run benchmarksfoo',
          'run benchmark:',
          'cancel benchmarks',
          'show benchmarks queue',
          'run',
          'benchmark',
          'runbenchmark',
          'run\u00a0benchmark',
          'run\u3000benchmark',
        ),
        weight: 1,
      },
    ),
    fc.array(fc.boolean(), { maxLength: 4 }),
  )
  .map(([text, flips]) => randomCase(text, flips));

const benchmarkArg = fc.oneof(
  { arbitrary: fc.constantFrom(...ALLOWLIST), weight: 4 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...ALLOWLIST), fc.array(fc.boolean(), { maxLength: 3 }))
      .map(([n, f]) => randomCase(n, f)),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom('tcph', 'tpch_', 'sorts', 'everything', '`tpch`', '@alice', '<b>x</b>'),
    weight: 1,
  },
  { arbitrary: nastyLine.filter((s) => s.trim() !== ''), weight: 1 },
);

export const triggerLine: fc.Arbitrary<string> = fc
  .record({
    indent: fc.constantFrom('', '', '', ' ', '   ', '    ', '\t', ' \t', '\u00a0', '\ufeff'),
    phrase,
    args: fc.array(benchmarkArg, { maxLength: 6 }),
    separator: fc.constantFrom(' ', ' ', '  ', '\t', ' \u00a0'),
    trailing: fc.constantFrom('', '', ' ', '\t', ' \u200b'),
  })
  .map(
    ({ indent, phrase, args, separator, trailing }) =>
      [indent + phrase, ...args].join(separator).replace(/[\r\n]/g, ' ') + trailing,
  );

/** Roughly `bytes` UTF-8 bytes of filler made of `chunk`, cut at a code point boundary. */
function filler(chunk: string, bytes: number): string {
  const chunkBytes = Math.max(1, Buffer.byteLength(chunk));
  return chunk.repeat(Math.ceil(bytes / chunkBytes));
}

/** Bodies sized around the 64 KiB limit, in ASCII and multi-byte text. */
export const hugeBody: fc.Arbitrary<string> = fc
  .record({
    size: fc.oneof(
      fc.constantFrom(
        MAX_COMMENT_BYTES - 64,
        MAX_COMMENT_BYTES - 1,
        MAX_COMMENT_BYTES,
        MAX_COMMENT_BYTES + 1,
        2 * MAX_COMMENT_BYTES,
        5 * MAX_COMMENT_BYTES,
      ),
      fc.integer({ min: MAX_COMMENT_BYTES - 4_096, max: MAX_COMMENT_BYTES + 4_096 }),
    ),
    chunk: fc.constantFrom('x', 'A: b\n', '  - x\n', 'é', '😀', '\0', '[', '- ', 'ab\r\n', '\ud800'),
  })
  .map(({ size, chunk }) => filler(chunk, size));

// A body near 64 KiB takes up to a second to parse (yaml checks duplicate keys pairwise), so huge
// bodies are rare here and have their own property below the limit and above it.
const body: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 20 },
  { arbitrary: nastyText, weight: 30 },
  { arbitrary: yamlish, weight: 30 },
  { arbitrary: billionLaughs, weight: 10 },
  { arbitrary: deepNesting, weight: 10 },
  { arbitrary: anchorsAndTags, weight: 20 },
  { arbitrary: fenced(fc.oneof(yamlish, anchorsAndTags, billionLaughs, nastyText)), weight: 20 },
  { arbitrary: hugeBody, weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Valid requests and how a person would write them.

const ENV_NAME_RESERVED = /^(PATH|HOME|GITHUB_TOKEN|GH_TOKEN)$|^(BENCHBOT_|GIT_)/;
export const envName: fc.Arbitrary<string> = fc
  .stringMatching(/^[A-Z_][A-Z0-9_]{0,12}$/)
  .filter((name) => !ENV_NAME_RESERVED.test(name));

// Values may hold tabs and any non-control character, up to 4096 UTF-8 bytes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const NOT_IN_VALUES = /[\u0000-\u0008\u000a-\u001f\u007f]/g;
export const envValue: fc.Arbitrary<string> = fc
  .oneof(
    {
      arbitrary: fc.constantFrom(
        '',
        ' ',
        'debug',
        'true',
        'null',
        '~',
        '1.0',
        '0x10',
        '-1',
        'a: b',
        'x #y',
        '*a',
        '&a',
        '!x',
        "'",
        '"',
        '\t',
      ),
      weight: 2,
    },
    { arbitrary: fc.string({ maxLength: 30 }), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
    { arbitrary: nastyText, weight: 2 },
    { arbitrary: fc.constantFrom('x'.repeat(4096), 'é'.repeat(2048), '😀'.repeat(1024)), weight: 1 },
  )
  .map((value) => value.replace(NOT_IN_VALUES, ''));

const envMap = fc.dictionary(envName, envValue, { maxKeys: 5, noNullPrototype: true });

const refComponent = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.#+-]{0,15}$/),
    fc.constantFrom(
      'main',
      'v1.0',
      'release-2024',
      'feature',
      'é',
      '日本',
      'HEAD',
      'x.lockx',
      'null',
      'true',
    ),
  )
  .filter((c) => !c.endsWith('.') && !c.endsWith('.lock') && !c.includes('..'));

/** Refs that `git check-ref-format --allow-onelevel` accepts (and that do not start with `-`). */
export const validRef: fc.Arbitrary<string> = fc.oneof(
  fc.array(refComponent, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')),
  fc.stringMatching(/^[0-9a-f]{7,40}$/),
);

export interface RequestSpec {
  all: boolean;
  /** As written on the trigger line (any case); the parser answers in the allowlist's spelling. */
  written: string[];
  benchmarks: string[];
  env: Record<string, string> | null;
  baseline: { ref: string | null; env: Record<string, string> | null } | null;
  changed: { ref: string | null; env: Record<string, string> | null } | null;
}

const sideSpec = fc.option(
  fc.record({ ref: fc.option(validRef, { nil: null }), env: fc.option(envMap, { nil: null }) }),
  { nil: null },
);

export const requestSpec: fc.Arbitrary<RequestSpec> = fc
  .record({
    all: fc.boolean(),
    chosen: fc.shuffledSubarray([...ALLOWLIST], { minLength: 1 }),
    flips: fc.array(fc.boolean(), { maxLength: 5 }),
    env: fc.option(envMap, { nil: null }),
    baseline: sideSpec,
    changed: sideSpec,
  })
  .map(({ all, chosen, flips, env, baseline, changed }) => ({
    all,
    written: all ? [] : chosen.map((name) => randomCase(name, flips)),
    benchmarks: all ? [...CONTEXT.defaultBenchmarks] : chosen,
    env,
    baseline,
    changed,
  }));

/** What parseTrigger should make of the rendered spec. */
export function expectedRequest(spec: RequestSpec): TriggerRequest {
  const shared = spec.env ?? {};
  return {
    kind: 'run',
    benchmarks: spec.benchmarks,
    all: spec.all,
    sharedEnv: shared,
    baseline: { ref: spec.baseline?.ref ?? null, env: { ...shared, ...(spec.baseline?.env ?? {}) } },
    changed: { ref: spec.changed?.ref ?? null, env: { ...shared, ...(spec.changed?.env ?? {}) } },
  };
}

export interface RenderStyle {
  flow: boolean;
  indent: number;
  quoting: 'double' | 'single' | 'plain-when-safe';
  fence: '' | '```' | '```yaml' | '~~~';
  eol: '\n' | '\r\n';
  blankLinesBefore: number;
}

export const renderStyle: fc.Arbitrary<RenderStyle> = fc.record({
  flow: fc.boolean(),
  indent: fc.integer({ min: 1, max: 4 }),
  quoting: fc.constantFrom('double', 'single', 'plain-when-safe'),
  fence: fc.constantFrom('', '```', '```yaml', '~~~'),
  eol: fc.constantFrom('\n', '\r\n'),
  blankLinesBefore: fc.integer({ min: 0, max: 2 }),
});

const PLAIN_SAFE = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

function scalar(text: string, quoting: RenderStyle['quoting']): string {
  if (quoting === 'plain-when-safe' && PLAIN_SAFE.test(text)) return text;
  if (quoting === 'single') return `'${text.replaceAll("'", "''")}'`;
  return JSON.stringify(text);
}

/** The spec as a person would write it: trigger line, then YAML options in the given style. */
export function renderComment(spec: RequestSpec, style: RenderStyle): string {
  const q = (text: string) => scalar(text, style.quoting);
  const pad = (level: number) => ' '.repeat(style.indent * level);
  const flowMap = (entries: [string, string][]) => `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
  const flowEnv = (env: Record<string, string>) => flowMap(Object.entries(env).map(([k, v]) => [k, q(v)]));
  const blockEnv = (env: Record<string, string>, level: number) =>
    Object.keys(env).length === 0
      ? [' {}']
      : Object.entries(env).map(([k, v]) => `\n${pad(level)}${k}: ${q(v)}`);
  const lines: string[] = [];
  if (spec.env) {
    lines.push(style.flow ? `env: ${flowEnv(spec.env)}` : `env:${blockEnv(spec.env, 1).join('')}`);
  }
  for (const side of ['baseline', 'changed'] as const) {
    const s = spec[side];
    if (!s) continue;
    const entries: [string, string][] = [];
    if (s.ref !== null) entries.push(['ref', q(s.ref)]);
    if (s.env) entries.push(['env', style.flow ? flowEnv(s.env) : '']);
    if (style.flow) {
      lines.push(`${side}: ${flowMap(entries)}`);
      continue;
    }
    if (entries.length === 0) {
      lines.push(`${side}:`);
      continue;
    }
    lines.push(`${side}:`);
    if (s.ref !== null) lines.push(`${pad(1)}ref: ${q(s.ref)}`);
    if (s.env) lines.push(`${pad(1)}env:${blockEnv(s.env, 2).join('')}`);
  }
  const trigger = spec.all ? 'run benchmarks' : `run benchmark ${spec.written.join(' ')}`;
  const options =
    style.fence !== '' && lines.length > 0 ? [style.fence, ...lines, style.fence.slice(0, 3)] : lines;
  return [...Array(style.blankLinesBefore).fill(''), trigger, ...options]
    .join('\n')
    .replace(/\n/g, style.eol);
}

// ---------------------------------------------------------------------------------------------
// Trigger comments: random, valid, and valid with damage.

const lineEnding = fc.constantFrom('\n', '\n', '\r\n', '\r');

const composed: fc.Arbitrary<string> = fc
  .record({
    leading: fc.array(fc.constantFrom('', ' ', '\t', '\u00a0'), { maxLength: 3 }),
    first: fc.oneof(
      { arbitrary: triggerLine, weight: 8 },
      { arbitrary: triggerLine.map((line) => `> ${line}`), weight: 1 },
      { arbitrary: nastyLine, weight: 1 },
    ),
    body,
    eol: lineEnding,
  })
  .map(({ leading, first, body, eol }) => [...leading, first, body].join('\n').replace(/\n/g, eol));

const validComment = fc.tuple(requestSpec, renderStyle).map(([spec, style]) => renderComment(spec, style));

/** A valid comment with nasty text spliced in at one place, replacing up to a few characters. */
const damagedComment = fc
  .record({ text: validComment, at: fc.nat(), cut: fc.nat({ max: 4 }), insert: fc.oneof(nastyText, special) })
  .map(({ text, at, cut, insert }) => {
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + cut);
  });

/**
 * A PR comment: maybe blank lines, a first line that is usually a trigger (or quoted, indented or
 * ordinary text), then a body, with LF, CRLF or CR line ends; or a valid request, intact or damaged.
 */
export const comment: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: composed, weight: 6 },
  { arbitrary: validComment, weight: 2 },
  { arbitrary: damagedComment, weight: 2 },
);

// ---------------------------------------------------------------------------------------------
// JSON mutations for config documents and result files.

export type JsonPath = (string | number)[];

/** Every path in a JSON-like value, the root included. */
export function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const here: JsonPath[] = [prefix];
  if (Array.isArray(value)) return here.concat(value.flatMap((item, i) => pathsOf(item, [...prefix, i])));
  if (value !== null && typeof value === 'object') {
    return here.concat(Object.entries(value).flatMap(([k, item]) => pathsOf(item, [...prefix, k])));
  }
  return here;
}

/** `value` with the node at `path` replaced by `replace(old)`; `undefined` deletes it. */
export function updateAt(value: unknown, path: JsonPath, replace: (old: unknown) => unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replace(value);
  if (Array.isArray(value) && typeof head === 'number') {
    const copy = [...value];
    const next = updateAt(copy[head], rest, replace);
    if (next === undefined && rest.length === 0) copy.splice(head, 1);
    else copy[head] = next;
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const next = updateAt(copy[String(head)], rest, replace);
    if (next === undefined && rest.length === 0) delete copy[String(head)];
    else copy[String(head)] = next;
    return copy;
  }
  return value;
}

/** A value of another JSON type than `old`, or a hostile number. */
export const swappedValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -1e308,
    5e-324,
    Number.MAX_SAFE_INTEGER + 2,
    '',
    'NaN',
    'Infinity',
    '-Infinity',
    '1e999',
    '12',
    [],
    {},
    [null],
    { '': null },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Like JSON.stringify, with numbers that JSON.parse reads as ±Infinity or a lost precision. */
export const hostileNumberText = fc.constantFrom(
  '1e999',
  '-1e999',
  '1e309',
  '-0',
  '0e0',
  '1e-400',
  '123456789012345678901234567890',
  '-9007199254740993',
);

export function deepValue(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { k: value };
  return value;
}
