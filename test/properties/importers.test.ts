import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ImportResult,
  INPUT_FORMATS,
  type InputFormat,
  importResults,
} from '../../core/results/index.js';
import { hostileNumberText, pathsOf, SEED, swappedValue, updateAt } from './arbitraries.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES_DIR = join(ROOT, 'test/fixtures/importers');

interface Fixture {
  /** Repository-relative, as a user would name it (criterion takes the benchmark name from it). */
  file: string;
  bytes: Buffer;
  text: string;
  json: unknown;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

const FIXTURES: Fixture[] = listFiles(FIXTURES_DIR).map((path) => {
  const bytes = readFileSync(path);
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { file: relative(ROOT, path), bytes, text, json };
});
const JSON_FIXTURES = FIXTURES.filter((f) => f.json !== undefined);

const format = fc.option(fc.constantFrom(...INPUT_FORMATS), { nil: undefined });

function checkImport(result: ImportResult, file: string): void {
  if (result.ok) {
    expect(INPUT_FORMATS).toContain(result.format);
    for (const benchmark of result.benchmarks) {
      expect(typeof benchmark.name === 'string' && benchmark.name !== '').toBe(true);
      for (const sample of benchmark.samples) {
        expect(Number.isFinite(sample), `${benchmark.name}: sample ${sample}`).toBe(true);
      }
    }
    for (const warning of result.warnings) expect(warning.file).toBe(file);
    return;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  for (const error of result.errors) {
    expect(error.file).toBe(file);
    expect(typeof error.place).toBe('string');
    expect(error.message.trim()).not.toBe('');
    if (error.message.startsWith('not valid JSON')) expect(error.place).toMatch(/^line \d+, column \d+$/);
  }
}

function importAndCheck(text: string, file: string, as?: InputFormat): ImportResult {
  const result = importResults(text, file, as);
  checkImport(result, file);
  return result;
}

const fixture = fc.constantFrom(...FIXTURES);
const jsonFixture = fc.constantFrom(...JSON_FIXTURES);

describe('importResults on bad input', () => {
  it('imports every fixture as it is', () => {
    for (const { text, file } of FIXTURES) {
      const result = importAndCheck(text, file);
      // benchmark.json holds only criterion's benchmark id; everything else is importable.
      if (!file.endsWith('benchmark.json')) expect(result.ok, file).toBe(true);
    }
  });

  it('never throws on random bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 512 }),
        fc.constantFrom<BufferEncoding>('utf8', 'latin1'),
        fixture,
        format,
        (bytes, encoding, { file }, as) => {
          importAndCheck(Buffer.from(bytes).toString(encoding), file, as);
        },
      ),
      { numRuns: 400, seed: SEED },
    );
  });

  it('never throws on random JSON', () => {
    const doc = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.record({ benchmarks: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }) }),
      fc.record({ results: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 }) }),
      fc.record({ iters: fc.array(fc.jsonValue()), times: fc.array(fc.jsonValue()) }),
    );
    fc.assert(
      fc.property(doc, fixture, format, (value, { file }, as) => {
        importAndCheck(JSON.stringify(value), file, as);
      }),
      { numRuns: 400, seed: SEED },
    );
  });

  it('never throws on any fixture truncated at every N bytes', () => {
    for (const { bytes, file } of FIXTURES) {
      const own = importResults(bytes.toString('utf8'), file);
      const ownFormat = own.ok ? own.format : undefined;
      const step = Math.max(1, Math.ceil(bytes.length / 150));
      for (let end = 0; end < bytes.length; end += step) {
        const text = bytes.subarray(0, end).toString('utf8');
        importAndCheck(text, file);
        if (ownFormat !== undefined) importAndCheck(text, file, ownFormat);
      }
    }
  });

  it('never throws when a value in a fixture changes type, and keeps samples finite', () => {
    const swap = jsonFixture.chain((f) =>
      fc.record({
        fixture: fc.constant(f),
        at: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        value: swappedValue,
        as: format,
      }),
    );
    fc.assert(
      fc.property(swap, ({ fixture: { json, file }, at, value, as }) => {
        const paths = pathsOf(json);
        const mutated = at.reduce<unknown>(
          (doc, i) => updateAt(doc, paths[i % paths.length] ?? [], () => value),
          json,
        );
        importAndCheck(JSON.stringify(mutated) ?? 'null', file, as);
      }),
      { numRuns: 600, seed: SEED },
    );
  });

  it('keeps samples finite when numbers in a fixture become huge, NaN or Infinity', () => {
    const replacement = fc.oneof(
      hostileNumberText,
      fc.constantFrom(
        'NaN',
        'Infinity',
        '-Infinity',
        '"NaN"',
        '"Infinity"',
        '"1e999"',
        '+Inf',
        '-Inf',
        'Inf',
        '1e400',
      ),
    );
    const edit = fixture.chain((f) =>
      fc.record({
        fixture: fc.constant(f),
        at: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        with: replacement,
        as: format,
      }),
    );
    fc.assert(
      fc.property(edit, ({ fixture: { text, file }, at, with: replacement, as }) => {
        const numbers = [...text.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g)];
        const chosen = new Set(at.map((i) => i % Math.max(1, numbers.length)));
        let mutated = '';
        let last = 0;
        numbers.forEach((match, i) => {
          if (!chosen.has(i)) return;
          mutated += text.slice(last, match.index) + replacement;
          last = match.index + match[0].length;
        });
        importAndCheck(mutated + text.slice(last), file, as);
      }),
      { numRuns: 600, seed: SEED },
    );
  });
});
