/** The quantized models agree with the float models on every bundled test sample. */
import { describe, expect, it } from "vitest";
import { runFloat } from "../../src/model/evaluate.js";
import { runQuantized } from "../../src/quantize/reference.js";
import { dequantize, quantizeInput } from "../../src/quantize/input.js";
import { decide } from "../../src/quantize/accuracy.js";
import { flat, loadModel, loadSamples, MODELS } from "../helpers/fixtures.js";

describe.each(MODELS)("%s accuracy on its 20 test samples", (name) => {
  it("the quantized decision (argmax, or threshold 0.5) equals the float one on every sample, within the error bound", () => {
    const { graph, q } = loadModel(name);
    const s = loadSamples(name);
    let maxErr = 0,
      agree = 0;
    s.inputs.forEach((inp) => {
      const x = Float64Array.from(flat(inp));
      const want = runFloat(graph, new Map([[graph.inputs[0]!.name, { shape: graph.inputs[0]!.shape, data: x }]])).get(
        graph.outputs[0]!.name,
      )!.data;
      const qin = quantizeInput(Array.from(x), q.input, true);
      const got = dequantize(runQuantized(q, qin.tensor).get(q.outputs[0]!.name)!, q.outputs[0]!.scale);
      for (let i = 0; i < got.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - want[i]!));
      if (decide(got) === decide(want)) agree++;
    });
    const bound = q.outputs[0]!.err!;
    console.log(
      `${name}: decision agreement ${agree}/${s.inputs.length}, max |output error| ${maxErr.toFixed(4)}, reported bound ${bound.toFixed(4)}`,
    );
    expect(agree).toBe(s.inputs.length);
    expect(maxErr).toBeLessThanOrEqual(bound);
  });
});
