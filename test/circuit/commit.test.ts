/**
 * The commitment gadget (packing + salted Poseidon): the hash, every S-box and every packing
 * slot are pinned; the forgery's carry between slots is caught by the slot's range check.
 */
import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { commit } from "../../src/circuit/gadgets/commit.js";
import { LinearCombination } from "../../src/circuit/lc.js";
import { rng } from "../helpers/onnx.js";
import { audit, run, withWire, writeTally } from "../helpers/tamper.js";

afterAll(() => writeTally("commit"));

describe("soundness: commitments", () => {
  it("Poseidon over packed values (salted or not): the hash, the S-boxes and every slot are pinned", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.integer(),
        (n, bits, salted, seed) => {
          const r = rng(seed);
          const lo = -(2 ** (bits - 1));
          const xs = Array.from({ length: n }, () => lo + Math.floor(r() * 2 ** bits));
          const salt = BigInt(Math.floor(r() * 2 ** 52)) * 2n ** 150n + 12345n; // a wide field element
          let saltWire = -1;
          const b = run(
            [{ shape: [n], values: xs }],
            (cs, x, ids) => {
              // the inputs are free wires: no constraint holds them, so packing range-checks them into the slot
              saltWire = salted ? cs.alloc(1, "salt") : -1;
              const c = commit(
                cs,
                [{ lcs: x[0]!.lcs, fallback: { lo, hi: lo + 2 ** bits - 1 }, name: "x" }],
                salted ? LinearCombination.wire(saltWire) : null,
                "c",
              );
              expect(c.parts[0]!.check).not.toBeNull();
              const out = cs.alloc(1, "hash");
              cs.enforceEqual(LinearCombination.wire(out), c.hash);
              cs.steps.push({
                kind: "commit",
                parts: [{ tensor: ids[0]!, ...c.parts[0]!.slot, check: c.parts[0]!.check }],
                salt: salted ? { role: "output", wire: saltWire } : null,
                wire: c.sboxWire,
                outWire: out,
              });
              return { shape: [1], lcs: [LinearCombination.wire(out)] };
            },
            [1],
            n,
            { output: salt },
          );
          // the forgery's lie: carry 2^bits out of slot 0 into slot 1 (x0 + 2^bits, x1 - 1); the packed
          // element, and so every S-box and the hash, stay the same: only the slot check can refuse it
          const k = 2 ** bits;
          const lie = withWire(withWire(b.witness, 1, BigInt(xs[0]! + k)), 2, BigInt(xs[1]! - 1));
          audit("Poseidon commitment", b, n, seed, [{ name: "carry between slots, same hash", witness: lie }]);
        },
      ),
      { numRuns: 4, seed: 8 },
    );
  });
});
