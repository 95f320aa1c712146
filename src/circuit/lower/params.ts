/**
 * Prover-supplied parameters (--param-visibility private or hashed): each weight, bias or
 * affine tensor becomes wires the prover fills in, range-checked to the tensor's admitted range
 * (quantize/params.ts: the quantizer bounded everything downstream over all of it), and the
 * layer multiplies by those wires instead of by constants: one product constraint per multiply.
 */
import { LinearCombination, type LcTensor } from "../lc.js";
import type { TensorId } from "../plan.js";
import type { IntTensor, QNode, QValue } from "../../quantize/qgraph.js";
import type { ParamEntry } from "../../meta/model.js";
import { admittedSlot, slotHi } from "../../quantize/params.js";
import { rangeCheckBits } from "../gadgets/range.js";
import { product } from "../gadgets/product.js";
import { linearLcs } from "../linear.js";
import { wireName, type LowerContext } from "./context.js";
import { slackOf } from "../../quantize/context.js";

/** Allocates one parameter tensor's wires with their range check, and records it. */
function paramTensor(
  ctx: LowerContext,
  node: QNode,
  part: ParamEntry["part"],
  t: IntTensor,
  shape: readonly number[],
  scale: number,
): { id: TensorId; lc: LcTensor } {
  const { cs } = ctx;
  const slot = admittedSlot(t);
  const hi = slotHi(slot.lo, slot.bits);
  const id = ctx.newTensor(shape, slot.lo, hi);
  const name = `${wireName(node.output)}.${part}`;
  const wire = cs.alloc(t.data.length, name);
  const lcs = Array.from(t.data, (_, i) => LinearCombination.wire(wire + i));
  const range = rangeCheckBits(cs, lcs, slot.lo, slot.bits, name); // by bits: lo + 2^bits − 1 may round
  cs.steps.push({ kind: "param", tensor: id, data: t.data, wire, range });
  const entry: ParamEntry = {
    node: node.name,
    output: node.output,
    kind: node.op.kind as ParamEntry["kind"],
    part,
    scale,
    count: t.data.length,
    ...slot,
  };
  ctx.params.push({
    entry,
    tensor: id,
    pack: { lcs, fallback: { lo: slot.lo, hi }, slot, name },
    wires: { first: wire, count: t.data.length },
  });
  return { id, lc: { shape, lcs } };
}

/** A product of the (materialized) input and a parameter tensor; `bodyId` is where it lands. */
function times(
  ctx: LowerContext,
  node: QNode,
  kind: Parameters<typeof product>[1],
  x: LcTensor,
  xId: TensorId,
  w: { id: TensorId; lc: LcTensor },
  out: QValue,
  bodyId: TensorId,
): LcTensor {
  return product(ctx.cs, kind, x, w.lc, out.shape, wireName(node.output), [xId, w.id], bodyId);
}

/** A Gemm, Conv or affine whose constants are prover-supplied wires: products instead of coefficients. */
export function lowerPrivateParams(ctx: LowerContext, node: QNode): LcTensor {
  const op = node.op;
  const x = ctx.q.values.get(node.inputs[0]!)!;
  const out = ctx.q.values.get(node.output)!;
  const xId = ctx.idOf(node.inputs[0]!),
    outId = ctx.idOf(node.output);
  const xm = ctx.wires(node.inputs[0]!);
  // a partial product (before the bias): its bounds are set once the bias's slot is known, below
  const partial = (hasBias: boolean) => (hasBias ? ctx.newTensor(out.shape, 0, 0) : outId);
  let body: LcTensor,
    bodyId: TensorId,
    bias: { id: TensorId; lc: LcTensor } | null = null;
  if (op.kind === "gemm" || op.kind === "conv") {
    const w = paramTensor(ctx, node, "weight", op.weight, op.weight.shape, out.scale - x.scale);
    bodyId = partial(op.bias !== null);
    body = times(ctx, node, op.kind === "gemm" ? "matmul" : { conv: op.params }, xm, xId, w, out, bodyId);
    if (op.bias)
      bias = paramTensor(
        ctx,
        node,
        "bias",
        op.bias,
        op.kind === "gemm" ? [op.bias.data.length] : [op.bias.data.length, 1, 1],
        out.scale,
      );
  } else if (op.kind === "affine") {
    if (op.mul) {
      const m = paramTensor(ctx, node, "mul", op.mul, op.mul.shape, out.scale - x.scale);
      bodyId = partial(op.add !== null);
      body = times(ctx, node, "mul", xm, xId, m, out, bodyId);
    } else {
      body = xm;
      bodyId = xId;
    }
    if (op.add) bias = paramTensor(ctx, node, "add", op.add, op.add.shape, out.scale);
  } else {
    throw new Error(`compile: ${op.kind} has no parameters`);
  }
  if (!bias) return body;
  // partial = out − bias, so |partial| ≤ |out| + |bias| for every accepted input and in-range parameter
  const b = ctx.tensors[bias.id]!;
  const sum = Math.max(Math.abs(out.lo), Math.abs(out.hi)) + Math.max(Math.abs(b.lo), Math.abs(b.hi));
  const reach = sum + slackOf(sum);
  ctx.tensors[bodyId] = { shape: ctx.tensors[bodyId]!.shape, lo: -reach, hi: reach };
  const add = { kind: "add" as const, sign: 1 as const, shifts: [0, 0] as const };
  ctx.cs.steps.push({ kind: "linear", op: add, inputs: [bodyId, bias.id], output: outId });
  return linearLcs(add, [body, bias.lc], out.shape);
}
