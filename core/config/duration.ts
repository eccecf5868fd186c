const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_PATTERN = /^([0-9]+[smhd])+$/;

/** Seconds in a duration such as `15m`, `6h`, `1d` or `1h30m`; null if it is not one or is zero. */
export function parseDurationSeconds(text: string): number | null {
  if (!DURATION_PATTERN.test(text)) return null;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)([smhd])/g)) {
    seconds += Number(amount) * (UNIT_SECONDS[unit ?? ''] ?? 0);
  }
  return seconds > 0 ? seconds : null;
}
