import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, LineCounter, parse, parseDocument, stringify } from 'yaml';
import type { z } from 'zod';
import { type ConfigResult, formatConfigPath, parseConfig } from '../../core/config/index.js';
import { configFileSchema } from '../../core/config/schema.js';
import {
  ANCHORS_AND_TAGS,
  anchorsAndTags,
  billionLaughs,
  deepNesting,
  deepValue,
  type JsonPath,
  nastyLine,
  nastyText,
  pathsOf,
  SEED,
  swappedValue,
  updateAt,
  yamlish,
} from './arbitraries.js';

const FILE = 'benchbot.yaml';
const EXAMPLE_TEXT = readFileSync(resolve(import.meta.dirname, '../../benchbot.example.yaml'), 'utf8');
const EXAMPLE: unknown = parse(EXAMPLE_TEXT);
const EXAMPLE_PATHS = pathsOf(EXAMPLE);

/** Every key any object of the config schema accepts, so a generated key is surely unknown. */
function schemaKeys(
  schema: z.core.$ZodType,
  into = new Set<string>(),
  seen = new Set<unknown>(),
): Set<string> {
  if (seen.has(schema)) return into;
  seen.add(schema);
  const def = schema._zod.def as unknown as Record<string, unknown>;
  const children: unknown[] = [
    def.innerType,
    def.in,
    def.out,
    def.element,
    def.valueType,
    def.left,
    def.right,
  ];
  if (Array.isArray(def.options)) children.push(...def.options);
  if (def.shape && typeof def.shape === 'object') {
    for (const [key, child] of Object.entries(def.shape)) {
      into.add(key);
      children.push(child);
    }
  }
  for (const child of children) {
    if (child && typeof child === 'object' && '_zod' in child)
      schemaKeys(child as z.core.$ZodType, into, seen);
  }
  return into;
}
const KNOWN_KEYS = schemaKeys(configFileSchema);

// Mappings in the example whose keys are free (environment variables, node labels).
const FREE_FORM = new Set(['env', 'nodeSelector']);
const STRICT_MAPS = EXAMPLE_PATHS.filter((path) => {
  const value = path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], EXAMPLE);
  const last = path[path.length - 1];
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !FREE_FORM.has(String(last));
});

function checkResult(result: ConfigResult): void {
  if (result.ok) {
    expect(result.config.version).toBe(1);
    return;
  }
  expect(result.issues.length).toBeGreaterThan(0);
  for (const issue of result.issues) {
    expect(issue.file).toBe(FILE);
    expect(typeof issue.path).toBe('string');
    for (const position of [issue.line, issue.column]) {
      expect(position === null || (Number.isInteger(position) && position >= 1)).toBe(true);
    }
    expect(typeof issue.message === 'string' && issue.message.trim() !== '').toBe(true);
  }
}

const randomDocument = fc.oneof(
  nastyText,
  yamlish,
  billionLaughs,
  billionLaughs.map((bomb) => `version: 1\n${bomb}`),
  deepNesting,
  deepNesting.map((deep) => `version: 1\nrepos:\n  - ${deep}`),
  anchorsAndTags,
  fc.jsonValue({ maxDepth: 4 }).map((value) => stringify(value)),
  fc
    .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }))
    .map((value) => stringify({ version: 1, ...value })),
);

type Mutation =
  | { op: 'delete' | 'swap'; at: number; value: unknown }
  | { op: 'inject'; at: number; key: string; value: unknown }
  | { op: 'deepen'; at: number; depth: number };

const unknownKey = fc
  .oneof(
    fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,10}$/),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      'token',
      'apiKey',
      'a-b',
      '<<',
      '0',
      '',
      ' ',
    ),
    fc.string({ unit: 'binary', maxLength: 6 }),
    nastyLine,
  )
  .filter((key) => !KNOWN_KEYS.has(key));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('delete' as const, 'swap' as const), at: fc.nat(), value: swappedValue }),
  fc.record({ op: fc.constant('inject' as const), at: fc.nat(), key: unknownKey, value: swappedValue }),
  fc.record({ op: fc.constant('deepen' as const), at: fc.nat(), depth: fc.integer({ min: 1, max: 60 }) }),
);

function mutate(value: unknown, m: Mutation): unknown {
  const paths = pathsOf(value);
  const path = paths[m.at % paths.length] ?? [];
  switch (m.op) {
    case 'delete':
      return path.length === 0 ? null : updateAt(value, path, () => undefined);
    case 'swap':
      return updateAt(value, path, () => m.value);
    case 'deepen':
      return updateAt(value, path, () => deepValue(m.depth));
    case 'inject':
      return updateAt(value, path, (old) =>
        old !== null && typeof old === 'object' && !Array.isArray(old) ? { ...old, [m.key]: m.value } : old,
      );
  }
}

// Edits of the text itself, keeping its comments, anchors and flow mappings.
const textEdit = fc.record({
  op: fc.constantFrom('delete-line', 'duplicate-line', 'tab-indent', 'truncate', 'insert'),
  at: fc.nat(),
  insert: fc.oneof(
    nastyText,
    fc.constantFrom('\t', '&a ', '*criterion', '*missing', ': ', '- ', '{', '[', '"'),
  ),
});

function editText(text: string, { op, at, insert }: { op: string; at: number; insert: string }): string {
  const lines = text.split('\n');
  const i = at % lines.length;
  switch (op) {
    case 'delete-line':
      return lines.filter((_, j) => j !== i).join('\n');
    case 'duplicate-line':
      return [...lines.slice(0, i + 1), ...lines.slice(i)].join('\n');
    case 'tab-indent':
      return lines.map((line, j) => (j === i ? `\t${line}` : line)).join('\n');
    case 'truncate':
      return text.slice(0, at % (text.length + 1));
    default: {
      const offset = at % (text.length + 1);
      return text.slice(0, offset) + insert + text.slice(offset);
    }
  }
}

/** 1-based line of `key` in the mapping at `path` of `text`. */
function keyLine(text: string, path: JsonPath, key: string): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(map)) return undefined;
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
  const offset = isScalar(pair?.key) ? pair.key.range?.[0] : undefined;
  return offset === undefined ? undefined : lineCounter.linePos(offset).line;
}

/** Where each plain string value of the shipped example is written (aliased copies have no place of their own). */
const STRING_VALUES: { start: number; end: number }[] = (() => {
  const doc = parseDocument(EXAMPLE_TEXT);
  return EXAMPLE_PATHS.flatMap((path) => {
    const node = path.length === 0 ? null : doc.getIn(path, true);
    return isScalar(node) && typeof node.value === 'string' && node.range
      ? [{ start: node.range[0], end: node.range[1] }]
      : [];
  });
})();

const anchorName = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/).filter((name) => name !== 'criterion');

/** A trick and the one issue it must give: `at` is its offset in the trick text (null: no place). */
const trick: fc.Arbitrary<{ text: string; issue: { at: number | null; message: string } }> = fc.oneof(
  anchorName.map((name) => ({
    text: `*${name}`,
    issue: {
      at: 0,
      message: `alias *${name} has no anchor &${name} before it: define the anchor first, or write the value out`,
    },
  })),
  fc
    .record({ name: anchorName, flow: fc.boolean(), before: fc.nat({ max: 3 }) })
    .map(({ name, flow, before }) => {
      const items = [...Array(before).fill('x'), `*${name}`];
      const text = flow
        ? `&${name} [${items.join(', ')}]`
        : `&${name} { ${items.map((v, i) => `k${i}: ${v}`).join(', ')} }`;
      return {
        text,
        issue: {
          at: text.indexOf(`*${name}`),
          message: `alias *${name} is inside the value &${name} it repeats, so that value would never end: write it out instead`,
        },
      };
    }),
  // A billion laughs: each level repeats the one before `width` times, far past 1000 nodes.
  fc
    .record({ levels: fc.integer({ min: 5, max: 9 }), width: fc.integer({ min: 5, max: 10 }) })
    .map(({ levels, width }) => {
      const level = (i: number) =>
        `&l${i} [${Array(width)
          .fill(i === 0 ? 'lol' : `*l${i - 1}`)
          .join(', ')}]`;
      return {
        text: `[${Array.from({ length: levels }, (_, i) => level(i)).join(', ')}]`,
        issue: {
          at: null,
          message:
            'the aliases (*name) expand to more than 1000 nodes, as in a "billion laughs" YAML bomb; a benchbot config needs few: write the values out or alias smaller parts',
        },
      };
    }),
  fc
    .record({
      tag: fc.constantFrom('!foo', '!!python/object:os.system', '!<tag:example.com,2000:x>'),
      value: anchorName,
    })
    .map(({ tag, value }) => ({
      text: `${tag} ${value}`,
      issue: {
        at: 0,
        message: `unknown YAML tag ${tag.replace(/^!!/, 'tag:yaml.org,2002:').replace(/^!<(.*)>$/, '$1')}: a benchbot config takes plain values; remove the tag`,
      },
    })),
);

describe('parseConfig on bad input', () => {
  it('accepts the shipped example', () => {
    expect(parseConfig(EXAMPLE_TEXT, FILE).ok).toBe(true);
  });

  it("never throws on the trigger options' anchor, alias and tag tricks (as a whole file and under version: 1)", () => {
    for (const text of ANCHORS_AND_TAGS) {
      checkResult(parseConfig(text, FILE));
      checkResult(parseConfig(`version: 1\n${text}`, FILE));
    }
  });

  it('reports every anchor, alias and tag trick as the issue it is, in a config otherwise valid', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STRING_VALUES), trick, (at, { text: trickText, issue }) => {
        // The trick replaces one string value of the shipped example, in place, comments and all.
        const text = EXAMPLE_TEXT.slice(0, at.start) + trickText + EXAMPLE_TEXT.slice(at.end);
        const linesTo = (offset: number) => text.slice(0, at.start + offset).split('\n');
        const result = parseConfig(text, FILE);
        expect(result.ok).toBe(false);
        expect(result.ok ? [] : result.issues).toEqual([
          {
            file: FILE,
            path: '',
            line: issue.at === null ? null : linesTo(issue.at).length,
            column: issue.at === null ? null : (linesTo(issue.at).at(-1)?.length ?? 0) + 1,
            message: issue.message,
          },
        ]);
      }),
      { numRuns: 150, seed: SEED },
    );
  });

  it('never throws on random documents: ok, or issues with a path, a line and a message', () => {
    fc.assert(
      fc.property(randomDocument, (text) => checkResult(parseConfig(text, FILE))),
      { numRuns: 400, seed: SEED },
    );
  });

  it('never throws on mutations of the shipped example', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const mutated = mutations.reduce(mutate, EXAMPLE);
        checkResult(parseConfig(stringify(mutated), FILE));
      }),
      { numRuns: 120, seed: SEED },
    );
  });

  it('never throws on edits of the example text', () => {
    fc.assert(
      fc.property(fc.array(textEdit, { minLength: 1, maxLength: 2 }), (edits) => {
        checkResult(parseConfig(edits.reduce(editText, EXAMPLE_TEXT), FILE));
      }),
      { numRuns: 120, seed: SEED },
    );
  });

  it('reports an unknown key at its path and line', () => {
    fc.assert(
      fc.property(fc.constantFrom(...STRICT_MAPS), unknownKey, swappedValue, (path, key, value) => {
        const mutated = updateAt(EXAMPLE, path, (old) => ({ ...(old as object), [key]: value }));
        const text = stringify(mutated);
        const result = parseConfig(text, FILE);
        expect(result.ok).toBe(false);
        const issues = result.ok ? [] : result.issues;
        const issue = issues.find((i) => i.path === formatConfigPath([...path, key]));
        expect(issue, JSON.stringify(issues)).toBeDefined();
        expect(issue?.message).toContain(JSON.stringify(key));
        expect(issue?.line).toBe(keyLine(text, path, key));
      }),
      { numRuns: 150, seed: SEED },
    );
  });
});
