/** Gemm and MatMul with a constant operand: both lower to the `gemm` primitive (x · W + b). */
import type { OpHandler } from "../context.js";
import { shapeStr } from "../shapes.js";
import { scaleTensor, transpose2d } from "./util.js";

export const Gemm: OpHandler = (ctx, node) => {
  const a = ctx.operand(node, 0);
  const transA = ctx.int(node, "transA", 0);
  const transB = ctx.int(node, "transB", 0);
  const alpha = ctx.float(node, "alpha", 1);
  const beta = ctx.float(node, "beta", 1);
  if (a.shape.length !== 2) throw ctx.error(node, `input A must be 2-D, got ${shapeStr(a.shape)}`);
  if (transA && !a.constant) throw ctx.unsupported(node, "transA=1 on a computed input is not supported");
  const b = ctx.constant(node, 1, "B (the weight matrix)");
  if (b.shape.length !== 2) throw ctx.error(node, `B must be 2-D, got ${shapeStr(b.shape)}`);
  const aMat = transA && a.constant ? transpose2d(a.constant) : null;
  const [M, K] = (aMat ? aMat.shape : a.shape) as [number, number];
  const weight = scaleTensor(transB ? transpose2d(b) : b, alpha);
  const [K2, N] = weight.shape as [number, number];
  if (K !== K2) throw ctx.error(node, `A is ${M}×${K} but B${transB ? "ᵀ" : ""} is ${K2}×${N}`);
  const c = ctx.optionalOperand(node, 2);
  if (c && !c.constant) throw ctx.unsupported(node, `C (input 3, "${c.name}") must be a constant`);
  // a bias that is one row (or a scalar) folds into the gemm; a full [M, N] C becomes an add
  const cT = c?.constant ? scaleTensor(c.constant, beta) : null;
  const rowBias = cT && cT.data.length === N && (cT.shape.length <= 1 || cT.shape[cT.shape.length - 1] === N);
  const scalarBias = cT && cT.data.length === 1;
  const bias = !cT ? null : rowBias ? { shape: [N], data: cT.data } : scalarBias ? { shape: [N], data: new Float64Array(N).fill(cT.data[0]!) } : null;
  const input = aMat ? ctx.setConstant(`${node.name}#A`, aMat) : a;
  const out = node.outputs[0]!;
  if (cT && !bias) {
    const y = ctx.emit(node, { kind: "gemm", weight, bias: null }, [input], [M, N]);
    ctx.emit(node, { kind: "affine", mul: null, add: cT }, [y], [M, N], out);
  } else {
    ctx.emit(node, { kind: "gemm", weight, bias }, [input], [M, N], out);
  }
};

export const MatMul: OpHandler = (ctx, node) => {
  const a = ctx.operand(node, 0);
  const b = ctx.operand(node, 1);
  if (!b.constant) {
    throw ctx.unsupported(node, `the right operand "${b.name}" is computed; MatMul needs a constant right operand in this version`);
  }
  if (b.shape.length === 1) {
    // x[..., K] · w[K] → [...]
    const K = b.shape[0]!;
    if (a.shape[a.shape.length - 1] !== K) throw ctx.error(node, `shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not multiply`);
    const y = ctx.emit(node, { kind: "gemm", weight: { shape: [K, 1], data: b.constant.data }, bias: null }, [a], [...a.shape.slice(0, -1), 1]);
    ctx.emit(node, { kind: "reshape" }, [y], a.shape.length === 1 ? [1] : a.shape.slice(0, -1), node.outputs[0]!);
    return;
  }
  if (b.shape.length !== 2) throw ctx.unsupported(node, `a constant right operand of rank ${b.shape.length} ${shapeStr(b.shape)} (only 2-D weights)`);
  const [K, N] = b.shape as [number, number];
  if (a.shape.length < 1 || a.shape[a.shape.length - 1] !== K) {
    throw ctx.error(node, `shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not multiply`);
  }
  const outShape = a.shape.length === 1 ? [N] : [...a.shape.slice(0, -1), N];
  ctx.emit(node, { kind: "gemm", weight: b.constant, bias: null }, [a], outShape, node.outputs[0]!);
};
