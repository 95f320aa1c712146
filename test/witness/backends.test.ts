/**
 * Every backend produces the identical .wtns, byte for byte: the wasm kernels (one thread, and
 * two with every step split into tiles) against the js reference, on every bundled model and every op model of the ops tests,
 * for random inputs anywhere in the accepted range (fast-check), including circuits with
 * commitments and private weights (the steps the kernels leave to the reference). The webgpu
 * backend has its own file (webgpu.test.ts).
 */
import { describe, it } from "vitest";
import { witnessGenerator, type WitnessGenerator } from "../../src/witness/witness.js";
import { expectSameWitnesses, witnessCases } from "../helpers/witness-cases.js";

describe("wasm and js backends agree byte for byte", () => {
  for (const c of witnessCases()) {
    it(c.name, async () => {
      const gens: WitnessGenerator[] = [
        await witnessGenerator(c.plan, { backend: "js" }),
        await witnessGenerator(c.plan, { backend: "wasm", threads: 1 }),
        // every kernel call split across both threads, however small: the tiles must add up
        await witnessGenerator(c.plan, { backend: "wasm", threads: 2, splitAbove: 0 }),
      ];
      try {
        await expectSameWitnesses(c, gens, 4);
      } finally {
        await Promise.all(gens.map((g) => g.close()));
      }
    });
  }
});
