/**
 * Activations fused into a requant: they read the bits of the requant's decomposition of q,
 * and compare and select with the comparison gadget (compare.ts).
 *
 *  - relu:  y = select(s, q, 0), s = [q ≥ 0] the top bit of a layout signed around 0.  +1 constraint
 *  - leaky: r = relu(q), y = alpha·q + (2^as - alpha)·r, a linear combination at
 *           scale + as: exact, no rounding.                                      +1 constraint
 *  - clip:  lower bound lo: the layout is signed around lo, y1 = select(s, q, lo).  +1
 *           upper bound hi: s2 = isGe(hi - y1) (m2 bits), y = select(s2, y1, hi).   +m2 + 2
 *  - poly:  the top t bits of q - qMin select a segment (one-hot: 2^t - 2 products), the low
 *           w bits are u, and Horner's rule over the segment's coefficients costs d products.
 *                                                                               +2^t - 2 + d
 * Soundness: every bit and sign here comes from a unique decomposition; the one-hot is a
 * product tree of those bits (so exactly one entry is 1, the right one), and each product
 * is its own constraint.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination } from "../lc.js";
import type { ActivationWires, PlanStep } from "../plan.js";
import type { Activation, Ints, PolyTable } from "../../quantize/qgraph.js";
import type { RequantLayout } from "../../quantize/layout.js";
import { rescaleInt } from "../../quantize/layout.js";
import type { WireSink } from "../wires.js";
import { isGe, isGeWitness, select, selectValue, signedBits } from "./compare.js";
import { assertNever } from "../../util/never.js";

type L = LinearCombination;
const LC = LinearCombination;

export function activationCost(act: Activation): string {
  return act.kind === "none" ? "requant" : `requant+${act.kind === "poly" ? act.table.fn : act.kind}`;
}

/** The signed decomposition of the upper clamp's d = hi - y1, sized from y1's bounds. */
function clipHiBits(hi: number, y1Lo: number, y1Hi: number): { m2: number; offset: number } {
  const m2 = signedBits(hi - y1Hi, hi - y1Lo);
  return { m2, offset: 2 ** (m2 - 1) };
}

/** y1's bounds: q's honest range after the lower clamp. */
function y1Bounds(act: Extract<Activation, { kind: "clip" }>, L: RequantLayout): [number, number] {
  const qHiMax = L.qMin + 2 ** L.m - 1;
  return [act.lo ?? L.qMin, Math.max(qHiMax, act.lo ?? -Infinity)];
}

/**
 * Applies `act` to q (per element: q's LC and the m bits of q - qMin, LSB first).
 * Returns the outputs and the wires it allocated.
 */
export function applyActivation(
  cs: ConstraintSystem,
  act: Activation,
  qs: L[],
  qBits: L[][],
  lay: RequantLayout,
  name: string,
): { out: L[]; wires: ActivationWires } {
  const n = qs.length;
  switch (act.kind) {
    case "none":
      return { out: qs, wires: { kind: "none" } };
    case "relu":
    case "leaky": {
      const wire = cs.alloc(n, `${name}.relu`);
      const zero = LC.zero();
      const rs = qs.map((q, i) => select(cs, qBits[i]![lay.m - 1]!, q, zero, wire + i)); // r = [q ≥ 0] ? q : 0
      const out =
        act.kind === "relu"
          ? rs
          : qs.map((q, i) => LC.sum([q, rs[i]!], [BigInt(act.alpha), BigInt(2 ** act.alphaShift - act.alpha)]));
      return { out, wires: { kind: "relu", wire } };
    }
    case "clip": {
      let y1 = qs;
      let loWire = -1;
      if (act.lo !== null) {
        loWire = cs.alloc(n, `${name}.clip_lo`);
        const lo = LC.constant(act.lo);
        y1 = qs.map((q, i) => select(cs, qBits[i]![lay.m - 1]!, q, lo, loWire + i)); // [q ≥ lo] ? q : lo
      }
      if (act.hi === null) return { out: y1, wires: { kind: "clip", loWire, hiBits: null, hiWire: -1 } };
      const [y1Lo, y1Hi] = y1Bounds(act, lay);
      const { m2, offset } = clipHiBits(act.hi, y1Lo, y1Hi);
      const hi = LC.constant(act.hi);
      const { bits, wire } = isGe(
        cs,
        y1.map((y) => hi.add(y, -1n)),
        m2,
        `${name}.clip_hi`,
      ); // [hi - y1 ≥ 0]
      const hiWire = cs.alloc(n, `${name}.clip`);
      const out = y1.map((y, i) => select(cs, bits[i]![m2 - 1]!, y, hi, hiWire + i)); // [y1 ≤ hi] ? y1 : hi
      return { out, wires: { kind: "clip", loWire, hiBits: { offset, nBits: m2, wire }, hiWire } };
    }
    case "poly":
      return polyActivation(cs, act.table, qBits, name);
    default:
      return assertNever(act, "activation");
  }
}

/** 2^t - 2 one-hot products, then d Horner products, per element. */
function polyPerElement(t: PolyTable): number {
  return (t.t >= 2 ? 2 ** t.t - 2 : 0) + t.d;
}

function polyActivation(
  cs: ConstraintSystem,
  table: PolyTable,
  qBits: L[][],
  name: string,
): { out: L[]; wires: ActivationWires } {
  const { t, w, d } = table;
  const per = polyPerElement(table);
  const wire = cs.alloc(qBits.length * per, `${name}.poly`, per);
  const out = qBits.map((bits, i) => {
    let next = wire + i * per;
    const u = LC.sum(
      bits.slice(0, w),
      bits.slice(0, w).map((_, j) => 2n ** BigInt(j)),
    );
    // one-hot of the segment s = Σ 2^j·bits[w + j]: level by level, e·b is a product, e - e·b is free
    let onehot: L[] = [LC.constant(1)];
    for (let j = 0; j < t; j++) {
      const b = bits[w + j]!;
      if (j === 0) {
        onehot = [LC.constant(1).add(b, -1n), b];
        continue;
      }
      const ps = onehot.map((e) => {
        const p = LC.wire(next++);
        cs.enforce(e, b, p);
        return p;
      });
      onehot = [...onehot.map((e, k) => e.add(ps[k]!, -1n)), ...ps];
    }
    const coeff = (j: number) =>
      LC.sum(
        onehot,
        onehot.map((_, s) => BigInt(table.coeffs[s * (d + 1) + j]!)),
      );
    // Horner: h = C_d; h = h·u + C_j·2^(w(d-j))
    let h = coeff(d);
    for (let j = d - 1; j >= 0; j--) {
      const p = LC.wire(next++);
      cs.enforce(h, u, p);
      h = p.add(coeff(j), 2n ** BigInt(w * (d - j)));
    }
    return h;
  });
  return { out, wires: { kind: "poly", wire, perElement: per } };
}

/** The witness twin of applyActivation. */
export function activationWitness(step: Extract<PlanStep, { kind: "requant" }>, x: Ints, sink: WireSink): void {
  const { act, actWires: wires } = step;
  if (wires.kind === "none") return;
  for (let i = 0; i < x.length; i++) {
    const q = rescaleInt(x[i]!, step.shift); // a rescale's output is narrow (the quantizer's define)
    switch (wires.kind) {
      case "relu":
        sink.setInt(wires.wire + i, selectValue(q >= 0 ? 1 : 0, q, 0));
        break;
      case "clip": {
        if (act.kind !== "clip") throw new Error("plan: clip wires for a non-clip activation");
        const y1 = act.lo === null ? q : selectValue(q >= act.lo ? 1 : 0, q, act.lo);
        if (wires.loWire >= 0) sink.setInt(wires.loWire + i, y1);
        if (wires.hiBits) {
          const d = act.hi! - y1;
          isGeWitness(sink, [d], wires.hiBits.nBits, wires.hiBits.wire + i * wires.hiBits.nBits);
          sink.setInt(wires.hiWire + i, selectValue(d >= 0 ? 1 : 0, y1, act.hi!));
        }
        break;
      }
      case "poly": {
        if (act.kind !== "poly") throw new Error("plan: poly wires for a non-poly activation");
        const { t, w, d, coeffs, qMin } = act.table;
        const z = q - qMin;
        const seg = Math.floor(z / 2 ** w);
        const u = z - seg * 2 ** w;
        let next = wires.wire + i * wires.perElement;
        for (let j = 1; j < t; j++) {
          // products e·b at level j: entry k is 1 iff the segment's low j bits are k and bit j is 1
          for (let k = 0; k < 2 ** j; k++) sink.setInt(next++, seg % 2 ** (j + 1) === k + 2 ** j ? 1 : 0);
        }
        let h = coeffs[seg * (d + 1) + d]!;
        for (let j = d - 1; j >= 0; j--) {
          sink.setInt(next++, h * u);
          h = h * u + coeffs[seg * (d + 1) + j]! * 2 ** (w * (d - j));
        }
        break;
      }
      default:
        return assertNever(wires, "activation wires");
    }
  }
}
