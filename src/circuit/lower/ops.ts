/**
 * One lowering per quantized op kind: linear ops compose linear combinations (no constraints),
 * everything else is a gadget from gadgets/, which adds its constraints and the plan step that
 * fills its wires. The table's type lists every kind, so a new op kind cannot be forgotten.
 */
import { windowAt } from "../../quantize/window.js";
import { type LinearCombination, type LcTensor } from "../lc.js";
import type { QKind, QNode, QOp } from "../../quantize/qgraph.js";
import { sizeOf } from "../../model/shapes.js";
import { linearLcs } from "../linear.js";
import { requant } from "../gadgets/requant.js";
import { maxGroups } from "../gadgets/max.js";
import { product } from "../gadgets/product.js";
import { div } from "../gadgets/div.js";
import { invert } from "../gadgets/invert.js";
import { argmax } from "../gadgets/argmax.js";
import { wireName, type LowerContext } from "./context.js";
import { DRY_SUM } from "../builder.js";
import { lowerPrivateParams } from "./params.js";

type NodeOf<K extends QKind> = QNode & { readonly op: Extract<QOp, { kind: K }> };
type Lowering<K extends QKind> = (ctx: LowerContext, node: NodeOf<K>) => LcTensor;

/** Fan-in ops read each input element many times: they take it as single wires. */
const FAN_IN = new Set<QKind>(["gemm", "conv", "sum"]);
/** Term-heavy sums a dry system skips (their outputs are never single wires); data movement stays real. */
const HEAVY = new Set<QKind>(["gemm", "conv", "sum", "affine", "add"]);

function linear(
  ctx: LowerContext,
  node: NodeOf<"gemm" | "conv" | "affine" | "reshape" | "select" | "add" | "sum">,
): LcTensor {
  if (
    node.param &&
    ctx.paramVisibility !== "fixed" &&
    (node.op.kind === "gemm" || node.op.kind === "conv" || node.op.kind === "affine")
  ) {
    return lowerPrivateParams(ctx, node);
  }
  const out = ctx.q.values.get(node.output)!;
  const xs = node.inputs.map((n, i) => (i === 0 && FAN_IN.has(node.op.kind) ? ctx.wires(n) : ctx.lc(n)));
  ctx.cs.steps.push({
    kind: "linear",
    op: node.op,
    inputs: node.inputs.map((n) => ctx.idOf(n)),
    output: ctx.idOf(node.output),
  });
  if (ctx.cs.dry && HEAVY.has(node.op.kind))
    return { shape: out.shape, lcs: new Array<LinearCombination>(sizeOf(out.shape)).fill(DRY_SUM) };
  return linearLcs(node.op, xs, out.shape);
}

const LOWERINGS: { readonly [K in QKind]: Lowering<K> } = {
  gemm: linear,
  conv: linear,
  affine: linear,
  reshape: linear,
  select: linear,
  add: linear,
  sum: linear,
  requant: (ctx, node) => {
    // a windowed rescale's decomposition holds its input to the window (QOp requant)
    const x = node.op.window ?? ctx.q.values.get(node.inputs[0]!)!;
    return requant(
      ctx.cs,
      ctx.lc(node.inputs[0]!),
      {
        shift: node.op.shift,
        act: node.op.act,
        lo: x.lo,
        hi: x.hi,
        window: node.op.window,
        at: windowAt(node),
      },
      wireName(node.output),
      ctx.idOf(node.inputs[0]!),
      ctx.idOf(node.output),
    );
  },
  max: (ctx, node) => {
    const x = ctx.q.values.get(node.inputs[0]!)!,
      out = ctx.q.values.get(node.output)!;
    return maxGroups(
      ctx.cs,
      ctx.lc(node.inputs[0]!),
      node.op.groups,
      x.lo,
      x.hi,
      out.shape,
      wireName(node.output),
      ctx.idOf(node.inputs[0]!),
      ctx.idOf(node.output),
    );
  },
  mul: (ctx, node) => products(ctx, node, "mul"),
  matmul: (ctx, node) => products(ctx, node, "matmul"),
  div: (ctx, node) => {
    const b = ctx.q.values.get(node.inputs[1]!)!,
      out = ctx.q.values.get(node.output)!;
    return div(
      ctx.cs,
      ctx.lc(node.inputs[0]!),
      ctx.lc(node.inputs[1]!),
      b,
      out,
      node.op.shift,
      out.shape,
      wireName(node.output),
      [ctx.idOf(node.inputs[0]!), ctx.idOf(node.inputs[1]!)],
      ctx.idOf(node.output),
    );
  },
  invert: (ctx, node) => {
    const x = ctx.q.values.get(node.inputs[0]!)!,
      out = ctx.q.values.get(node.output)!;
    return invert(
      ctx.cs,
      ctx.lc(node.inputs[0]!),
      { fn: node.op.fn, k: node.op.k, x, y: out },
      wireName(node.output),
      ctx.idOf(node.inputs[0]!),
      ctx.idOf(node.output),
    );
  },
  argmax: (ctx, node) => {
    const x = ctx.q.values.get(node.inputs[0]!)!,
      out = ctx.q.values.get(node.output)!;
    return argmax(
      ctx.cs,
      ctx.lc(node.inputs[0]!),
      node.op.groups,
      x.lo,
      x.hi,
      out.shape,
      wireName(node.output),
      ctx.idOf(node.inputs[0]!),
      ctx.idOf(node.output),
    );
  },
};

function products(ctx: LowerContext, node: QNode, kind: "mul" | "matmul"): LcTensor {
  const out = ctx.q.values.get(node.output)!;
  return product(
    ctx.cs,
    kind,
    ctx.lc(node.inputs[0]!),
    ctx.lc(node.inputs[1]!),
    out.shape,
    wireName(node.output),
    [ctx.idOf(node.inputs[0]!), ctx.idOf(node.inputs[1]!)],
    ctx.idOf(node.output),
  );
}

/** Lowers one node: its output's linear combinations, with its constraints and plan step added. */
export function lowerNode(ctx: LowerContext, node: QNode): LcTensor {
  // plan tensor ids in a fixed order (inputs, output, then whatever the lowering adds): the same model, the same plan
  for (const n of node.inputs) ctx.idOf(n);
  ctx.idOf(node.output);
  // the table is exhaustive over kinds; TypeScript cannot correlate the key with the node's type here
  return (LOWERINGS[node.op.kind] as Lowering<QKind>)(ctx, node as NodeOf<QKind>);
}
