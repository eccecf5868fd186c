import { describe, expect, it } from 'vitest';
import { createLineTracker } from '../../adapters/executors/kubernetes/pod-log.js';
import { createFrameDecoder, FRAME_CHUNK_CHARS, frameFile } from '../../core/pod-log-frames.js';

describe('log line tracker', () => {
  it('gives each line once across streams reopened from the last whole second', () => {
    const seen: string[] = [];
    const t = createLineTracker((l) => seen.push(l));
    t.feed(
      '2026-01-01T00:00:01.5Z a\n2026-01-01T00:00:02.1Z b\n2026-01-01T00:00:02.1Z c\n2026-01-01T00:00:02.7Z d-part',
    );
    t.endOfStream();
    expect(t.sinceTime()).toBe('2026-01-01T00:00:02Z');
    // The reopened stream starts at second 2: b and c again, then the whole d.
    t.feed(
      '2026-01-01T00:00:02.1Z b\n2026-01-01T00:00:02.1Z c\n2026-01-01T00:00:02.7Z d\n2026-01-01T00:00:03Z e\n',
    );
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
});

describe('framed files', () => {
  it('round-trips a multi-chunk file and drops a frame with a lost chunk', () => {
    const payload = 'x'.repeat(FRAME_CHUNK_CHARS * 2 + 5);
    const lines = frameFile({ name: 'checkpoint.json', payload, sha256: 'abc' });
    expect(lines).toHaveLength(5);
    const whole = createFrameDecoder();
    expect(lines.map((l) => whole.push(l)).at(-1)).toEqual({
      name: 'checkpoint.json',
      payload,
      sha256: 'abc',
    });
    const damaged = createFrameDecoder();
    expect(
      lines
        .filter((_, i) => i !== 2)
        .map((l) => damaged.push(l))
        .at(-1),
    ).toBeNull();
  });
});
