// Digamma and trigamma (the first two derivatives of log Γ), which the empirical-Bayes variance
// prior needs: E[log χ²_d / d] = ψ(d/2) - log(d/2) and Var[log χ²_d] = ψ'(d/2).
// Both by the recurrence ψ(x) = ψ(x+1) - 1/x up to x >= 10, then the asymptotic series, which is
// accurate to about 1e-13 there (Abramowitz & Stegun 6.3.18 and 6.4.12).

export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shift = 0;
  let y = x;
  for (; y < 10; y++) shift -= 1 / y;
  const f = 1 / (y * y);
  const series = f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
  return shift + Math.log(y) - 0.5 / y - series;
}

export function trigamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shift = 0;
  let y = x;
  for (; y < 10; y++) shift += 1 / (y * y);
  const f = 1 / (y * y);
  const series = (f / y) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)));
  return shift + 1 / y + f / 2 + series;
}

/** The x > 0 with trigamma(x) = y, by Smyth's Newton iteration (limma's trigammaInverse). */
export function trigammaInverse(y: number): number {
  if (!(y > 0)) return Number.NaN;
  if (y > 1e7) return 1 / Math.sqrt(y);
  if (y < 1e-6) return 1 / y;
  let x = 0.5 + 1 / y;
  for (let i = 0; i < 50; i++) {
    const tri = trigamma(x);
    const step = -(tri * (1 - tri / y)) / tetragammaNeg(x);
    x += step;
    if (-step / x < 1e-8) break;
  }
  return x;
}

/** -ψ''(x), positive, by the same recurrence and series. */
function tetragammaNeg(x: number): number {
  let shift = 0;
  let y = x;
  for (; y < 10; y++) shift += 2 / (y * y * y);
  const f = 1 / (y * y);
  return shift + f + f / y + f * f * (1 / 2 - f * (1 / 6 - f * (1 / 6 - (3 * f) / 10)));
}
