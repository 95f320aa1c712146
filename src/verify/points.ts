/**
 * Curve-membership checks for a proof's points, so a malformed proof gets a reason ("pi_a is
 * not on the curve") rather than a bare "invalid". Plain BigInt arithmetic: no wasm needed,
 * so it works the same in the browser module.
 */
import type { Groth16Proof } from "snarkjs";
import { BN254_Q } from "../field.js";

const Q = BN254_Q;
const m = (a: bigint) => ((a % Q) + Q) % Q;

const isDecimal = (s: unknown) => typeof s === "string" && /^[0-9]+$/.test(s);

/** y² = x³ + 3 for affine (x, y, 1); (0, 1, 0) is the point at infinity. */
function onG1(p: unknown): boolean {
  if (!Array.isArray(p) || p.length !== 3 || !p.every(isDecimal)) return false;
  const [x, y, z] = (p as string[]).map(BigInt) as [bigint, bigint, bigint];
  if (x >= Q || y >= Q) return false;
  if (z === 0n) return x === 0n && y === 1n;
  if (z !== 1n) return false;
  return m(y * y) === m(x * x * x + 3n);
}

// F_q² = F_q[u]/(u² + 1)
type F2 = [bigint, bigint];
const add2 = (a: F2, b: F2): F2 => [m(a[0] + b[0]), m(a[1] + b[1])];
const mul2 = (a: F2, b: F2): F2 => [m(a[0] * b[0] - a[1] * b[1]), m(a[0] * b[1] + a[1] * b[0])];
/** the twist's b: 3 / (9 + u) */
const B2: F2 = [
  19485874751759354771024239261021720505790618469301721065564631296452457478373n,
  266929791119991161246907387137283842545076965332900288569378510910307636690n,
];

function onG2(p: unknown): boolean {
  if (!Array.isArray(p) || p.length !== 3 || !p.every((c) => Array.isArray(c) && c.length === 2 && c.every(isDecimal)))
    return false;
  const [x, y, z] = (p as string[][]).map((c) => c.map(BigInt) as F2) as [F2, F2, F2];
  if ([...x, ...y].some((c) => c >= Q)) return false;
  if (z[0] === 0n && z[1] === 0n) return x[0] === 0n && x[1] === 0n;
  if (z[0] !== 1n || z[1] !== 0n) return false;
  const lhs = mul2(y, y);
  const rhs = add2(mul2(mul2(x, x), x), B2);
  return lhs[0] === rhs[0] && lhs[1] === rhs[1];
}

/** null if every point lies on its curve, else which one does not. */
export async function checkProofPoints(proof: Groth16Proof): Promise<string | null> {
  if (!onG1(proof.pi_a)) return "proof point pi_a is not on the curve";
  if (!onG2(proof.pi_b)) return "proof point pi_b is not on the twisted curve";
  if (!onG1(proof.pi_c)) return "proof point pi_c is not on the curve";
  return null;
}

/** null if the verification key's points all lie on their curves, else which one does not. */
export function checkKeyPoints(vk: { [k: string]: unknown; IC?: unknown[] }): string | null {
  if (!onG1(vk.vk_alpha_1)) return "vk_alpha_1 is not on the curve";
  for (const k of ["vk_beta_2", "vk_gamma_2", "vk_delta_2"])
    if (!onG2(vk[k])) return `${k} is not on the twisted curve`;
  const bad = (vk.IC ?? []).findIndex((p) => !onG1(p));
  return bad >= 0 ? `IC[${bad}] is not on the curve` : null;
}
