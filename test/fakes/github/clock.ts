/**
 * The fake's notion of "now". Real time by default so timestamps look ordinary; tests move it forward
 * (to pass a `since` watermark or a rate-limit reset) or freeze it for exact timestamps.
 */
export class FakeClock {
  private offsetMs = 0;
  private frozenAtMs: number | null = null;

  constructor(options: { start?: Date | string | number; frozen?: boolean } = {}) {
    if (options.start !== undefined) this.set(options.start);
    if (options.frozen) this.frozenAtMs = this.now();
  }

  now(): number {
    return this.frozenAtMs ?? Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (this.frozenAtMs !== null) this.frozenAtMs += ms;
    else this.offsetMs += ms;
  }

  set(time: Date | string | number): void {
    const target = new Date(time).getTime();
    if (Number.isNaN(target))
      throw new Error(`FakeClock.set: "${String(time)}" is not a date; pass a Date, ISO string or epoch ms`);
    if (this.frozenAtMs !== null) this.frozenAtMs = target;
    else this.offsetMs = target - Date.now();
  }

  freeze(): void {
    this.frozenAtMs = this.now();
  }
}

/** GitHub timestamps have whole-second precision: `2011-04-14T16:00:49Z`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
