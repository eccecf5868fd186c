import { describe, expect, it } from 'vitest';
import { samplePeriodically } from '../../worker/periodic-sample.js';

const waitFor = async (done: () => boolean) => {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('samplePeriodically', () => {
  it('reports a failing source once per outage, and again after it recovered and failed anew', async () => {
    // fail, fail, fail, ok, fail, fail, ok...
    const script = [false, false, false, true, false, false];
    let calls = 0;
    const reported: unknown[] = [];
    const sampling = samplePeriodically(
      async () => {
        const ok = script[calls++] ?? true;
        if (!ok) throw new Error(`down at ${calls}`);
      },
      5,
      (err) => reported.push((err as Error).message),
    );
    await waitFor(() => calls > script.length);
    await sampling.stop();
    expect(reported).toEqual(['down at 1', 'down at 5']);
  });

  it('skips ticks while a sample is still running, and stop waits for it', async () => {
    let running = 0;
    let most = 0;
    let calls = 0;
    let finished = 0;
    const sampling = samplePeriodically(
      async () => {
        calls++;
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 40));
        running--;
        finished++;
      },
      5,
      () => {},
    );
    await waitFor(() => calls >= 3);
    await sampling.stop();
    expect(most).toBe(1);
    expect(finished).toBe(calls);
  });
});
