/**
 * The float reference interpreter of the primitive ops: used to fold constants at import, to
 * collect calibration statistics, and as "the float model" that quantization error is
 * measured against. Plain loops, no cleverness: this is the definition, not the fast path.
 */
import type { Graph, PrimOp, Shape, Tensor } from "./graph.js";
import { broadcastIndex, sizeOf } from "./shapes.js";
import { convTerms } from "./windows.js";
import { ZkError } from "../errors.js";

export function evalPrim(op: PrimOp, inputs: readonly Tensor[], outShape: Shape): Tensor {
  const x = inputs[0]!;
  const out = new Float64Array(sizeOf(outShape));
  switch (op.kind) {
    case "gemm": {
      const [K, N] = op.weight.shape as [number, number];
      const W = op.weight.data;
      const rows = x.data.length / K;
      for (let r = 0; r < rows; r++) {
        for (let n = 0; n < N; n++) {
          let acc = op.bias ? op.bias.data[n]! : 0;
          for (let k = 0; k < K; k++) acc += x.data[r * K + k]! * W[k * N + n]!;
          out[r * N + n] = acc;
        }
      }
      break;
    }
    case "conv": {
      const w = op.weight.data;
      let acc = 0;
      convTerms(x.shape, op.weight.shape, outShape, op.params,
        (_o, m) => (acc = op.bias ? op.bias.data[m]! : 0),
        (i, k) => (acc += x.data[i]! * w[k]!),
        (o) => (out[o] = acc));
      break;
    }
    case "affine": {
      const mi = op.mul ? broadcastIndex(op.mul.shape, outShape) : null;
      const ai = op.add ? broadcastIndex(op.add.shape, outShape) : null;
      const xi = broadcastIndex(x.shape, outShape);
      for (let i = 0; i < out.length; i++) {
        let v = x.data[xi[i]!]!;
        if (op.mul && mi) v *= op.mul.data[mi[i]!]!;
        if (op.add && ai) v += op.add.data[ai[i]!]!;
        out[i] = v;
      }
      break;
    }
    case "reshape":
      out.set(x.data);
      break;
    case "relu":
      for (let i = 0; i < out.length; i++) out[i] = Math.max(0, x.data[i]!);
      break;
    case "max": {
      const { start, indices } = op.groups;
      for (let g = 0; g < out.length; g++) {
        let m = -Infinity;
        for (let j = start[g]!; j < start[g + 1]!; j++) m = Math.max(m, x.data[indices[j]!]!);
        out[g] = m;
      }
      break;
    }
  }
  return { shape: outShape, data: out };
}

/** Runs the graph on one set of inputs and returns every computed value by name. */
export function runFloat(graph: Graph, inputs: ReadonlyMap<string, Tensor>): Map<string, Tensor> {
  const values = new Map<string, Tensor>();
  for (const spec of graph.inputs) {
    const t = inputs.get(spec.name);
    if (!t) throw new ZkError("BAD_INPUT", `no value given for model input "${spec.name}"`);
    values.set(spec.name, t);
  }
  for (const node of graph.nodes) {
    const ins = node.inputs.map((n) => values.get(n)!);
    values.set(node.output, evalPrim(node.op, ins, graph.shapes.get(node.output)!));
  }
  return values;
}
