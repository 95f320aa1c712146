/**
 * Gemm and MatMul. A constant right operand makes them the `gemm` primitive (x · W + b, free
 * in the circuit); a constant left operand is the same product transposed; a batched constant
 * (more than 2 dimensions) is one gemm per batch element; two computed operands (attention's
 * QKᵀ and AV) are `matmul`, one constraint per multiply.
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { Tensor } from "../graph.js";
import type { OnnxNode } from "../onnx.js";
import { shapeStr } from "../shapes.js";
import { matmulLayout, transposeMap, type MatmulLayout } from "../indexing.js";
import { quantizedWeight, scaleTensor, transpose2d } from "./util.js";

export const Gemm: OpHandler = (ctx, node) => {
  const a = ctx.operand(node, 0);
  const transA = ctx.int(node, "transA", 0);
  const transB = ctx.int(node, "transB", 0);
  const alpha = ctx.float(node, "alpha", 1);
  const beta = ctx.float(node, "beta", 1);
  if (a.shape.length !== 2) throw ctx.error(node, `input A must be 2-D, got ${shapeStr(a.shape)}`);
  const b = ctx.constant(node, 1, "B (the weight matrix)");
  if (b.shape.length !== 2) throw ctx.error(node, `B must be 2-D, got ${shapeStr(b.shape)}`);
  const input = transA ? transposeLast2(ctx, node, a) : a;
  const [M, K] = input.shape as [number, number];
  const weight = scaleTensor(transB ? transpose2d(b) : b, alpha);
  const [K2, N] = weight.shape as [number, number];
  if (K !== K2) throw ctx.error(node, `A${transA ? "ᵀ" : ""} is ${M}×${K} but B${transB ? "ᵀ" : ""} is ${K2}×${N}`);
  const c = ctx.optionalOperand(node, 2);
  if (c && !c.constant) throw ctx.unsupported(node, `C (input 3, "${c.name}") must be a constant`);
  // a bias that is one row (or a scalar) folds into the gemm; a full [M, N] C becomes an add
  const cT = c?.constant ? scaleTensor(c.constant, beta) : null;
  const rowBias = cT && cT.data.length === N && (cT.shape.length <= 1 || cT.shape[cT.shape.length - 1] === N);
  const scalarBias = cT && cT.data.length === 1;
  const bias = !cT
    ? null
    : rowBias
      ? { shape: [N], data: cT.data }
      : scalarBias
        ? { shape: [N], data: new Float64Array(N).fill(cT.data[0]!) }
        : null;
  const out = node.outputs[0]!;
  if (cT && !bias) {
    const y = ctx.emit(node, { kind: "gemm", weight, bias: null }, [input], [M, N]);
    ctx.emit(node, { kind: "affine", mul: null, add: cT }, [y], [M, N], out);
  } else {
    ctx.emit(node, { kind: "gemm", weight, bias }, [input], [M, N], out);
  }
};

/** Swaps the last two axes (a select). */
function transposeLast2(ctx: ImportContext, node: OnnxNode, x: Operand, name?: string): Operand {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  const { map, shape } = transposeMap(x.shape, perm);
  return ctx.emit(node, { kind: "select", map, fill: 0 }, [x], shape, name);
}

export const MatMul: OpHandler = (ctx, node) => {
  matmul(ctx, node, ctx.operand(node, 0), ctx.operand(node, 1), node.outputs[0]!);
};

/** numpy's a @ b: `gemm` against a constant on either side (of any rank), `matmul` of two computed operands. */
export function matmul(ctx: ImportContext, node: OnnxNode, a: Operand, b: Operand, name?: string): Operand {
  const layout = matmulLayout(a.shape, b.shape);
  if (!layout) throw ctx.error(node, `shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not multiply`);
  const out = layout.outShape;
  const q = b.constant && b.shape.length === 2 ? quantizedWeight(b.constant, 1) : null;
  if (q) {
    // QDQ: the model's integer weights as given, then each column's scale after
    const y = ctx.emit(node, { kind: "gemm", weight: q.ints, bias: null }, [a], out);
    const mul = { shape: [q.scales.length], data: q.scales };
    return ctx.emit(node, { kind: "affine", mul, add: null, pinned: true }, [y], out, name);
  }
  if (b.constant && b.shape.length <= 2)
    return ctx.emit(node, { kind: "gemm", weight: asMatrix(b.constant, "right"), bias: null }, [a], out, name);
  if (a.constant && a.shape.length <= 2 && b.shape.length === 1) {
    // A·b = b·Aᵀ
    const weight = transpose2d(asMatrix(a.constant, "left"));
    return ctx.emit(node, { kind: "gemm", weight, bias: null }, [b], out, name);
  }
  if (a.constant && a.shape.length <= 2) {
    // A·B = (Bᵀ·Aᵀ)ᵀ: the constant becomes a gemm weight between two transposes of the computed side
    const bt = transposeLast2(ctx, node, b);
    const w = transpose2d(asMatrix(a.constant, "left"));
    const yt = ctx.emit(node, { kind: "gemm", weight: w, bias: null }, [bt], [...bt.shape.slice(0, -1), w.shape[1]!]);
    const y = transposeLast2(ctx, node, yt);
    return ctx.emit(node, { kind: "reshape" }, [y], out, name);
  }
  if (a.constant || b.constant) return batchedConstant(ctx, node, a, b, layout, name);
  return ctx.emit(node, { kind: "matmul" }, [a, b], out, name);
}

/**
 * A product with a constant of more than 2 dimensions (batched weights): one gemm per batch
 * element, between that element's slices, the results laid end to end by one `select`; all
 * free. A constant whose batch axes are all 1 is one matrix: a single gemm.
 */
function batchedConstant(ctx: ImportContext, node: OnnxNode, a: Operand, b: Operand, L: MatmulLayout, name?: string) {
  const [M, K, N] = [L.M, L.K, L.N];
  if (b.constant && L.bOffset.every((o) => o === L.bOffset[0])) {
    const weight = { shape: [K, N], data: b.constant.data.subarray(L.bOffset[0]!, L.bOffset[0]! + K * N) };
    const y = ctx.emit(node, { kind: "gemm", weight, bias: null }, [a], [...a.shape.slice(0, -1), N]);
    return ctx.emit(node, { kind: "reshape" }, [y], L.outShape, name);
  }
  const parts: Operand[] = [];
  for (let t = 0; t < L.batch; t++) {
    const at = matrixAt(ctx, node, a, L.aOffset[t]!, [M, K]);
    const bt = matrixAt(ctx, node, b, L.bOffset[t]!, [K, N]);
    parts.push(matmul(ctx, node, at, bt));
  }
  const map = Int32Array.from({ length: L.batch * M * N }, (_, i) => i);
  return ctx.emit(node, { kind: "select", map, fill: 0 }, parts, L.outShape, name);
}

/** The matrix of `shape` starting at flat offset `at` of x: a constant slice, or a select. */
function matrixAt(ctx: ImportContext, node: OnnxNode, x: Operand, at: number, shape: [number, number]): Operand {
  const n = shape[0] * shape[1];
  if (x.constant)
    return { name: `${x.name}@${at}`, shape, constant: { shape, data: x.constant.data.subarray(at, at + n) } };
  const map = Int32Array.from({ length: n }, (_, i) => at + i);
  return ctx.emit(node, { kind: "select", map, fill: 0 }, [x], shape);
}

/** A 1-D constant operand as the column (right) or row (left) matrix numpy matmul makes of it. */
function asMatrix(t: Tensor, side: "left" | "right"): Tensor {
  if (t.shape.length === 2) return t;
  return { shape: side === "right" ? [t.shape[0]!, 1] : [1, t.shape[0]!], data: t.data };
}
