import { describe, expect, it } from 'vitest';
import {
  formatTriggerErrors,
  isTriggerLine,
  MAX_ENV_VARS,
  parseTrigger,
  RESERVED_ENV_NAMES,
  RESERVED_ENV_PREFIXES,
  type SideSpec,
  type TriggerContext,
  type TriggerError,
  type TriggerRequest,
  type TriggerResult,
} from '../../core/trigger.js';

// apache/datafusion's allowlist from the seed: the main suites, then the microbenchmarks.
const DATAFUSION_ALLOWLIST = [
  'tpch',
  'tpch10',
  'tpch_mem',
  'tpch_mem10',
  'clickbench_partitioned',
  'clickbench_extended',
  'clickbench_1',
  'clickbench_pushdown',
  'external_aggr',
  'tpcds',
  'smj',
  'sort_pushdown',
  'sort_pushdown_sorted',
  'sql_planner',
  'in_list',
  'case_when',
  'aggregate_vectorized',
  'aggregate_query_sql',
  'with_hashes',
  'range_and_generate_series',
  'sort',
  'left',
  'strpos',
  'substr_index',
  'character_length',
  'reset_plan_states',
  'replace',
  'plan_reuse',
];
const DATAFUSION: TriggerContext = {
  allowedBenchmarks: DATAFUSION_ALLOWLIST,
  // As the shipped example: the criterion microbenchmarks run only when named.
  defaultBenchmarks: DATAFUSION_ALLOWLIST.slice(0, 13),
};

const side = (ref: string | null, env: Record<string, string> = {}): SideSpec => ({ ref, env });

function run(benchmarks: string[], options: Partial<Omit<TriggerRequest & { kind: 'run' }, 'kind'>> = {}) {
  return {
    kind: 'run',
    benchmarks,
    all: false,
    sharedEnv: {},
    baseline: side(null),
    changed: side(null),
    ...options,
  } satisfies TriggerRequest;
}

function request(comment: string, ctx: TriggerContext = DATAFUSION): TriggerRequest {
  const result = parseTrigger(comment, ctx);
  if (!result.trigger || 'errors' in result)
    throw new Error(`expected a request, got ${JSON.stringify(result)}`);
  return result.request;
}

function errorsOf(comment: string, ctx: TriggerContext = DATAFUSION): TriggerError[] {
  const result = parseTrigger(comment, ctx);
  if (!result.trigger || !('errors' in result))
    throw new Error(`expected errors, got ${JSON.stringify(result)}`);
  return result.errors;
}

function onlyError(comment: string, ctx: TriggerContext = DATAFUSION): TriggerError {
  const errors = errorsOf(comment, ctx);
  expect(errors).toHaveLength(1);
  return errors[0] as TriggerError;
}

const lines = (...text: string[]) => text.join('\n');

describe('the seed examples', () => {
  it.each<[string, string, TriggerRequest]>([
    ['all benchmarks', 'run benchmarks', run([...DATAFUSION.defaultBenchmarks], { all: true })],
    [
      'named benchmarks',
      'run benchmark tpch_mem clickbench_partitioned',
      run(['tpch_mem', 'clickbench_partitioned']),
    ],
    [
      'both refs',
      lines('run benchmark tpch', 'baseline:', '  ref: v45.0.0', 'changed:', '  ref: v46.0.0'),
      run(['tpch'], { baseline: side('v45.0.0'), changed: side('v46.0.0') }),
    ],
    [
      'only the baseline ref',
      lines('run benchmark tpch', 'baseline:', '  ref: main'),
      run(['tpch'], { baseline: side('main') }),
    ],
    [
      'shared env',
      lines('run benchmark tpch', 'env:', '  RUST_LOG: debug'),
      run(['tpch'], {
        sharedEnv: { RUST_LOG: 'debug' },
        baseline: side(null, { RUST_LOG: 'debug' }),
        changed: side(null, { RUST_LOG: 'debug' }),
      }),
    ],
    [
      'per-side env',
      lines(
        'run benchmark tpch',
        'baseline:',
        '  env:',
        '    DATAFUSION_RUNTIME_MEMORY_LIMIT: 1G',
        'changed:',
        '  env:',
        '    DATAFUSION_RUNTIME_MEMORY_LIMIT: 2G',
      ),
      run(['tpch'], {
        baseline: side(null, { DATAFUSION_RUNTIME_MEMORY_LIMIT: '1G' }),
        changed: side(null, { DATAFUSION_RUNTIME_MEMORY_LIMIT: '2G' }),
      }),
    ],
    [
      'shared + per-side env + refs',
      lines(
        'run benchmark tpch clickbench_1',
        'env:',
        '  RUST_LOG: debug',
        'baseline:',
        '  ref: v45.0.0',
        '  env:',
        '    DATAFUSION_RUNTIME_MEMORY_LIMIT: 1G',
        'changed:',
        '  ref: v46.0.0',
        '  env:',
        '    DATAFUSION_RUNTIME_MEMORY_LIMIT: 2G',
      ),
      run(['tpch', 'clickbench_1'], {
        sharedEnv: { RUST_LOG: 'debug' },
        baseline: side('v45.0.0', { RUST_LOG: 'debug', DATAFUSION_RUNTIME_MEMORY_LIMIT: '1G' }),
        changed: side('v46.0.0', { RUST_LOG: 'debug', DATAFUSION_RUNTIME_MEMORY_LIMIT: '2G' }),
      }),
    ],
    ['the queue', 'show benchmark queue', { kind: 'queue' }],
    ['cancel', 'cancel benchmark', { kind: 'cancel' }],
  ])('%s', (_, comment, expected) => {
    expect(parseTrigger(comment, DATAFUSION)).toEqual({ trigger: true, request: expected });
  });
});

describe('tolerated spellings', () => {
  it.each<[string, string, TriggerRequest]>([
    ['upper case and runs of spaces', '  RUN   Benchmark\t tpch  ', run(['tpch'])],
    ['names in another case', 'run benchmark TPCH Clickbench_1', run(['tpch', 'clickbench_1'])],
    ['leading blank lines', '\n \r\n\nshow benchmark queue\n\n', { kind: 'queue' }],
    ['three spaces of indent', '   cancel benchmark', { kind: 'cancel' }],
    [
      'CRLF line endings',
      'run benchmark tpch\r\nbaseline:\r\n  ref: main\r\n',
      run(['tpch'], { baseline: side('main') }),
    ],
    [
      'a ```yaml fence',
      lines('run benchmark tpch', '', '```yaml', 'changed:', '  ref: v46.0.0', '```', ''),
      run(['tpch'], { changed: side('v46.0.0') }),
    ],
    [
      'a bare ``` fence with CRLF',
      'run benchmark tpch\r\n```\r\nbaseline:\r\n  ref: main\r\n```',
      run(['tpch'], { baseline: side('main') }),
    ],
    [
      'a ~~~ fence',
      lines('run benchmark tpch', '~~~', 'baseline: {ref: main}', '~~~'),
      run(['tpch'], { baseline: side('main') }),
    ],
    [
      'numbers and booleans kept as written',
      lines(
        'run benchmark tpch',
        'env:',
        '  A: 1.0',
        '  B: 0x10',
        '  C: true',
        '  D: yes',
        "  E: ''",
        '  F: "a: b"',
      ),
      run(['tpch'], {
        sharedEnv: { A: '1.0', B: '0x10', C: 'true', D: 'yes', E: '', F: 'a: b' },
        baseline: side(null, { A: '1.0', B: '0x10', C: 'true', D: 'yes', E: '', F: 'a: b' }),
        changed: side(null, { A: '1.0', B: '0x10', C: 'true', D: 'yes', E: '', F: 'a: b' }),
      }),
    ],
    [
      'side env overrides shared env',
      lines('run benchmark tpch', 'env: {RUST_LOG: debug, KEEP: x}', 'changed:', '  env: {RUST_LOG: trace}'),
      run(['tpch'], {
        sharedEnv: { RUST_LOG: 'debug', KEEP: 'x' },
        baseline: side(null, { RUST_LOG: 'debug', KEEP: 'x' }),
        changed: side(null, { RUST_LOG: 'trace', KEEP: 'x' }),
      }),
    ],
    [
      'SHAs, slashes and empty sections',
      lines(
        'run benchmark smj',
        'env:',
        'baseline:',
        '  ref: 0123456',
        'changed:',
        `  ref: ${'a'.repeat(40)}`,
      ),
      run(['smj'], { baseline: side('0123456'), changed: side('a'.repeat(40)) }),
    ],
    [
      'branch names git accepts',
      lines('run benchmark smj', 'baseline: {ref: refs/heads/feature/x-1}', 'changed: {ref: ünïcode@main}'),
      run(['smj'], { baseline: side('refs/heads/feature/x-1'), changed: side('ünïcode@main') }),
    ],
    ['only a YAML comment', lines('run benchmark smj', '# nothing to set'), run(['smj'])],
  ])('%s', (_, comment, expected) => {
    expect(request(comment)).toEqual(expected);
  });
});

describe('not a trigger', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', ' \n\t\r\n  '],
    ['random text', 'LGTM, thanks!'],
    ['quoted', '> run benchmarks\n\nWhy did this fail?'],
    ['fenced', '```\nrun benchmarks\n```'],
    ['indented code', '    run benchmarks'],
    ['tab-indented code', '\trun benchmark tpch'],
    ['trigger on a later line', 'Could someone:\nrun benchmarks'],
    ['a longer word', 'run benchmarksfoo'],
    ['other words first', 'please run benchmarks'],
    ['a near phrase', 'running benchmarks now'],
    ['plural cancel', 'cancel benchmarks'],
    ['benchbot reply', formatTriggerErrors([{ code: 'unknown-benchmark', message: 'x' }], DATAFUSION)],
  ])('%s', (_, comment) => {
    expect(parseTrigger(comment, DATAFUSION)).toEqual({ trigger: false });
    expect(isTriggerLine(comment)).toBe(false);
  });

  it('isTriggerLine is true for triggers that will fail validation', () => {
    for (const comment of [
      'run benchmarks please',
      'run benchmark nope',
      'show benchmark queue\nx',
      'CANCEL  benchmark 3',
    ]) {
      expect(isTriggerLine(comment)).toBe(true);
      expect(parseTrigger(comment, DATAFUSION)).toHaveProperty('errors');
    }
  });
});

describe('errors name the problem and the fix', () => {
  it.each<[string, string, TriggerError['code'], RegExp[], { line?: number; column?: number }?]>([
    [
      'unknown benchmark',
      'run benchmark tpch tpc_h',
      'unknown-benchmark',
      [/`tpc_h`/, /did you mean `tpch`\?/, /`sort_pushdown_sorted`, `sql_planner`/, /`plan_reuse`/],
      { line: 1 },
    ],
    [
      'unknown without a near name',
      'run benchmark zzzzzzzzzz',
      'unknown-benchmark',
      [/`zzzzzzzzzz`: use names/],
    ],
    [
      'duplicate benchmark',
      'run benchmark tpch smj TPCH',
      'duplicate-benchmark',
      [/`tpch` is named more than once/, /list each benchmark once/],
    ],
    [
      'names after run benchmarks',
      'run benchmarks please',
      'unexpected-arguments',
      [/takes no names, but got `please`/, /`run benchmark tpch`/],
    ],
    [
      'known names after run benchmarks',
      'run benchmarks tpch smj',
      'unexpected-arguments',
      [/`run benchmark tpch smj`/],
    ],
    ['no names', 'run benchmark', 'missing-benchmark-names', [/needs the names/, /`run benchmarks`/]],
    [
      'arguments to queue',
      'show benchmark queue now',
      'unexpected-arguments',
      [/`now`/, /write just `show benchmark queue`/],
    ],
    [
      'arguments to cancel',
      'cancel benchmark 42',
      'unexpected-arguments',
      [/`42`/, /write just `cancel benchmark`/],
    ],
    [
      'a body after cancel',
      'cancel benchmark\n\nwrong branch',
      'unexpected-body',
      [/takes no options/, /separate comment/],
      { line: 3 },
    ],
    [
      'an unclosed fence',
      'run benchmark tpch\n```yaml\nenv: {A: b}',
      'unclosed-fence',
      [/never closed/, /add a closing/],
      { line: 2 },
    ],
    [
      'text after the fence',
      'run benchmark tpch\n```\nenv: {A: b}\n```\nthanks!',
      'text-after-fence',
      [/text after the closing/, /separate comment/],
      { line: 5 },
    ],
    [
      'tab indentation, lines counted in the comment',
      'run benchmark tpch\r\n\r\nenv:\r\n\tA: 1',
      'malformed-yaml',
      [/not valid YAML/, /indent with spaces, not tabs/],
      { line: 4, column: 1 },
    ],
    [
      'bad indentation inside a fence',
      lines('run benchmark tpch', '```yaml', 'baseline:', '  ref: main', ' env: {A: b}', '```'),
      'malformed-yaml',
      [/not valid YAML/, /check the indentation/],
      { line: 5 },
    ],
    [
      'a duplicate key',
      lines('run benchmark tpch', 'env: {A: 1}', 'env: {B: 2}'),
      'malformed-yaml',
      [/keep only one/],
      { line: 3 },
    ],
    [
      'several YAML documents',
      lines('run benchmark tpch', 'env: {A: 1}', '---', 'env: {B: 2}'),
      'malformed-yaml',
      [/`---`/],
    ],
    [
      'deep flow nesting',
      `run benchmark tpch\n${'['.repeat(60_000)}`,
      'malformed-yaml',
      [/more than 16 levels deep/, /at most three/],
      { line: 2, column: 17 },
    ],
    [
      'an alias',
      lines('run benchmark tpch', 'baseline: &b {ref: main}', 'changed: *b'),
      'yaml-alias',
      [/aliases/, /write the value out in full/],
      { line: 3, column: 10 },
    ],
    [
      'prose after the trigger',
      'run benchmark tpch\nIs this faster?',
      'body-not-mapping',
      [/YAML options/, /separate comment/],
      { line: 2 },
    ],
    ['a list body', 'run benchmark tpch\n- env', 'body-not-mapping', [/`env:`, `baseline:`, `changed:`/]],
    [
      'an unknown top-level key',
      lines('run benchmark tpch', 'basline:', '  ref: main'),
      'unknown-key',
      [
        /unknown option `basline`/,
        /did you mean `baseline`\?/,
        /allowed keys are `env`, `baseline`, `changed`/,
      ],
      { line: 2, column: 1 },
    ],
    [
      'an unknown side key',
      lines('run benchmark tpch', 'changed:', '  sha: abc1234'),
      'unknown-key',
      [/unknown option `sha` under `changed`/, /allowed keys are `ref`, `env`/],
      { line: 3, column: 3 },
    ],
    [
      'env as a string',
      'run benchmark tpch\nenv: RUST_LOG=debug',
      'invalid-option',
      [/`env` must be a mapping/, /`env: \{RUST_LOG: debug\}`/],
    ],
    [
      'a side as a string',
      'run benchmark tpch\nbaseline: main',
      'invalid-option',
      [/`baseline` must be a mapping/, /`baseline: \{ref: main\}`/],
    ],
    [
      'a lower-case env name',
      'run benchmark tpch\r\n```yaml\r\nenv:\r\n  rust_log: x\r\n```',
      'invalid-env-name',
      [/`rust_log` is not valid/, /capital letters/, /e\.g\. `RUST_LOG`/],
      { line: 4, column: 3 },
    ],
    [
      'an env name starting with a digit',
      'run benchmark tpch\nenv: {1X: a}',
      'invalid-env-name',
      [/`1X` is not valid/, /not starting with a digit/],
    ],
    [
      'a list env value',
      'run benchmark tpch\nenv: {A: [1, 2]}',
      'invalid-env-value',
      [/`A` must be a single string, number or boolean/, /quote it/],
    ],
    [
      'a mapping env value',
      'run benchmark tpch\nenv: {A: {b: c}}',
      'invalid-env-value',
      [/not a list or mapping/],
    ],
    [
      'a missing env value',
      'run benchmark tpch\nenv:\n  A:\n',
      'invalid-env-value',
      [/`A` has no value/, /`A: ''`/],
      { line: 3 },
    ],
    [
      'a multi-line env value',
      'run benchmark tpch\nenv:\n  A: |\n    x\n    y',
      'invalid-env-value',
      [/several lines/, /on one line/],
    ],
    ['an escaped newline', 'run benchmark tpch\nenv: {A: "x\\ny"}', 'invalid-env-value', [/several lines/]],
    [
      'a control character',
      'run benchmark tpch\nenv: {A: "x\\0y"}',
      'invalid-env-value',
      [/control character/, /remove it/],
    ],
    [
      'an oversize env value',
      `run benchmark tpch\nenv: {A: ${'x'.repeat(4097)}}`,
      'invalid-env-value',
      [/4097 bytes/, /at most 4096 bytes/],
    ],
    [
      'too many env vars',
      `run benchmark tpch\nenv:\n${Array.from({ length: MAX_ENV_VARS }, (_, i) => `  V${i}: x`).join('\n')}\nchanged: {env: {EXTRA: y}}`,
      'too-many-env-vars',
      [/65 environment variables/, /at most 64/],
    ],
    [
      'an empty ref',
      'run benchmark tpch\nbaseline:\n  ref:',
      'invalid-ref',
      [/it is empty/, /remove `ref:` to use the default \(the PR's merge base\)/],
    ],
    [
      'a list ref',
      'run benchmark tpch\nchanged: {ref: [a]}',
      'invalid-ref',
      [/not a single value/, /the PR head/],
    ],
    [
      'comment too large',
      `run benchmarks\n#${'x'.repeat(70_000)}`,
      'comment-too-large',
      [/more than 64 KiB/, /shorten/],
    ],
    ['too large in bytes', `run benchmarks\n#${'é'.repeat(40_000)}`, 'comment-too-large', [/80016 bytes/]],
    [
      'no benchmarks configured',
      'run benchmarks',
      'no-benchmarks-configured',
      [/no benchmarks configured/, /`benchbot.yaml`/],
    ],
  ])('%s', (name, comment, code, patterns, position) => {
    const ctx =
      name === 'no benchmarks configured' ? { allowedBenchmarks: [], defaultBenchmarks: [] } : DATAFUSION;
    const error = onlyError(comment, ctx);
    expect(error.code).toBe(code);
    for (const pattern of patterns) expect(error.message).toMatch(pattern);
    if (position) expect(error).toMatchObject(position);
  });

  it.each([...RESERVED_ENV_NAMES, 'BENCHBOT_RUN_ID', 'GIT_DIR', 'GIT_SSH_COMMAND'])('reserves %s', (name) => {
    for (const comment of [
      `run benchmark tpch\nenv: {${name}: x}`,
      `run benchmark tpch\nchanged:\n  env: {${name}: x}`,
    ]) {
      const error = onlyError(comment);
      expect(error.code).toBe('reserved-env-name');
      expect(error.message).toContain(`\`${name}\` is reserved for benchbot`);
      expect(error.message).toContain('remove it');
    }
  });

  it('exports the reserved names', () => {
    expect(RESERVED_ENV_NAMES).toEqual(['PATH', 'HOME', 'GITHUB_TOKEN', 'GH_TOKEN']);
    expect(RESERVED_ENV_PREFIXES).toEqual(['BENCHBOT_', 'GIT_']);
  });

  it.each([
    ['a..b', 'contains `..`'],
    ["'a b'", 'contains a space'],
    ['HEAD~1', 'relative revisions'],
    ['main^', 'contains `^`'],
    ['a:b', 'contains `:`'],
    ['a?', 'contains `?`'],
    ['a*', 'contains `*`'],
    ["'a['", 'contains `[`'],
    ['a\\b', 'contains `\\`'],
    ['"a\\x01"', 'control character'],
    ['a/', 'ends with `/`'],
    ['/a', 'starts or ends with `/`'],
    ['a//b', 'contains `//`'],
    ['topic.lock', 'ends with `.lock`'],
    ['a.lock/b', 'ends with `.lock`'],
    ['a.', 'ends with `.`'],
    ['a@{1}', 'contains `@{`'],
    ["'@'", 'it is `@`'],
    ['.hidden', 'starts with `.`'],
    ['a/.b', 'starts with `.`'],
    ['--upload-pack=x', 'starts with `-`'],
    ['x'.repeat(256), 'longer than 255'],
  ])('refuses the ref %s', (ref, reason) => {
    const error = onlyError(`run benchmark tpch\nchanged:\n  ref: ${ref}`);
    expect(error).toMatchObject({ code: 'invalid-ref', line: 3, column: 8 });
    expect(error.message).toContain('`changed` ref');
    expect(error.message).toContain(reason);
    expect(error.message).toContain('use a branch, tag or commit SHA');
  });

  it('collects every error, in comment order', () => {
    const comment = lines(
      'run benchmark tpch tpchh tpch',
      'env:',
      '  lower: x',
      '  PATH: /tmp',
      'baseline:',
      '  ref: a..b',
      '  extra: 1',
      'changed: main',
    );
    expect(errorsOf(comment).map((e) => [e.code, e.line])).toEqual([
      ['unknown-benchmark', 1],
      ['duplicate-benchmark', 1],
      ['invalid-env-name', 3],
      ['reserved-env-name', 4],
      ['invalid-ref', 6],
      ['unknown-key', 7],
      ['invalid-option', 8],
    ]);
  });

  it('keeps user text inert and short in messages', () => {
    const error = onlyError(`run benchmark @everyone <img> a\`b ${'y'.repeat(500)}`);
    expect(error.message).toContain('`@everyone`');
    expect(error.message).toContain('`<img>`');
    expect(error.message).toContain('`` a`b ``');
    expect(error.message).toContain(`\`${'y'.repeat(64)}…\``);
    expect(error.message).not.toContain('y'.repeat(65));
  });
});

describe('hostile input', () => {
  // How quickly is a figure of bench/hostile-input.ts; expanded, this body would not end at all.
  it('refuses a billion-laughs body', () => {
    const laughs = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 9; i++) {
      const [prev, next] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      laughs.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const errors = errorsOf(`run benchmark tpch\n${laughs.join('\n')}`);
    expect(errors.some((e) => e.code === 'yaml-alias')).toBe(true);
  });

  it('never throws on garbage', () => {
    // A fixed LCG keeps the generated inputs the same on every run.
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const alphabet = [
      ...'run benchmark tpch env baseline changed ref: -[]{}&*!|>\'"#`~\n\r\t  é😀\u0000\u200b',
    ];
    const heads = [
      '',
      'run benchmarks\n',
      'run benchmark tpch\n',
      'show benchmark queue\n',
      'run benchmark ',
    ];
    for (let i = 0; i < 2000; i++) {
      const length = next() % 200;
      const body = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
      const comment = `${heads[i % heads.length]}${body}`;
      const result = parseTrigger(comment, DATAFUSION);
      expect(result.trigger).toBe(isTriggerLine(comment));
      if ('errors' in result) {
        expect(result.errors.length).toBeGreaterThan(0);
        expect(typeof formatTriggerErrors(result.errors, DATAFUSION)).toBe('string');
      }
    }
  });

  const tooLarge: TriggerError = {
    code: 'comment-too-large',
    message: expect.stringContaining("over benchbot's limit of 65536 bytes"),
  };
  const tooDeep = (line: number): TriggerError => ({
    code: 'malformed-yaml',
    message: expect.stringContaining('the options nest more than 16 levels deep'),
    line,
    column: expect.any(Number),
  });
  it.each<[string, string, TriggerResult]>([
    ['a huge first line', `run benchmark ${'tpch '.repeat(200_000)}`, { trigger: true, errors: [tooLarge] }],
    ['a huge non-trigger', 'x'.repeat(5_000_000), { trigger: false }],
    // Just under the size limit, so the depth guard is what stops it.
    [
      'deep braces',
      `run benchmark tpch\nenv: ${'{a: '.repeat(16_000)}`,
      { trigger: true, errors: [tooDeep(2)] },
    ],
    [
      'deep compact sequences',
      `run benchmark tpch\n${'- '.repeat(32_000)}`,
      { trigger: true, errors: [tooDeep(2)] },
    ],
    [
      'deep explicit keys',
      `run benchmark tpch\n${'? - '.repeat(16_000)}`,
      { trigger: true, errors: [tooDeep(2)] },
    ],
    [
      'deep block nesting',
      `run benchmark tpch\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')}`,
      { trigger: true, errors: [tooDeep(18)] },
    ],
    [
      'lone surrogates',
      'run benchmark \ud800 tpch\nenv: {A: "\udfff"}',
      {
        trigger: true,
        errors: [{ code: 'unknown-benchmark', message: expect.stringContaining('`\ud800`'), line: 1 }],
      },
    ],
  ])('handles %s', (_, comment, expected) => {
    // Parse once first: deep nesting aborted the whole process (uncatchably) only after a warm-up parse.
    parseTrigger('run benchmark tpch\nenv:\n\tA: 1\nfoo: [1,\n', DATAFUSION);
    expect(parseTrigger(comment, DATAFUSION)).toEqual(expected);
  });
});

describe('formatTriggerErrors', () => {
  const errors = errorsOf('run benchmark tpc\nbaseline:\n  ref: a..b');

  it('lists the errors with positions, the allowed names and a working example', () => {
    const reply = formatTriggerErrors(errors, DATAFUSION);
    expect(reply).toContain('- line 1: unknown benchmark `tpc` (did you mean `tpch`?)');
    expect(reply).toContain('- line 3, column 8: `baseline` ref `a..b` is not a valid git ref');
    expect(reply).toContain('Allowed benchmarks: `tpch`, `tpch10`');
    const example = /```yaml\n([\s\S]*?)\n```/.exec(reply)?.[1] ?? '';
    expect(request(example)).toMatchObject({ kind: 'run', benchmarks: ['tpch'] });
  });

  it('caps a long list', () => {
    const many = Array.from(
      { length: 25 },
      (_, i): TriggerError => ({ code: 'unknown-key', message: `problem ${i}` }),
    );
    const reply = formatTriggerErrors(many, DATAFUSION);
    expect(reply).toContain('- problem 9');
    expect(reply).not.toContain('problem 10');
    expect(reply).toContain('…and 15 more');
  });

  it('explains an empty allowlist', () => {
    const reply = formatTriggerErrors(
      errorsOf('run benchmarks', { allowedBenchmarks: [], defaultBenchmarks: [] }),
      {
        allowedBenchmarks: [],
        defaultBenchmarks: [],
      },
    );
    expect(reply).toContain('no benchmarks configured');
    expect(reply).toContain('`benchbot.yaml`');
  });
});
