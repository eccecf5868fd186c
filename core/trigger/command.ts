export type CommandKind = 'run-all' | 'run-named' | 'queue' | 'cancel';

export interface Command {
  kind: CommandKind;
  /** The trigger phrase as it is conventionally written, for messages. */
  phrase: string;
  /** Whitespace-separated words after the phrase on the trigger line. */
  args: string[];
}

export interface FirstLine {
  text: string;
  /** 1-based line number in the comment. */
  number: number;
  /** Offset just past the line's terminator. */
  end: number;
}

// Whole words, so `run benchmarksfoo` and `cancel benchmarks` are ordinary text, not triggers.
const PHRASES: readonly { kind: CommandKind; phrase: string; pattern: RegExp }[] = [
  { kind: 'run-all', phrase: 'run benchmarks', pattern: /^run\s+benchmarks(?:\s|$)/i },
  { kind: 'run-named', phrase: 'run benchmark', pattern: /^run\s+benchmark(?:\s|$)/i },
  { kind: 'queue', phrase: 'show benchmark queue', pattern: /^show\s+benchmark\s+queue(?:\s|$)/i },
  { kind: 'cancel', phrase: 'cancel benchmark', pattern: /^cancel\s+benchmark(?:\s|$)/i },
];

// In markdown, a first line indented this far is a code block: an example, not a request.
const CODE_BLOCK_INDENT = 4;

export function firstNonEmptyLine(comment: string): FirstLine | undefined {
  const terminator = /\r\n|\r|\n/g;
  let start = 0;
  for (let number = 1; start <= comment.length; number++) {
    const match = terminator.exec(comment);
    const stop = match ? match.index : comment.length;
    const text = comment.slice(start, stop);
    const end = match ? stop + match[0].length : comment.length;
    if (text.trim() !== '') return { text, number, end };
    if (!match) return undefined;
    start = end;
  }
  return undefined;
}

function indentWidth(line: string): number {
  let width = 0;
  for (const c of line) {
    if (c === '\t') width += 4 - (width % 4);
    else if (c === ' ') width += 1;
    else break;
  }
  return width;
}

/** The command a trigger line starts with; quoted (`> …`) and code-block lines never match. */
export function matchCommand(line: string): Command | undefined {
  if (indentWidth(line) >= CODE_BLOCK_INDENT) return undefined;
  const text = line.trim();
  for (const { kind, phrase, pattern } of PHRASES) {
    const match = pattern.exec(text);
    if (match) {
      const rest = text.slice(match[0].length).trim();
      return { kind, phrase, args: rest === '' ? [] : rest.split(/\s+/) };
    }
  }
  return undefined;
}
