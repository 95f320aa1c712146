/**
 * Lies a cheating prover could tell, applied to an honest witness. Generic ones work on any
 * circuit: change one wire, or rewrite a bit decomposition so that its sum is unchanged but a
 * bit is not 0 or 1 (the "out-of-range bits" attack on non-strict decompositions).
 */
import { mod, P } from "../../src/field.js";
import type { BitsLayout, PlanStep } from "../../src/circuit/plan.js";

export function withWire(w: readonly bigint[], wire: number, v: bigint): bigint[] {
  const out = [...w];
  out[wire] = mod(v);
  return out;
}

/** Single-wire changes of `wire`: +1, -1, the negation, and a random field element. */
export function singleWireLies(w: readonly bigint[], wire: number, rand: () => number): bigint[][] {
  const r = BigInt(Math.floor(rand() * 2 ** 52)) * 2n ** 200n + BigInt(Math.floor(rand() * 2 ** 52));
  return [w[wire]! + 1n, w[wire]! - 1n, P - w[wire]!, r % P]
    .filter((v) => mod(v) !== w[wire])
    .map((v) => withWire(w, wire, v));
}

/** Every decomposition a plan step records, with how many elements it covers. */
export function bitLayouts(step: PlanStep, elements: number): { layout: BitsLayout; count: number }[] {
  switch (step.kind) {
    case "input":
    case "param":
      return [{ layout: step.range, count: elements }];
    case "requant": {
      const out = [{ layout: step.bits, count: elements }];
      if (step.actWires.kind === "clip" && step.actWires.hiBits)
        out.push({ layout: step.actWires.hiBits, count: elements });
      return out;
    }
    case "div":
      return [
        { layout: step.quotient, count: elements },
        { layout: step.remainder, count: elements },
        { layout: step.slack, count: elements },
      ];
    case "argmax":
      return [{ layout: step.gap, count: elements }];
    case "commit":
      return step.parts.flatMap((p) => (p.check ? [{ layout: p.check, count: elements }] : []));
    default:
      return [];
  }
}

/**
 * The "non-boolean bit" lie: bit j += 2 and bit j+1 -= 1 leaves Σ 2^i·b_i unchanged, so only
 * booleanity can catch it. Returns one lie per (element, j) tried, at most `limit`.
 */
export function compensatingBitLies(
  w: readonly bigint[],
  layout: BitsLayout,
  count: number,
  limit: number,
  rand: () => number,
): bigint[][] {
  const out: bigint[][] = [];
  if (layout.nBits < 2) return out;
  for (let k = 0; k < limit; k++) {
    const i = Math.floor(rand() * count);
    const j = Math.floor(rand() * (layout.nBits - 1));
    const base = layout.wire + i * layout.nBits;
    const lie = withWire(w, base + j, w[base + j]! + 2n);
    lie[base + j + 1] = mod(lie[base + j + 1]! - 1n);
    out.push(lie);
  }
  return out;
}
