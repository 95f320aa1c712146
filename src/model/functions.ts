/**
 * The smooth scalar functions zkinfer approximates in circuits, in float (the reference) with
 * bounds on their slopes (for error propagation). erf uses W. J. Cody's rational
 * approximations (relative error < 1e-15), far below float32 and below any circuit precision.
 */
import type { ScalarFn } from "./graph.js";

/* eslint-disable no-loss-of-precision -- Cody's coefficients as published; each means its nearest double */

function erfSmall(x: number): number {
  // |x| <= 0.5
  const a = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
  const b = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
  const z = x * x;
  let num = a[4]! * z,
    den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + a[i]!) * z;
    den = (den + b[i]!) * z;
  }
  return (x * (num + a[3]!)) / (den + b[3]!);
}

function erfcLarge(y: number): number {
  // y = |x| > 0.5
  if (y < 4) {
    const c = [
      0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909,
      1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
    ];
    const d = [
      15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963,
      4362.61909014324716, 3439.36767414372164, 1230.33935480374942,
    ];
    let num = c[8]! * y,
      den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + c[i]!) * y;
      den = (den + d[i]!) * y;
    }
    return Math.exp(-y * y) * ((num + c[7]!) / (den + d[7]!));
  }
  const p = [
    0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4,
    0.0163153871373020978,
  ];
  const q = [
    2.56852019228982242, 1.87295284992346725, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185,
  ];
  const z = 1 / (y * y);
  let num = p[5]! * z,
    den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + p[i]!) * z;
    den = (den + q[i]!) * z;
  }
  const r = (z * (num + p[4]!)) / (den + q[4]!);
  return (Math.exp(-y * y) / y) * (1 / Math.sqrt(Math.PI) - r);
}

export function erf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.5) return erfSmall(x);
  const v = 1 - erfcLarge(y);
  return x < 0 ? -v : v;
}

const GELU_TANH_K = Math.sqrt(2 / Math.PI);

export const SCALAR_FNS: Readonly<Record<ScalarFn, (x: number) => number>> = {
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  exp: Math.exp,
  log: Math.log,
  erf,
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  gelu_tanh: (x) => 0.5 * x * (1 + Math.tanh(GELU_TANH_K * (x + 0.044715 * x * x * x))),
};

/**
 * An upper bound on |f'| over [lo, hi]: the largest slope seen on a fine grid, plus the
 * largest change of slope between grid points (so the bound holds between them too);
 * Infinity where f is not finite (log of a range that reaches 0).
 */
export function slopeBound(fn: ScalarFn, lo: number, hi: number): number {
  const f = SCALAR_FNS[fn];
  const n = 4096;
  const h = Math.max((hi - lo) / n, 1e-6);
  let maxSlope = 0,
    prev = NaN,
    maxJump = 0;
  for (let i = 0; i < n; i++) {
    const a = lo + i * h;
    const s = Math.abs(f(a + h) - f(a)) / h;
    if (!Number.isFinite(s)) return Infinity; // log at or below 0: no bound
    maxSlope = Math.max(maxSlope, s);
    if (!Number.isNaN(prev)) maxJump = Math.max(maxJump, Math.abs(s - prev));
    prev = s;
  }
  return maxSlope + maxJump;
}
