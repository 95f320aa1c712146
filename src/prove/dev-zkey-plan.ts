/**
 * What a development zkey holds, section by section, as snarkjs's `zkey new` (zkey_new.js)
 * followed by one `zkey contribute` (zkey_contribute.js) would write it, but from the secrets
 * instead of a ptau file. With n = 2^power the domain (power: the bit length of constraints +
 * public signals, snarkjs's cirPower) and L_j the Lagrange basis on it:
 *
 *   A_s = Σ_terms a·L_c(tau) (plus L_(nConstraints+s) for each public s ≤ nPublic, the
 *         constraints snarkjs adds to bind the public inputs), B_s the same over B
 *   K_s = beta·A_s + alpha·B_s + Σ_terms c·L_c(tau): section 3 (IC) for s ≤ nPublic (over
 *         gamma = 1), section 8 (C) over delta for the rest
 *   H_i = L'_(2i+1)(tau)/delta on the domain of 2n, i < n, as snarkjs reads them from level
 *         power+1 of the ptau's section 12: a file of exactly this power, whose level lacks
 *         the tau^(2n-1) term (ptau-plan.ts)
 *
 * Points are affine, Montgomery, little-endian ("LEM"), zero as (0, 0). The file is in
 * snarkjs's order 1, 2, 4, 3, 9, 8, 5, 6, 7, 10. Its csHash (section 10) is blake2b-512 over
 * the uncompressed points of the key snarkjs's `zkey new` makes (delta = 1): alpha1, beta1,
 * beta2, gamma2, delta1 = G1, delta2 = G2, then per point section its length (u32
 * big-endian) and points, IC, H, C, A, B1, B2, where for H snarkjs hashes not section 9's
 * points but tau^i·(tau^n − 1)·G1, i < n − 1 (zkey_new.js hashHPoints). A contribution keeps
 * csHash.
 *
 * Everything here is BigInt arithmetic on a handful of numbers per chunk; per-point work is
 * in the chunks (ptau-chunk.ts).
 */
import { P as R } from "../field.js";
import { ZkError } from "../errors.js";
import { chooseWindow, type Group } from "./fixedbase.js";
import { onDomain, powMod, type Secrets } from "./ptau-plan.js";
import type { ScalarSpec } from "./ptau-chunk.js";

export interface ZkeySecrets extends Secrets {
  readonly delta: bigint;
}

/** snarkjs's zkey of a circuit of this shape. */
export interface ZkeyShape {
  readonly nVars: number;
  readonly nPublic: number;
  readonly nConstraints: number;
  readonly power: number;
  readonly domainSize: number;
}

/** Fr's two-adicity: a domain of 2^28 is the largest, and H needs one of twice the size. */
const MAX_POWER = 27;

/** The shape snarkjs derives from the r1cs header: nPublic = outputs + public inputs; power = bit length of nConstraints + nPublic. */
export function zkeyShape(
  file: string,
  nWires: number,
  nPubOut: number,
  nPubIn: number,
  nConstraints: number,
): ZkeyShape {
  const nPublic = nPubOut + nPubIn;
  const rows = nConstraints + nPublic;
  if (rows >= 2 ** MAX_POWER)
    throw new ZkError("RESOURCE", `${file}: ${nConstraints} constraints need a domain above 2^${MAX_POWER}`);
  // the bit length, exactly (snarkjs: log2 + 1), where Math.log2 could round just below a power of two up to it
  const power = Math.max(1, 32 - Math.clz32(rows));
  return { nVars: nWires, nPublic, nConstraints, power, domainSize: 2 ** power };
}

const inverse = (x: bigint) => powMod(x, R - 2n, R);

/** Refuses secrets that would make a key that cannot prove, naming which. */
export function checkSecrets(s: ZkeySecrets, power: number): void {
  for (const [name, v] of [
    ["alpha", s.alpha],
    ["beta", s.beta],
    ["delta", s.delta],
  ] as const) {
    if (v % R === 0n) throw new ZkError("BAD_INPUT", `development zkey: secret ${name} is zero`);
  }
  if (onDomain(s.tau, power))
    throw new ZkError("BAD_INPUT", `development zkey: tau lies on the domain of 2^${power + 1}`);
}

/** Runs [start, start + size) covering `count`. */
export function ranges(count: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < count; start += size) out.push([start, Math.min(size, count - start)]);
  return out;
}

/** L_j(tau) on the domain of 2^power, for j in a chunk (the scalars A, B and C sum over). */
export function lagrangeSpecs(power: number, tau: bigint, roots: readonly bigint[], chunk: number): ScalarSpec[] {
  const n = 2 ** power;
  const w = roots[power]!;
  const c = (((powMod(tau, BigInt(n), R) - 1n + R) % R) * inverse(BigInt(n))) % R;
  return ranges(n, chunk).map(([start, count]) => ({
    kind: "lagrange",
    x0: powMod(w, BigInt(start), R),
    w,
    tau,
    c,
    last: 0n,
    count,
  }));
}

/** Section 9: L'_(2i+1)(tau)/delta on the domain of 2^(power+1), with level power+1's dropped term (see above). */
export function hSpecs(power: number, s: ZkeySecrets, roots: readonly bigint[], chunk: number): ScalarSpec[] {
  const m = 2 ** (power + 1);
  const w = roots[power + 1]!;
  const times = (inverse(s.delta % R) * inverse(BigInt(m))) % R;
  const c = (((powMod(s.tau, BigInt(m), R) - 1n + R) % R) * times) % R;
  const last = (powMod(s.tau, BigInt(m - 1), R) * times) % R;
  const w2 = (w * w) % R;
  return ranges(m / 2, chunk).map(([start, count]) => ({
    kind: "lagrange",
    x0: (w * powMod(w2, BigInt(start), R)) % R,
    w: w2,
    tau: s.tau,
    c,
    last,
    count,
  }));
}

/** What csHash covers for H: tau^i·(tau^n − 1), i < count (hashedHCount says how many). */
export function hHashSpecs(power: number, tau: bigint, count: number, chunk: number): ScalarSpec[] {
  const zn = (powMod(tau, BigInt(2 ** power), R) - 1n + R) % R;
  return ranges(count, chunk).map(([start, k]) => ({
    kind: "powers",
    first: (zn * powMod(tau, BigInt(start), R)) % R,
    ratio: tau,
    count: k,
  }));
}

/**
 * How many H points snarkjs hashes (zkey_new.js hashHPoints): it declares n − 1, and hashes
 * that many while n − 1 fits its one chunk of 2^14. Above, it takes min(n − 1, 2^14) for
 * every chunk, so it hashes whole chunks, n points, the last tau^(n−1)·(tau^n − 1) read
 * from section 2 at index 2n − 1: with a ptau of a larger power that is the point; with one of
 * exactly this power it lies past the section, and what snarkjs hashes there is bytes of the
 * next section's header. Here the n-th point is always the real one: csHash then is snarkjs's
 * with any ptau of a larger power.
 */
export function hashedHCount(n: number): { readonly declared: number; readonly points: number } {
  return { declared: n - 1, points: n - 1 <= 1 << 14 ? n - 1 : n };
}

/** Each group's table window for this key (every thread makes and uses the same table). */
export function zkeyWindows(shape: ZkeyShape, threads: number): Record<Group, number> {
  const { nVars, domainSize: n } = shape;
  const g1 = 4 * nVars + 2 * n;
  const g2 = nVars + 3;
  return {
    G1: chooseWindow("G1", Math.ceil(g1 / threads), threads),
    G2: chooseWindow("G2", Math.ceil(g2 / threads), threads),
  };
}

/** Section 2 up to its points: n8q, q, n8r, r, nVars, nPublic, domainSize. */
export function grothHeaderBytes(q: bigint, shape: ZkeyShape): Uint8Array {
  const b = new Uint8Array(4 + 32 + 4 + 32 + 12);
  const v = new DataView(b.buffer);
  const put = (at: number, x: bigint) => {
    for (let j = 0; j < 32; j++) b[at + j] = Number((x >> BigInt(8 * j)) & 0xffn);
  };
  v.setUint32(0, 32, true);
  put(4, q);
  v.setUint32(36, 32, true);
  put(40, R);
  v.setUint32(72, shape.nVars, true);
  v.setUint32(76, shape.nPublic, true);
  v.setUint32(80, shape.domainSize, true);
  return b;
}

/** A length as snarkjs hashes it before a section's points (hashU32: big-endian). */
export function hashedLength(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

/** Bytes of each point section. */
export function pointSectionBytes(shape: ZkeyShape): Record<3 | 5 | 6 | 7 | 8 | 9, number> {
  const { nVars, nPublic, domainSize } = shape;
  return {
    3: (nPublic + 1) * 64,
    5: nVars * 64,
    6: nVars * 64,
    7: nVars * 128,
    8: (nVars - nPublic - 1) * 64,
    9: domainSize * 64,
  };
}
