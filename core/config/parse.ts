import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import type { z } from 'zod';
import { didYouMean } from '../suggest.js';
import { yamlTooDeepAt } from '../yaml-depth.js';
import { type ConfigPath, formatConfigPath } from './path.js';
import { type BenchbotConfig, configSchema, SUPPORTED_CONFIG_VERSIONS } from './schema.js';

export interface ConfigIssue {
  /** The config file (as the user named it), or `environment` for an environment variable. */
  file: string;
  /** Where in the file, formatted like `repos[1].benchmarks[3].name` (indexes count from 0); '' for the whole file. */
  path: string;
  line: number | null;
  column: number | null;
  message: string;
}

export type ConfigResult = { ok: true; config: BenchbotConfig } | { ok: false; issues: ConfigIssue[] };

interface Position {
  line: number;
  column: number;
}

const SECRET_KEY = /token|secret|password|passwd|api[-_]?key|credential/i;
const SECRET_VALUE = /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/;
const SECRET_ADVICE =
  'secrets never go in the config file: put the value in the environment and name the variable with github.tokenEnv (default GITHUB_TOKEN) or temporal.apiKeyEnv (default TEMPORAL_API_KEY)';

class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private at(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private start(node: unknown): Position | null {
    const range = (node as Node | null | undefined)?.range;
    return range ? this.at(range[0]) : null;
  }

  /**
   * The position of the value at `path` (or of its key, with `preferKey`). A path that leads nowhere
   * (a missing key) reports the nearest existing parent: its key line if it has one.
   */
  find(path: readonly PropertyKey[], preferKey = false): Position | null {
    let node: unknown = this.doc.contents;
    let parentKey: unknown = null;
    for (const [index, segment] of path.entries()) {
      if (isAlias(node)) node = node.resolve(this.doc);
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (!pair) return this.start(parentKey) ?? this.start(node);
        if (last && (preferKey || pair.value === null)) return this.start(pair.key);
        parentKey = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) return this.start(parentKey) ?? this.start(node);
        parentKey = null;
        node = item;
      } else {
        return this.start(node) ?? this.start(parentKey);
      }
    }
    return this.start(node) ?? this.start(parentKey);
  }
}

function issueAt(file: string, path: ConfigPath, position: Position | null, message: string): ConfigIssue {
  return {
    file,
    path: formatConfigPath(path),
    line: position?.line ?? null,
    column: position?.column ?? null,
    message,
  };
}

function describeValue(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'object') return 'a mapping';
  if (typeof input === 'string') return `the string ${JSON.stringify(input)}`;
  return `${typeof input} ${String(input)}`;
}

const EXPECTED_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
};

function expectedName(expected: string): string {
  return EXPECTED_NAMES[expected] ?? expected;
}

function unionExpectations(errors: readonly (readonly z.core.$ZodIssue[])[]): string[] {
  const names = errors.flatMap((branch) =>
    branch.flatMap((issue) => (issue.code === 'invalid_type' ? [expectedName(issue.expected)] : [])),
  );
  return [...new Set(names)];
}

function quotedNumber(expected: string, input: unknown): boolean {
  return (
    (expected === 'number' || expected === 'int') && typeof input === 'string' && /^-?[0-9.]+$/.test(input)
  );
}

// Zod's own messages ("Invalid input: expected int, received number") do not say what was written
// or how to fix it; this map does. Messages set on a schema (regexes) take precedence over it.
function messageFor(issue: z.core.$ZodRawIssue): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `missing; this key is required (${expectedName(issue.expected)})`;
      return `expected ${expectedName(issue.expected)}, got ${describeValue(input)}${quotedNumber(issue.expected, input) ? '; remove the quotes' : ''}`;
    case 'invalid_value': {
      const allowed = issue.values.map((value) => String(value));
      return `${describeValue(input)} is not allowed; use one of: ${allowed.join(', ')}${typeof input === 'string' ? didYouMean(input, allowed) : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `must list at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return 'must not be empty';
      return `${String(input)} is too small; must be ${issue.inclusive ? 'at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      return `${String(input)} is too large; must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`;
    case 'invalid_union':
      return `expected ${unionExpectations(issue.errors).join(' or ') || 'another value'}, got ${describeValue(input)}`;
    case 'invalid_key':
      return issue.issues.map((inner) => inner.message).join('; ');
    default:
      return undefined;
  }
}

type SchemaDef = z.core.$ZodTypes['_zod']['def'];

// The keys a strict object at `path` accepts, for "did you mean" on unknown keys.
function knownKeysAt(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
  let def = schema._zod.def as SchemaDef;
  let remaining = [...path];
  for (;;) {
    switch (def.type) {
      case 'default':
      case 'prefault':
      case 'nullable':
      case 'optional':
      case 'readonly':
        def = def.innerType._zod.def as SchemaDef;
        continue;
      case 'pipe':
        def = def.in._zod.def as SchemaDef;
        continue;
      case 'array':
        remaining = remaining.slice(1);
        def = def.element._zod.def as SchemaDef;
        continue;
      case 'record':
        remaining = remaining.slice(1);
        def = def.valueType._zod.def as SchemaDef;
        continue;
      case 'object': {
        const [key, ...rest] = remaining;
        if (key === undefined) return Object.keys(def.shape);
        const child = def.shape[String(key)];
        if (child === undefined) return [];
        def = child._zod.def as SchemaDef;
        remaining = rest;
        continue;
      }
      default:
        return [];
    }
  }
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (SECRET_KEY.test(key)) return `unknown key ${JSON.stringify(key)}: ${SECRET_ADVICE}`;
  const suggestion = didYouMean(key, known);
  return `unknown key ${JSON.stringify(key)}${suggestion}${suggestion ? '' : `; allowed here: ${known.join(', ')}`}`;
}

function schemaIssues(error: z.core.$ZodError, file: string, source: SourceMap): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(configSchema, issue.path);
      return issue.keys.map((key) => {
        const path = [...issue.path, key] as ConfigPath;
        return issueAt(file, path, source.find(path, true), unknownKeyMessage(key, known));
      });
    }
    const path = issue.path as ConfigPath;
    return [issueAt(file, path, source.find(path, issue.code === 'invalid_key'), issue.message)];
  });
}

function secretIssues(value: unknown, path: ConfigPath, file: string, source: SourceMap): ConfigIssue[] {
  if (typeof value === 'string') {
    return SECRET_VALUE.test(value)
      ? [issueAt(file, path, source.find(path), `this looks like a GitHub token; ${SECRET_ADVICE}`)]
      : [];
  }
  if (Array.isArray(value))
    return value.flatMap((item, index) => secretIssues(item, [...path, index], file, source));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => secretIssues(item, [...path, key], file, source));
  }
  return [];
}

function versionIssue(data: Record<string, unknown>, file: string, source: SourceMap): ConfigIssue | null {
  const supported = SUPPORTED_CONFIG_VERSIONS.join(', ');
  if (!('version' in data)) {
    return issueAt(file, [], { line: 1, column: 1 }, `missing version; add \`version: 1\` as the first line`);
  }
  if (typeof data.version === 'number' && SUPPORTED_CONFIG_VERSIONS.includes(data.version)) return null;
  return issueAt(
    file,
    ['version'],
    source.find(['version']),
    `unsupported config version ${JSON.stringify(data.version)}; this benchbot reads version ${supported}: rewrite the file for it (see benchbot.example.yaml) or upgrade benchbot`,
  );
}

function byLine(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER);
}

// Far beyond any real config (the deepest key is about six levels down), and well short of the
// depth at which yaml's composer overflows.
const MAX_DEPTH = 32;

const MAX_ALIAS_COUNT = 1000;
const TOO_MANY_ALIASES = Symbol('too many aliases');

/**
 * Aliases that cannot be expanded: one naming no anchor before it (yaml's toJS throws on it), or one
 * inside the node it names (an endless value that overflows the stack of whatever walks it).
 */
function unexpandableAliases(doc: Document, lineCounter: LineCounter, file: string): ConfigIssue[] {
  const anchors = new Map<string, Node>();
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Node(_, node, path) {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return;
      }
      const target = anchors.get(node.source);
      const message =
        target === undefined
          ? `alias *${node.source} has no anchor &${node.source} before it: define the anchor first, or write the value out`
          : path.includes(target)
            ? `alias *${node.source} is inside the value &${node.source} it repeats, so that value would never end: write it out instead`
            : undefined;
      if (message === undefined) return;
      const position = node.range ? lineCounter.linePos(node.range[0]) : null;
      issues.push({ file, path: '', line: position?.line ?? null, column: position?.col ?? null, message });
    },
  });
  return issues;
}

/** The document as plain data; yaml throws a ReferenceError instead when aliases expand too far. */
function expandAliases(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    if (error instanceof ReferenceError) return TOO_MANY_ALIASES;
    throw error;
  }
}

/** Parses and validates a config file's text; `file` is only used to name it in issues. */
export function parseConfig(text: string, file: string): ConfigResult {
  const lineCounter = new LineCounter();
  const tooDeep = yamlTooDeepAt(text, MAX_DEPTH, lineCounter.addNewLine);
  if (tooDeep !== undefined) {
    const { line, col } = lineCounter.linePos(tooDeep);
    const message = `nested more than ${MAX_DEPTH} levels deep; a benchbot config needs far fewer: check the indentation here`;
    return { ok: false, issues: [{ file, path: '', line, column: col, message }] };
  }
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { file, path: '', line, column: col, message: `YAML syntax error: ${error.message}` };
    });
    return { ok: false, issues };
  }
  // yaml only warns of a tag it does not know (`!foo`, `!!python/object`) and keeps the plain value:
  // whoever wrote the tag meant something benchbot would silently not do.
  const unknownTags = doc.warnings.filter((warning) => warning.code === 'TAG_RESOLVE_FAILED');
  if (unknownTags.length > 0) {
    const issues = unknownTags.map((warning) => {
      const { line, col } = lineCounter.linePos(warning.pos[0]);
      const tag = warning.message.replace(/^Unresolved tag: /, '');
      const message = `unknown YAML tag ${tag}: a benchbot config takes plain values; remove the tag`;
      return { file, path: '', line, column: col, message };
    });
    return { ok: false, issues };
  }
  const aliasIssues = unexpandableAliases(doc, lineCounter, file);
  if (aliasIssues.length > 0) return { ok: false, issues: aliasIssues };
  const source = new SourceMap(doc, lineCounter);
  const data = expandAliases(doc);
  if (data === TOO_MANY_ALIASES) {
    const message = `the aliases (*name) expand to more than ${MAX_ALIAS_COUNT} nodes, as in a "billion laughs" YAML bomb; a benchbot config needs few: write the values out or alias smaller parts`;
    return { ok: false, issues: [{ file, path: '', line: null, column: null, message }] };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    const message =
      data === null || data === undefined
        ? 'the file is empty; start it with `version: 1` (see benchbot.example.yaml)'
        : `the top level must be a mapping starting with \`version: 1\`, not ${describeValue(data)}`;
    return { ok: false, issues: [issueAt(file, [], { line: 1, column: 1 }, message)] };
  }
  const version = versionIssue(data as Record<string, unknown>, file, source);
  if (version) return { ok: false, issues: [version] };

  const parsed = configSchema.safeParse(data, { error: messageFor });
  const shapeIssues = parsed.success ? [] : schemaIssues(parsed.error, file, source);
  // A pasted token under an unknown key such as `token:` is already reported by that key.
  const reported = new Set(shapeIssues.map((issue) => issue.path));
  const secrets = secretIssues(data, [], file, source).filter((issue) => !reported.has(issue.path));
  const issues = [...secrets, ...shapeIssues];
  if (issues.length > 0 || !parsed.success) return { ok: false, issues: issues.sort(byLine) };
  return { ok: true, config: parsed.data };
}

/** One issue per line: `benchbot.yaml:12:7 repos[1].benchmarks[3].name: message`. */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => {
      const location = [issue.file, issue.line, issue.line === null ? null : issue.column]
        .filter((part) => part !== null)
        .join(':');
      return issue.path === ''
        ? `${location}: ${issue.message}`
        : `${location} ${issue.path}: ${issue.message}`;
    })
    .join('\n');
}
