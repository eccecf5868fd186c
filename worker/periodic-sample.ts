/**
 * Runs `sample` now and every `intervalMs`, one at a time: while a source is slow to answer, the
 * next tick finds the last sample still running and skips. A source that keeps failing is
 * reported once per outage (`onFirstFailure`), not on every tick. `stop` waits for the sample in
 * flight.
 */
export function samplePeriodically(
  sample: () => Promise<void>,
  intervalMs: number,
  onFirstFailure: (err: unknown) => void,
): { stop(): Promise<void> } {
  let failures = 0;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running !== null) return;
    running = sample()
      .then(
        () => {
          failures = 0;
        },
        (err: unknown) => {
          if (failures++ === 0) onFirstFailure(err);
        },
      )
      .finally(() => {
        running = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
