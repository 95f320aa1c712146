/**
 * Regression test for the hashed-params + hashed-output forgery (soundness round 2).
 *
 * The attack: with prover-supplied weights, an output's range came from the compile-time
 * weights, and outputs were packed into commitment slots sized from that range without a
 * check. A model B with other in-range weights can produce outputs beyond those slots; the
 * overflow carries into the neighbouring slot, so B's honest output vector packs to the same
 * field element as a different vector, which the prover could then claim. Here:
 *   - B has fc3's column for output 1 all zero (and output 9's, so the carries stay inside one
 *     field element) and every other weight at the admitted extreme;
 *   - its honest witness satisfies the circuit (completeness: the bounds now hold for every
 *     admitted weight, so no decomposition fails);
 *   - B's outputs do leave the slots the compile-time weights would have given (the attack's
 *     precondition holds), and packed into those old slots they collide with another vector;
 *   - but the circuit's slots hold every output the constraints allow, so B's outputs fit,
 *     and the colliding claim does not open the commitment.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { compileModel, DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { mapInitializer } from "../../src/model/onnx.js";
import { withParams } from "../../src/prove/params.js";
import { runPlanJs } from "../../src/witness/backends/js/reference.js";
import { checkR1cs, toSparse } from "../../src/witness/check.js";
import { packValues, slotOf, valuesFit, perElement } from "../../src/circuit/gadgets/pack.js";
import { checkOutput } from "../../src/verify/commitments.js";
import { decodeOutputs } from "../../src/meta/signals.js";
import { auditOpenings } from "../../src/circuit/audit.js";
import { fixture } from "../helpers/fixtures.js";
import { ArraySink } from "../helpers/tamper.js";
import { asNarrow } from "../../src/quantize/qgraph.js";

const onnxA = readFileSync(fixture("digits_mlp", "model.onnx"));
const calibration = JSON.parse(readFileSync(fixture("digits_mlp", "calibration.json"), "utf8")) as unknown;
const names = { model: "digits_mlp", calibration: "calibration" };

/** Unpacks elements with a slot: the vector a verifier would read back out of them. */
function unpack(elements: readonly bigint[], slot: { lo: number; bits: number }, count: number): number[] {
  const out: number[] = [];
  const k = perElement(slot.bits);
  const mask = (1n << BigInt(slot.bits)) - 1n;
  for (const e of elements)
    for (let j = 0; j < k && out.length < count; j++) out.push(Number((e >> BigInt(slot.bits * j)) & mask) + slot.lo);
  return out;
}

describe("the hashed-params + hashed-output forgery", () => {
  it("is closed: extreme in-range weights prove honestly, their outputs fit the slots, and the colliding claim fails", () => {
    const c = compileModel(
      onnxA,
      calibration,
      { ...DEFAULT_COMPILE, paramVisibility: "hashed", outputVisibility: "hashed" },
      names,
    );
    const { meta, circuit } = c;

    // model B: every weight and bias at the top of its admitted range, fc3's column for output 1 zero
    let onnxB: Uint8Array = onnxA;
    for (const p of meta.params) {
      const top = (p.lo + 2 ** p.bits - 1) / 2 ** p.scale;
      const init = `${p.node.split("/")[1]}.${p.part}`; // "/fc3/Gemm" → fc3.weight
      onnxB = mapInitializer(onnxB, init, (v) => {
        v.fill(top);
        // fc3.weight is [10, 16]: row j holds output j's weights. Output 1 becomes its bias for
        // every input (the value the forgery replaces); output 9 too, so the last slot does not
        // overflow past the element and the carries stay inside it
        if (init === "fc3.weight") {
          v.fill(0, 16, 32);
          v.fill(0, 144, 160);
        }
      });
    }
    const plan = withParams(circuit.plan, meta, onnxB, "B.onnx");
    const input = circuit.plan.tensors[circuit.plan.input]!;
    const x = { shape: input.shape, data: new Float64Array(input.shape.reduce((a, b) => a * b, 1)).fill(input.hi) };
    const sink = new ArraySink(plan.nWires);
    const salt = 1234567n;
    const values = runPlanJs(plan, x, sink, { output: salt });
    expect(checkR1cs(toSparse(circuit.r1cs), sink.w).ok).toBe(true);
    const oB = Array.from(asNarrow(values[plan.outputs[0]!]!, "output").data);

    // the slots the compile-time weights would have given (the old scheme): B leaves them
    const fixed = compileModel(onnxA, calibration, { ...DEFAULT_COMPILE, outputVisibility: "hashed" }, names);
    const oldBounds = fixed.circuit.plan.tensors[fixed.circuit.plan.outputs[0]!]!;
    const oldSlot = slotOf(oldBounds);
    expect(valuesFit(oB, oldSlot)).toBe(false);
    // ...where B's honest outputs pack to the same elements as another vector: the forgery
    const forged = unpack(packValues(oB, oldSlot), oldSlot, oB.length);
    expect(forged).not.toEqual(oB);
    expect(packValues(forged, oldSlot)).toEqual(packValues(oB, oldSlot));

    // the circuit's slot holds every output its constraints allow, B's included
    const entry = meta.publicSignals.layout.find((e) => e.role === "output_hash")!;
    const slot = entry.packing![0]!;
    expect(valuesFit(oB, slot)).toBe(true);
    expect(auditOpenings(circuit.r1cs, circuit.audit).failures).toEqual([]);

    // the verifier's check: B's output opens the commitment, the colliding vector does not
    const pub = Array.from({ length: meta.publicSignals.count }, (_, i) => sink.w[1 + i]!.toString());
    const decoded = decodeOutputs(meta, pub);
    const scale = 2 ** meta.outputs[0]!.scale;
    const claim = (v: number[]) =>
      checkOutput(meta, decoded, { output: v.map((q) => q / scale), salt: salt.toString() }, "claim.json");
    expect(claim(oB).match).toBe(true);
    expect(claim(forged).match).toBe(false);
    // output 1 is fc3's bias for every input (its weights are zero): B produces nothing else there
    const bias = meta.params.find((p) => p.node === "/fc3/Gemm" && p.part === "bias")!;
    expect(oB[1]).toBe(bias.lo + 2 ** bias.bits - 1);
    expect(forged[1]).not.toBe(oB[1]);
  });

  it("a circuit whose slots the constraints do not hold is caught by the opening audit", () => {
    const c = compileModel(
      onnxA,
      calibration,
      { ...DEFAULT_COMPILE, paramVisibility: "hashed", outputVisibility: "hashed" },
      names,
    );
    const audit = c.circuit.audit;
    // shrink the output slot to what the compile-time weights suggest, as the old code did
    const fixed = compileModel(onnxA, calibration, { ...DEFAULT_COMPILE, outputVisibility: "hashed" }, names);
    const oldSlot = slotOf(fixed.circuit.plan.tensors[fixed.circuit.plan.outputs[0]!]!);
    const narrowed = {
      ...audit,
      commitments: audit.commitments.map((k) =>
        k.role === "output_hash" ? { ...k, parts: k.parts.map((p) => ({ ...p, slot: oldSlot })) } : k,
      ),
    };
    const r = auditOpenings(c.circuit.r1cs, narrowed);
    expect(r.failures.length).toBeGreaterThan(0);
    expect(r.failures[0]!.role).toBe("output_hash");
  });
});
