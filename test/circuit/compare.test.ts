/**
 * The comparison gadget (isGe + select), on its own: for random a, b in a range, the honest
 * witness (from its witness twins) satisfies the constraints, and every single-wire change, the
 * flipped decision with the other value selected, and non-boolean bits with the same sum are
 * rejected. Max pooling and the clip activation are this gadget (their suites test it in place).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ConstraintSystem } from "../../src/circuit/builder.js";
import { LinearCombination } from "../../src/circuit/lc.js";
import { isGe, isGeWitness, select, selectValue, signedBits } from "../../src/circuit/gadgets/compare.js";
import { checkR1cs, toSparse } from "../../src/witness/check.js";
import { mod, toSigned } from "../../src/field.js";
import { ArraySink, withWire } from "../helpers/tamper.js";

describe("comparison gadget (isGe + select)", () => {
  it("pins [a ≥ b] and the selected value", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 0 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer(),
        fc.integer(),
        (lo, span, ra, rb) => {
          const hi = lo + span;
          const a = lo + (Math.abs(ra) % (span + 1)),
            b = lo + (Math.abs(rb) % (span + 1));
          const m = signedBits(lo - hi, hi - lo);
          const cs = new ConstraintSystem({ nPubOut: 0, nPubIn: 0, nPrvIn: 2 });
          const [A, B] = [LinearCombination.wire(1), LinearCombination.wire(2)];
          const { bits, wire } = isGe(cs, [A.add(B, -1n)], m, "c");
          const y = cs.alloc(1, "y");
          select(cs, bits[0]![m - 1]!, A, B, y);
          const sink = new ArraySink(cs.nWires);
          sink.setInt(1, a);
          sink.setInt(2, b);
          isGeWitness(sink, [a - b], m, wire);
          sink.setInt(y, selectValue(a >= b ? 1 : 0, a, b));
          const r1cs = toSparse({ nWires: cs.nWires, nPubOut: 0, nPubIn: 0, nPrvIn: 2, constraints: cs.constraints });
          const ok = (w: readonly bigint[]) => checkR1cs(r1cs, w).ok;
          expect(ok(sink.w)).toBe(true);
          expect(toSigned(sink.w[y]!)).toBe(BigInt(Math.max(a, b)));
          for (let w = 3; w < cs.nWires; w++)
            for (const d of [1n, -1n]) expect(ok(withWire(sink.w, w, sink.w[w]! + d)), `wire ${w} ± 1`).toBe(false);
          // the flipped decision, with the other value selected to match
          const s = wire + m - 1;
          const flipped = withWire(withWire(sink.w, s, 1n - sink.w[s]!), y, a >= b ? b : a);
          if (a !== b) expect(ok(flipped)).toBe(false);
          // a non-boolean bit pair with the same sum
          if (m >= 2) {
            const nb = withWire(withWire(sink.w, wire, sink.w[wire]! + 2n), wire + 1, mod(sink.w[wire + 1]! - 1n));
            expect(ok(nb)).toBe(false);
          }
        },
      ),
      { numRuns: 60, seed: 21 },
    );
  });
});
