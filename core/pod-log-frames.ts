// How a runner pod hands files (its checkpoint after every round, failure.json, profiles) back to the executor
// through its own log, the one channel that needs no credential in the pod and no extra service:
// each file is gzipped, base64-encoded and cut into chunks printed as JSON lines between a begin
// and an end line. Chunks stay well under the 16 KiB at which container runtimes split a log line.
// Compression and hashing are the caller's (they need node:zlib and node:crypto); this is the framing.

/** base64 characters per chunk line. */
export const FRAME_CHUNK_CHARS = 8192;

/** `profiles/...`: the profiles a finished runner took and their manifest (core/profile/manifest.ts). */
export type FramedFileName = 'checkpoint.json' | 'failure.json' | `profiles/${string}`;

const FILE_NAMES: readonly string[] = ['checkpoint.json', 'failure.json'];
const PROFILE_FRAME = /^profiles\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const isFramedFileName = (name: string): name is FramedFileName =>
  FILE_NAMES.includes(name) || PROFILE_FRAME.test(name);

export type FrameLine =
  | { type: 'file-begin'; name: FramedFileName; sha256: string; chunks: number }
  | { type: 'file-chunk'; name: FramedFileName; index: number; data: string }
  | { type: 'file-end'; name: FramedFileName };

/** A whole file as it came out of the log: gzip+base64 payload and the sha256 of the plain text. */
export interface FramedFile {
  name: FramedFileName;
  /** base64 of the gzipped content. */
  payload: string;
  /** hex sha256 of the uncompressed content. */
  sha256: string;
}

/** The lines that carry one file. */
export function frameFile(file: FramedFile): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < file.payload.length; i += FRAME_CHUNK_CHARS) {
    chunks.push(file.payload.slice(i, i + FRAME_CHUNK_CHARS));
  }
  const lines: FrameLine[] = [
    { type: 'file-begin', name: file.name, sha256: file.sha256, chunks: chunks.length },
    ...chunks.map((data, index): FrameLine => ({ type: 'file-chunk', name: file.name, index, data })),
    { type: 'file-end', name: file.name },
  ];
  return lines.map((line) => JSON.stringify(line));
}

function parseFrameLine(line: string): FrameLine | null {
  if (!line.startsWith('{"type":"file-')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.name !== 'string' || !isFramedFileName(v.name)) return null;
  const name = v.name;
  if (v.type === 'file-begin' && typeof v.sha256 === 'string' && Number.isInteger(v.chunks))
    return { type: 'file-begin', name, sha256: v.sha256, chunks: v.chunks as number };
  if (v.type === 'file-chunk' && Number.isInteger(v.index) && typeof v.data === 'string')
    return { type: 'file-chunk', name, index: v.index as number, data: v.data };
  if (v.type === 'file-end') return { type: 'file-end', name };
  return null;
}

export interface FrameDecoder {
  /** Feeds one log line; returns the file it completes, if any. Lines that are not frames are ignored. */
  push(line: string): FramedFile | null;
  /** True while a file has begun and not ended (its chunks are still arriving). */
  readonly inFrame: boolean;
}

/**
 * Reassembles framed files from log lines. A frame cut short (a lost line, a restart of the
 * stream in its middle) is dropped rather than returned damaged; the next whole one wins.
 */
export function createFrameDecoder(): FrameDecoder {
  let open: { name: FramedFileName; sha256: string; chunks: string[]; expected: number } | null = null;
  return {
    get inFrame() {
      return open !== null;
    },
    push(line) {
      const frame = parseFrameLine(line);
      if (frame === null) return null;
      if (frame.type === 'file-begin') {
        open = { name: frame.name, sha256: frame.sha256, chunks: [], expected: frame.chunks };
        return null;
      }
      if (open === null || open.name !== frame.name) return null;
      if (frame.type === 'file-chunk') {
        if (frame.index !== open.chunks.length) open = null;
        else open.chunks.push(frame.data);
        return null;
      }
      const done = open;
      open = null;
      if (done.chunks.length !== done.expected) return null;
      return { name: done.name, payload: done.chunks.join(''), sha256: done.sha256 };
    },
  };
}
