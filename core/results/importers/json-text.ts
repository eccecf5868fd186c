import type { z } from 'zod';
import type { ResultIssue } from '../schema.js';

export type JsonText = { ok: true; value: unknown } | { ok: false; issue: ResultIssue };

/** JSON.parse that reports where the text broke as a line and column instead of throwing. */
export function parseJsonText(text: string, file: string): JsonText {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') return { ok: false, issue: { file, place: '', message: 'the file is empty' } };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // V8 only sometimes says where ("at position N"), so find the spot ourselves.
    const offset = jsonErrorOffset(body);
    const hint = offset >= body.length ? ' (is the file truncated?)' : '';
    return {
      ok: false,
      issue: { file, place: lineColumn(body, offset), message: `not valid JSON: ${message}${hint}` },
    };
  }
}

/** Offset of the first syntax error in invalid JSON text (text.length when it ends too early). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, i)) throw i;
    i += word.length;
  };
  const string = () => {
    if (text[i] !== '"') throw i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) throw i;
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) throw text.length;
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
    if (m === null || m[0] === '') throw i;
    i += m[0].length;
  };
  const items = (close: string, item: () => void) => {
    i++;
    space();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      if (text[i] !== ',') throw i;
      i++;
    }
  };
  const value = (): void => {
    space();
    if (i >= text.length) throw i;
    const c = text[i];
    if (c === '{') {
      items('}', () => {
        space();
        string();
        space();
        if (text[i] !== ':') throw i;
        i++;
        value();
      });
    } else if (c === '[') items(']', value);
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else number();
  };
  try {
    value();
    space();
    return i;
  } catch (at) {
    return Math.min(typeof at === 'number' ? at : text.length, text.length);
  }
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/** `['benchmarks', 3, 'samples', 'baseline', 2, 'value']` → `benchmarks[3].samples.baseline[2].value`. */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

export function issuesFromZod(
  error: z.ZodError,
  file: string,
  base: readonly PropertyKey[] = [],
): ResultIssue[] {
  return error.issues.map((issue) => ({
    file,
    place: formatJsonPath([...base, ...issue.path]) || '(top level)',
    message: issue.message,
  }));
}

/** Parses JSON text and checks it against a tool's schema: one call per importer. */
export function parseJsonWith<T>(
  text: string,
  file: string,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; errors: ResultIssue[] } {
  const json = parseJsonText(text, file);
  if (!json.ok) return { ok: false, errors: [json.issue] };
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) return { ok: false, errors: issuesFromZod(parsed.error, file) };
  return { ok: true, value: parsed.data };
}
