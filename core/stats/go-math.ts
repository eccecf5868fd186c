// Ports of the few Go math routines benchstat's statistics rest on. JavaScript has no erfc, and
// Math.log/Math.exp-based shortcuts for log-gamma or binomial coefficients round differently;
// benchstat's discrete choices (which order statistic bounds a median CI, which side a tie in a
// binomial PMF goes to) depend on the exact bits, so these mirror Go's operation order.

const erx = 0.8450629115104675;
const pp0 = 0.12837916709551256;
const pp1 = -0.3250421072470015;
const pp2 = -0.02848174957559851;
const pp3 = -0.005770270296489442;
const pp4 = -0.000023763016656650163;
const qq1 = 0.39791722395915535;
const qq2 = 0.0650222499887673;
const qq3 = 0.005081306281875766;
const qq4 = 0.00013249473800432164;
const qq5 = -0.000003960228278775368;
const pa0 = -0.0023621185607526594;
const pa1 = 0.41485611868374833;
const pa2 = -0.3722078760357013;
const pa3 = 0.31834661990116175;
const pa4 = -0.11089469428239668;
const pa5 = 0.035478304325618236;
const pa6 = -0.002166375594868791;
const qa1 = 0.10642088040084423;
const qa2 = 0.540397917702171;
const qa3 = 0.07182865441419627;
const qa4 = 0.12617121980876164;
const qa5 = 0.01363708391202905;
const qa6 = 0.011984499846799107;
const ra0 = -0.009864944034847148;
const ra1 = -0.6938585727071818;
const ra2 = -10.558626225323291;
const ra3 = -62.375332450326006;
const ra4 = -162.39666946257347;
const ra5 = -184.60509290671104;
const ra6 = -81.2874355063066;
const ra7 = -9.814329344169145;
const sa1 = 19.651271667439257;
const sa2 = 137.65775414351904;
const sa3 = 434.56587747522923;
const sa4 = 645.3872717332679;
const sa5 = 429.00814002756783;
const sa6 = 108.63500554177944;
const sa7 = 6.570249770319282;
const sa8 = -0.0604244152148581;
const rb0 = -0.0098649429247001;
const rb1 = -0.799283237680523;
const rb2 = -17.757954917754752;
const rb3 = -160.63638485582192;
const rb4 = -637.5664433683896;
const rb5 = -1025.0951316110772;
const rb6 = -483.5191916086514;
const sb1 = 30.33806074348246;
const sb2 = 325.7925129965739;
const sb3 = 1536.729586084437;
const sb4 = 3199.8582195085955;
const sb5 = 2553.0504064331644;
const sb6 = 474.52854120695537;
const sb7 = -22.44095244658582;

const bits = new DataView(new ArrayBuffer(8));

/** x with the low 32 bits of its IEEE-754 representation cleared (Go's "pseudo-single" trick). */
function truncateLowWord(x: number): number {
  bits.setFloat64(0, x);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

/** Complementary error function, as Go's math.Erfc (FreeBSD's s_erf.c). */
export function erfc(x: number): number {
  const tiny = 2 ** -56;
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x === Number.NEGATIVE_INFINITY) return 2;
  let sign = false;
  if (x < 0) {
    x = -x;
    sign = true;
  }
  if (x < 0.84375) {
    let temp: number;
    if (x < tiny) {
      temp = x;
    } else {
      const z = x * x;
      const r = pp0 + z * (pp1 + z * (pp2 + z * (pp3 + z * pp4)));
      const s = 1 + z * (qq1 + z * (qq2 + z * (qq3 + z * (qq4 + z * qq5))));
      const y = r / s;
      temp = x < 0.25 ? x + x * y : 0.5 + (x * y + (x - 0.5));
    }
    return sign ? 1 + temp : 1 - temp;
  }
  if (x < 1.25) {
    const s = x - 1;
    const p = pa0 + s * (pa1 + s * (pa2 + s * (pa3 + s * (pa4 + s * (pa5 + s * pa6)))));
    const q = 1 + s * (qa1 + s * (qa2 + s * (qa3 + s * (qa4 + s * (qa5 + s * qa6)))));
    return sign ? 1 + erx + p / q : 1 - erx - p / q;
  }
  if (x < 28) {
    const s = 1 / (x * x);
    let r: number;
    let q: number;
    if (x < 1 / 0.35) {
      r = ra0 + s * (ra1 + s * (ra2 + s * (ra3 + s * (ra4 + s * (ra5 + s * (ra6 + s * ra7))))));
      q = 1 + s * (sa1 + s * (sa2 + s * (sa3 + s * (sa4 + s * (sa5 + s * (sa6 + s * (sa7 + s * sa8)))))));
    } else {
      if (sign && x > 6) return 2;
      r = rb0 + s * (rb1 + s * (rb2 + s * (rb3 + s * (rb4 + s * (rb5 + s * rb6)))));
      q = 1 + s * (sb1 + s * (sb2 + s * (sb3 + s * (sb4 + s * (sb5 + s * (sb6 + s * sb7))))));
    }
    const z = truncateLowWord(x);
    const e = Math.exp(-z * z - 0.5625) * Math.exp((z - x) * (z + x) + r / q);
    return sign ? 2 - e / x : e / x;
  }
  return sign ? 2 : 0;
}

const lgamS = [
  -0.07721566490153287, 0.21498241596060885, 0.325778796408931, 0.14635047265246445, 0.02664227030336386,
  0.0018402845140733772, 0.00003194753265841009,
] as const;
const lgamR = [
  1.0, 1.3920053346762105, 0.7219355475671381, 0.17193386563280308, 0.01864591917156529,
  0.0007779424963818936, 0.000007326684307446256,
] as const;
const lgamW = [
  0.4189385332046727, 0.08333333333333297, -0.0027777777772877554, 0.0007936505586430196,
  -0.00059518755745034, 0.0008363399189962821, -0.0016309293409657527,
] as const;

/**
 * log Γ(x) for the integer arguments binomial coefficients need (x >= 1), as Go's math.Lgamma.
 * Only the branches integers reach are ported.
 */
export function lgammaInt(x: number): number {
  if (!Number.isInteger(x) || x < 1) throw new RangeError(`lgammaInt needs an integer >= 1, got ${x}`);
  if (x === 1 || x === 2) return 0;
  if (x < 8) {
    // Go evaluates its rational approximation at y = x - int(x) = 0, which is exactly 0 + 0/q.
    const y = 0;
    const p =
      y *
      (lgamS[0] +
        y * (lgamS[1] + y * (lgamS[2] + y * (lgamS[3] + y * (lgamS[4] + y * (lgamS[5] + y * lgamS[6]))))));
    const q =
      1 + y * (lgamR[1] + y * (lgamR[2] + y * (lgamR[3] + y * (lgamR[4] + y * (lgamR[5] + y * lgamR[6])))));
    let lg = 0.5 * y + p / q;
    let z = 1;
    for (let k = x - 1; k >= 2; k--) z *= y + k;
    lg += Math.log(z);
    return lg;
  }
  const t = Math.log(x);
  const z = 1 / x;
  const y = z * z;
  const w =
    lgamW[0] +
    z * (lgamW[1] + y * (lgamW[2] + y * (lgamW[3] + y * (lgamW[4] + y * (lgamW[5] + y * lgamW[6])))));
  return (x - 0.5) * (t - 1) + w;
}

/** Binomial coefficient C(n, k), as go-moremath's mathx.Choose (exact up to n = 20). */
export function choose(n: number, k: number): number {
  if (k === 0 || k === n) return 1;
  if (k < 0 || n < k) return 0;
  if (n <= 20) {
    // Every partial product is itself a binomial coefficient below 2^53, so this is exact,
    // like Go's int64 computation.
    let c = 1;
    for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
    return c;
  }
  return Math.exp(lgammaInt(n + 1) - lgammaInt(k + 1) - lgammaInt(n - k + 1));
}
