/**
 * The float reference interpreter of the primitive ops: used to fold constants at import, to
 * collect calibration statistics, and as "the float model" that quantization error is
 * measured against. Plain loops, no cleverness: this is the definition, not the fast path.
 * The integer reference (quantize/reference.ts) reuses the linear ops' loops, which are exact
 * on integers below 2^53.
 */
import type { Graph, InvertFn, PrimOp, Shape, Tensor } from "./graph.js";
import { broadcastBinary as binary, broadcastIndex, sizeOf } from "./shapes.js";
import { convTerms } from "./windows.js";
import { matmulLayout } from "./indexing.js";
import { SCALAR_FNS } from "./functions.js";
import { ZkError } from "../errors.js";
import { assertNever } from "../util/never.js";

/** Round half to even, as ONNX QuantizeLinear does. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function evalPrim(op: PrimOp, inputs: readonly Tensor[], outShape: Shape): Tensor {
  const x = inputs[0]!;
  let out: Float64Array = new Float64Array(sizeOf(outShape));
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
      convTerms(
        x.shape,
        op.weight.shape,
        outShape,
        op.params,
        (_o, m) => (acc = op.bias ? op.bias.data[m]! : 0),
        (i, k) => (acc += x.data[i]! * w[k]!),
        (o) => (out[o] = acc),
      );
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
    case "select": {
      const all = inputs.length === 1 ? x.data : concatData(inputs);
      for (let i = 0; i < out.length; i++) out[i] = op.map[i]! < 0 ? op.fill : all[op.map[i]!]!;
      break;
    }
    case "add":
      out = binary(x, inputs[1]!, outShape, (a, b) => a + op.sign * b);
      break;
    case "mul":
      out = binary(x, inputs[1]!, outShape, (a, b) => a * b);
      break;
    case "softmax": {
      const { start, indices } = op.groups;
      for (let g = 0; g + 1 < start.length; g++) {
        let m = -Infinity,
          s = 0;
        for (let j = start[g]!; j < start[g + 1]!; j++) m = Math.max(m, x.data[indices[j]!]!);
        for (let j = start[g]!; j < start[g + 1]!; j++) s += Math.exp(x.data[indices[j]!]! - m);
        for (let j = start[g]!; j < start[g + 1]!; j++) out[indices[j]!] = Math.exp(x.data[indices[j]!]! - m) / s;
      }
      break;
    }
    case "matmul": {
      const L = matmulLayout(x.shape, inputs[1]!.shape)!;
      const b = inputs[1]!.data;
      for (let t = 0; t < L.batch; t++)
        for (let i = 0; i < L.M; i++)
          for (let j = 0; j < L.N; j++) {
            let acc = 0;
            for (let k = 0; k < L.K; k++) acc += x.data[L.aOffset[t]! + i * L.K + k]! * b[L.bOffset[t]! + k * L.N + j]!;
            out[(t * L.M + i) * L.N + j] = acc;
          }
      break;
    }
    case "max":
    case "sum":
    case "argmax": {
      const { start, indices } = op.groups;
      for (let g = 0; g < out.length; g++) {
        let m = -Infinity,
          s = 0,
          at = 0;
        for (let j = start[g]!; j < start[g + 1]!; j++) {
          const v = x.data[indices[j]!]!;
          if (v > m) {
            m = v;
            at = j - start[g]!;
          }
          s += v;
        }
        out[g] = op.kind === "max" ? m : op.kind === "argmax" ? at : op.mult ? s * op.mult[g]! : s;
      }
      break;
    }
    case "relu":
      for (let i = 0; i < out.length; i++) out[i] = Math.max(0, x.data[i]!);
      break;
    case "clip":
      for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(x.data[i]!, op.lo), op.hi);
      break;
    case "leaky":
      for (let i = 0; i < out.length; i++) out[i] = x.data[i]! >= 0 ? x.data[i]! : op.alpha * x.data[i]!;
      break;
    case "fn": {
      const f = SCALAR_FNS[op.fn];
      for (let i = 0; i < out.length; i++) out[i] = f(x.data[i]!);
      break;
    }
    case "invert":
      for (let i = 0; i < out.length; i++) out[i] = INVERT_FNS[op.fn](x.data[i]!);
      break;
    case "div":
      out = binary(x, inputs[1]!, outShape, (a, b) => a / b);
      break;
    case "fakequant":
      for (let i = 0; i < out.length; i++) {
        const q = Math.min(Math.max(roundHalfEven(x.data[i]! / op.scale) + op.zeroPoint, op.qmin), op.qmax);
        out[i] = (q - op.zeroPoint) * op.scale;
      }
      break;
    default:
      return assertNever(op, "primitive op");
  }
  return { shape: outShape, data: out };
}

const INVERT_FNS: Record<InvertFn, (x: number) => number> = {
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  recip: (x) => 1 / x,
};

function concatData(inputs: readonly Tensor[]): Float64Array {
  const all = new Float64Array(inputs.reduce((n, t) => n + t.data.length, 0));
  let at = 0;
  for (const t of inputs) {
    all.set(t.data, at);
    at += t.data.length;
  }
  return all;
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
