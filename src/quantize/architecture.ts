/**
 * The architecture hash: what a model is, without its weights. sha256 of a canonical JSON of
 * the quantized graph (the input's shape, scale and accepted range; every node's op with its
 * attributes, shapes and scales; activation tables; strides and windows) in which every
 * parameter tensor (Gemm and Conv weights and biases, affine multipliers and offsets) stands
 * as its shape alone. With hashed params it is, with the params commitment, what a verifier
 * learns about the model; with fixed params the verification key itself is the identity.
 */
import type { QGraph, QNode } from "./qgraph.js";
import type { Tensor } from "../model/graph.js";
import { sha256Hex } from "../util/hash.js";

function shapeOnly(t: Tensor | null): { shape: readonly number[] } | null {
  return t ? { shape: t.shape } : null;
}

function withoutWeights(n: QNode): unknown {
  const op = n.op;
  const base = { name: n.name, source: n.source, inputs: n.inputs, output: n.output, param: n.param ?? false };
  switch (op.kind) {
    case "gemm":
      return { ...base, op: { kind: op.kind, weight: shapeOnly(op.weight), bias: shapeOnly(op.bias) } };
    case "conv":
      return {
        ...base,
        op: { kind: op.kind, weight: shapeOnly(op.weight), bias: shapeOnly(op.bias), params: op.params },
      };
    case "affine":
      return { ...base, op: { kind: op.kind, mul: shapeOnly(op.mul), add: shapeOnly(op.add) } };
    default:
      return { ...base, op };
  }
}

/** JSON with sorted keys and typed arrays as plain arrays: the same graph always gives the same text. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Array.from(x as unknown as ArrayLike<number>);
    if (x && typeof x === "object" && !Array.isArray(x))
      return Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return x;
  });
}

export function architectureSha256(q: QGraph): string {
  const values = [...q.values.values()].map((v) => ({ name: v.name, shape: v.shape, scale: v.scale }));
  const input = { name: q.input.name, shape: q.input.shape, scale: q.input.scale, lo: q.input.lo, hi: q.input.hi };
  return sha256Hex(
    canonical({
      format: "zkinfer-architecture",
      version: 1,
      input,
      outputs: q.outputs.map((o) => o.name),
      values,
      nodes: q.nodes.map(withoutWeights),
    }),
  );
}
