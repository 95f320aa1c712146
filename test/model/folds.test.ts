/**
 * The import-time rewrites that LayerNormalization's ONNX function body needs (model/fold.ts,
 * model/fold-variance.ts): E[x²] − E[x]² becomes E[(x − E[x])²] only when both means reduce one
 * tensor over the same axes, and a Sqrt folds into one rsqrt only when every consumer divides by
 * it or inverts it. The rewritten graphs keep the float meaning (against onnxruntime).
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/model/import.js";
import { runFloat } from "../../src/model/evaluate.js";
import type { Graph } from "../../src/model/graph.js";
import { encodeOnnx, runOrt, type EncodeModel } from "../helpers/onnx.js";

const f = (name: string, v: number) => ({ name, shape: [], data: [v] });
type Nodes = EncodeModel["nodes"];

function model(nodes: Nodes, outputs: string[], shape = [3, 4], extra = [f("eps", 1e-5)]): EncodeModel {
  return {
    opset: 13,
    inputs: [{ name: "x", shape }],
    initializers: extra,
    nodes,
    outputs: outputs.map((name) => ({ name })),
  };
}

/** E[x²] over `axes2` minus E[x]² over `axes1`, + ε. */
function variance(axes1: number[], axes2: number[], op2 = "ReduceMean"): Nodes {
  return [
    { opType: "ReduceMean", inputs: ["x"], outputs: ["mu"], attrs: { axes: axes1 } },
    { opType: "Mul", inputs: ["x", "x"], outputs: ["sq"] },
    { opType: op2, inputs: ["sq"], outputs: ["msq"], attrs: { axes: axes2 } },
    { opType: "Mul", inputs: ["mu", "mu"], outputs: ["sqm"] },
    { opType: "Sub", inputs: ["msq", "sqm"], outputs: ["v"] },
    { opType: "Add", inputs: ["v", "eps"], outputs: ["ve"] },
  ];
}

const graphOf = (m: EncodeModel): Graph => importOnnx(encodeOnnx(m), "test").graph;
const kinds = (g: Graph) => g.nodes.map((n) => (n.op.kind === "invert" ? n.op.fn : n.op.kind));
const x = Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.7) * 2 + 0.5);

async function matchesOrt(m: EncodeModel): Promise<void> {
  const g = graphOf(m);
  const v = runFloat(g, new Map([["x", { shape: [3, 4], data: Float64Array.from(x) }]]));
  const want = await runOrt(encodeOnnx(m), Float32Array.from(x), [3, 4]);
  g.outputs.forEach((o, k) =>
    Array.from(v.get(o.name)!.data).forEach((got, i) => expect(got).toBeCloseTo(want[k]![i]!, 5)),
  );
}

describe("import-time folds for LayerNormalization's function body", () => {
  it("E[x²] − E[x]² over one set of axes becomes the mean of squared deviations", async () => {
    const m = model(variance([1], [1]), ["ve"]);
    // mean, x − mean, its square, their mean, + ε: no square of the mean, no difference of means
    expect(kinds(graphOf(m))).toEqual(["sum", "add", "mul", "sum", "affine"]);
    await matchesOrt(m);
  });

  it("is left alone when the means differ: other axes, or a sum instead of a mean", () => {
    for (const m of [model(variance([0], [1]), ["v"], [4, 4]), model(variance([1], [1], "ReduceSum"), ["v"])]) {
      const g = graphOf(m);
      expect(g.nodes.filter((n) => n.op.kind === "mul").length, kinds(g).join(" ")).toBe(2);
    }
  });

  it("a Sqrt both divided by and inverted becomes one rsqrt; with another consumer it stays", async () => {
    const nodes: Nodes = [
      ...variance([1], [1]),
      { opType: "Sqrt", inputs: ["ve"], outputs: ["sd"] },
      { opType: "Sub", inputs: ["x", "mu"], outputs: ["d"] },
      { opType: "Div", inputs: ["d", "sd"], outputs: ["n"] },
      { opType: "Reciprocal", inputs: ["sd"], outputs: ["inv"] },
    ];
    const folded = model(nodes, ["n", "inv"]);
    const k = kinds(graphOf(folded));
    expect(k.filter((s) => s === "rsqrt").length).toBe(1);
    expect(k.some((s) => s === "sqrt" || s === "div" || s === "recip")).toBe(false);
    await matchesOrt(folded);
    const kept = kinds(
      graphOf(
        model(
          [...nodes, { opType: "Add", inputs: ["sd", "one"], outputs: ["s1"] }],
          ["n", "inv", "s1"],
          [3, 4],
          [f("eps", 1e-5), f("one", 1)],
        ),
      ),
    );
    expect(kept).toContain("sqrt");
    expect(kept).toContain("div");
  });
});
