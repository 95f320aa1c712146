/**
 * Binding a verifier's (or prover's) model to a circuit's parameter entries: by graph position
 * and output name, never by node name alone (ONNX allows two nodes of one name, so one layer's
 * weights could be checked against another's); models with duplicate (name, kind) pairs are
 * refused at compile and at verify. And the small findings: a parameterless model asked to hash
 * its parameters gets a clear error.
 */
import { describe, expect, it } from "vitest";
import { compileModel, DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { bindParams } from "../../src/model/params.js";
import { importOnnx } from "../../src/model/import.js";
import { withParams } from "../../src/prove/params.js";
import { encodeOnnx, randomInput, randomTensor, rng } from "../helpers/onnx.js";

function twoLayers(names: [string, string], seed = 1, scale = 1) {
  const r = rng(seed);
  return encodeOnnx({
    inputs: [{ name: "x", shape: [1, 4] }],
    initializers: [randomTensor("W1", [4, 4], r, scale), randomTensor("W2", [4, 3], r, scale)],
    nodes: [
      { opType: "MatMul", name: names[0], inputs: ["x", "W1"], outputs: ["h"] },
      { opType: "Relu", name: "relu", inputs: ["h"], outputs: ["a"] },
      { opType: "MatMul", name: names[1], inputs: ["a", "W2"], outputs: ["y"] },
    ],
    outputs: [{ name: "y" }],
  });
}

const calibration = { inputs: Array.from({ length: 8 }, (_, i) => Array.from(randomInput([1, 4], rng(10 + i)))) };
const names = { model: "m.onnx", calibration: "c.json" };

describe("parameter binding", () => {
  it("refuses duplicate (name, kind) pairs at compile and at verify", () => {
    const dup = twoLayers(["layer", "layer"]);
    expect(() => compileModel(dup, calibration, { ...DEFAULT_COMPILE, paramVisibility: "hashed" }, names)).toThrow(
      /two gemm nodes are both named "layer"/,
    );
    // fixed weights bind by the file's hash: nothing to confuse, so it compiles
    expect(() => compileModel(dup, calibration, DEFAULT_COMPILE, names)).not.toThrow();
    const ok = compileModel(
      twoLayers(["l1", "l2"]),
      calibration,
      { ...DEFAULT_COMPILE, paramVisibility: "hashed" },
      names,
    );
    expect(() => bindParams(ok.meta.params, importOnnx(dup, "dup.onnx").graph, "dup.onnx")).toThrow(
      /two gemm nodes are both named "layer"/,
    );
  });

  it("binds by graph position and output name, so renamed or reordered layers are not accepted", () => {
    const c = compileModel(
      twoLayers(["l1", "l2"]),
      calibration,
      { ...DEFAULT_COMPILE, paramVisibility: "hashed" },
      names,
    );
    expect(c.meta.params.map((p) => `${p.node}->${p.output}:${p.part}`)).toEqual(["l1->h:weight", "l2->y:weight"]);
    // the same layers under other node names still bind (names are for messages)
    const renamed = bindParams(c.meta.params, importOnnx(twoLayers(["first", "second"]), "r.onnx").graph, "r.onnx");
    expect(renamed.map((b) => b.node.name)).toEqual(["first", "second"]);
    // a model whose first parameter node computes another value is not this architecture
    const r = rng(1);
    const swapped = encodeOnnx({
      inputs: [{ name: "x", shape: [1, 4] }],
      initializers: [randomTensor("W1", [4, 4], r), randomTensor("W2", [4, 3], r)],
      nodes: [
        { opType: "MatMul", name: "l1", inputs: ["x", "W1"], outputs: ["g"] },
        { opType: "Relu", name: "relu", inputs: ["g"], outputs: ["a"] },
        { opType: "MatMul", name: "l2", inputs: ["a", "W2"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    });
    expect(() => bindParams(c.meta.params, importOnnx(swapped, "s.onnx").graph, "s.onnx")).toThrow(
      /parameter node 1 is gemm "l1" computing "g", the circuit's is gemm "l1" computing "h"/,
    );
  });

  it("prove --params refuses weights outside the range the circuit admits, naming the tensor", () => {
    const c = compileModel(
      twoLayers(["l1", "l2"]),
      calibration,
      { ...DEFAULT_COMPILE, paramVisibility: "private" },
      names,
    );
    expect(() => withParams(c.circuit.plan, c.meta, twoLayers(["l1", "l2"], 1, 4), "big.onnx")).toThrow(
      /big\.onnx: node "l1" weight\[\d+\] = .* outside the range this circuit admits/,
    );
    const same = withParams(c.circuit.plan, c.meta, twoLayers(["l1", "l2"]), "same.onnx");
    expect(same.steps.filter((s) => s.kind === "param").length).toBe(2);
  });

  it("a model without parameters cannot hash or hide them: a clear error, not an internal one", () => {
    const relu = encodeOnnx({
      inputs: [{ name: "x", shape: [1, 4] }],
      initializers: [],
      nodes: [{ opType: "Relu", inputs: ["x"], outputs: ["y"] }],
      outputs: [{ name: "y" }],
    });
    for (const paramVisibility of ["hashed", "private"] as const) {
      expect(() => compileModel(relu, calibration, { ...DEFAULT_COMPILE, paramVisibility }, names)).toThrow(
        /this model has no parameters .* use --param-visibility fixed/,
      );
    }
  });
});
