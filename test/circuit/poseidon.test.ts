import { describe, expect, it } from "vitest";
import { buildPoseidon } from "circomlibjs";
import { poseidonGadget, poseidonHash, sboxCount } from "../../src/circuit/gadgets/poseidon.js";
import { ConstraintSystem } from "../../src/circuit/builder.js";
import { LinearCombination } from "../../src/circuit/lc.js";
import { checkR1cs, toSparse } from "../../src/witness/check.js";
import { mod } from "../../src/field.js";

describe("Poseidon", () => {
  it("matches circomlibjs for every arity 1..16", async () => {
    const ref = await buildPoseidon();
    for (let n = 1; n <= 16; n++) {
      const xs = Array.from({ length: n }, (_, i) => BigInt(i * 1000003 + n) ** 5n);
      const want = ref.F.toObject(ref(xs.map((x) => mod(x))));
      expect(poseidonHash(xs)).toBe(want);
    }
  });

  it("as constraints: satisfied by the recorded S-boxes, 3 per S-box, and broken by any change", () => {
    const n = 3;
    const cs = new ConstraintSystem({ nPubOut: 1, nPubIn: 0, nPrvIn: n });
    const inputs = [2n, 3n, 5n];
    const first = cs.alloc(3 * sboxCount(n), "sbox");
    const { hash } = poseidonGadget(
      cs,
      inputs.map((_, i) => LinearCombination.wire(2 + i)),
      first,
    );
    cs.enforceEqual(LinearCombination.wire(1), hash);
    const w: bigint[] = new Array(cs.nWires).fill(0n);
    w[0] = 1n;
    inputs.forEach((v, i) => (w[2 + i] = v));
    let k = first;
    w[1] = poseidonHash(inputs, (x2, x4, x5) => {
      w[k++] = x2;
      w[k++] = x4;
      w[k++] = x5;
    });
    const r1cs = toSparse({ nWires: cs.nWires, nPubOut: 1, nPubIn: 0, nPrvIn: n, constraints: cs.constraints });
    expect(cs.constraints.length).toBe(3 * sboxCount(n) + 1);
    expect(checkR1cs(r1cs, w).ok).toBe(true);
    for (const wire of [1, 2, first, first + 1, first + 2, k - 1, Math.floor((first + k) / 2)]) {
      const bad = [...w];
      bad[wire] = mod(bad[wire]! + 1n);
      expect(checkR1cs(r1cs, bad).ok, `wire ${wire}`).toBe(false);
    }
  });
});
