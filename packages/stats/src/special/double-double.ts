/**
 * The few double-double operations the Smirnov sum needs (Dekker 1971;
 * the same representation as SciPy's xsf `dd_real.h`): a value is hi + lo
 * with |lo| <= ulp(hi)/2, giving ~106 bits.
 */
export interface DD {
  hi: number;
  lo: number;
}

const SPLITTER = 134217729; // 2^27 + 1

export function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

export function twoProd(a: number, b: number): DD {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return { hi: p, lo: ah * bh - p + ah * bl + al * bh + al * bl };
}

export function ddAddD(a: DD, b: number): DD {
  const s = twoSum(a.hi, b);
  return quickTwoSum(s.hi, s.lo + a.lo);
}

export function ddMul(a: DD, b: DD): DD {
  const p = twoProd(a.hi, b.hi);
  return quickTwoSum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

export function ddDivD(a: DD, b: number): DD {
  const q1 = a.hi / b;
  const p = twoProd(q1, b);
  const s = twoSum(a.hi, -p.hi);
  const q2 = (s.hi + (s.lo - p.lo + a.lo)) / b;
  return quickTwoSum(q1, q2);
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // index of the high word

/** Splits x != 0 into mantissa in [0.5, 1) (sign kept) and exponent: x = m·2^e. Reads the IEEE bits directly. */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { mantissa: x, exponent: 0 };
  f64[0] = x;
  let hi = u32[HI]!;
  let biased = (hi >>> 20) & 0x7ff;
  let adjust = 0;
  if (biased === 0) {
    // subnormal: scale into the normal range first
    f64[0] = x * 2 ** 64;
    hi = u32[HI]!;
    biased = (hi >>> 20) & 0x7ff;
    adjust = -64;
  }
  u32[HI] = (hi & 0x800fffff) | (1022 << 20);
  return { mantissa: f64[0]!, exponent: biased - 1022 + adjust };
}

/** m·2^e without intermediate overflow/underflow of 2^e. */
export function ldexp(m: number, e: number): number {
  let result = m;
  let rest = e;
  while (rest > 1000) {
    result *= 2 ** 1000;
    rest -= 1000;
  }
  while (rest < -1000) {
    result *= 2 ** -1000;
    rest += 1000;
    if (result === 0) return result;
  }
  return result * 2 ** rest;
}

/**
 * (hi + lo)^m for an integer m >= 0 as mantissa·2^exponent, never under- or
 * overflowing: SciPy's `pow2Scaled_D`. Math.pow on the leading part (< 1 ulp),
 * exp(m·log1p(lo/hi)) for the tail, and the power split into chunks whose
 * partial results stay above 2^-900.
 */
export function powScaled(base: DD, m: number): { mantissa: number; exponent: number } {
  if (m === 0) return { mantissa: 0.5, exponent: 1 };
  if (base.hi === 0) return { mantissa: 0, exponent: 0 };
  const { mantissa: f, exponent: e } = frexp(base.hi);
  const r = base.lo / base.hi;
  const tail = r === 0 ? 1 : Math.exp(m * Math.log1p(r));
  const core = powMantissa(f, m);
  const out = frexp(core.mantissa * tail);
  return { mantissa: out.mantissa, exponent: out.exponent + core.exponent + m * e };
}

function powMantissa(f: number, m: number): { mantissa: number; exponent: number } {
  const bitsLost = -Math.log2(Math.abs(f)); // in (0, 1]
  const chunk = Math.max(1, Math.floor(900 / Math.max(bitsLost, 1e-300)));
  if (m <= chunk) return frexp(Math.pow(f, m));
  const q = Math.floor(m / chunk);
  const rem = m % chunk;
  const big = frexp(Math.pow(f, chunk));
  const raised = powMantissa(big.mantissa, q);
  const small = frexp(Math.pow(f, rem));
  const out = frexp(raised.mantissa * small.mantissa);
  return { mantissa: out.mantissa, exponent: out.exponent + raised.exponent + big.exponent * q + small.exponent };
}
