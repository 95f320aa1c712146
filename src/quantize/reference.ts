/**
 * The integer reference semantics of the quantized ops: the oracle every witness backend is
 * checked against. Linear ops reuse the float interpreter's loops, which are exact here
 * because the compiler bounds every value (and so every partial sum) below 2^53.
 */
import type { Shape } from "../model/graph.js";
import { evalPrim } from "../model/evaluate.js";
import { sizeOf } from "../model/shapes.js";
import type { IntTensor, QGraph, QOp } from "./qgraph.js";

/** floor((x + 2^(k-1)) / 2^k): rescale by 2^-k, rounding half up. Exact for |x| < 2^53. */
export function rescale(x: number, shift: number): number {
  if (shift === 0) return x;
  const d = 2 ** shift;
  return Math.floor((x + d / 2) / d);
}

export function evalQ(op: QOp, inputs: readonly IntTensor[], outShape: Shape): IntTensor {
  if (op.kind !== "requant") return evalPrim(op, inputs, outShape);
  const x = inputs[0]!.data;
  const out = new Float64Array(sizeOf(outShape));
  for (let i = 0; i < out.length; i++) {
    const q = rescale(x[i]!, op.shift);
    out[i] = op.relu && q < 0 ? 0 : q;
  }
  return { shape: outShape, data: out };
}

/** Runs the quantized graph on an already-quantized input; returns every value by name. */
export function runQuantized(q: QGraph, input: IntTensor): Map<string, IntTensor> {
  const values = new Map<string, IntTensor>([[q.input.name, input]]);
  for (const node of q.nodes) {
    const ins = node.inputs.map((n) => values.get(n)!);
    values.set(node.output, evalQ(node.op, ins, q.values.get(node.output)!.shape));
  }
  return values;
}
