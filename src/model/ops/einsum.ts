/**
 * Einsum for the equations that are a matrix product, a transpose or a sum: one or two
 * operands, each label at most once per operand, "..." allowed (numpy broadcasting). Two
 * operands: labels in both and the output are batch axes, in both but not the output are
 * contracted, in one and the output are that side's free axes; the operands are transposed to
 * [batch, free, contracted] / [batch, contracted, free] (selects, free), reshaped, multiplied
 * (`matmul`, which is a gemm against a constant), and the result reshaped and transposed to
 * the output's order. A label in only one operand and not the output is summed first (`sum`).
 * A label repeated within an operand ("ii", "...ii") takes that operand's diagonal first (a
 * select). Three or more operands, or a label repeated in the output, are refused, naming the
 * equation.
 */
import type { ImportContext, OpHandler, Operand } from "../context.js";
import type { OnnxNode } from "../onnx.js";
import { sizeOf } from "../shapes.js";
import { axisGroups, transposeMap } from "../indexing.js";
import { matmul } from "./gemm.js";

/** One operand's labels, one character per axis. */
interface Labelled {
  readonly x: Operand;
  readonly labels: string;
}

const ELLIPSIS = "0123456789"; // labels for the axes "..." stands for (never letters)

/** The operands' labels and the output's, "..." spelled out; null if the equation is malformed. */
function parse(equation: string, ranks: readonly number[]): { inputs: string[]; output: string } | null {
  const [lhs, rhs, extra] = equation.split("->");
  if (lhs === undefined || extra !== undefined) return null;
  const terms = lhs.split(",");
  if (terms.length !== ranks.length) return null;
  const named = terms.map((t) => t.replace("...", "").length);
  const dots = terms.map((t, i) => (t.includes("...") ? ranks[i]! - named[i]! : 0));
  if (dots.some((d) => d < 0 || d > ELLIPSIS.length)) return null;
  const E = Math.max(0, ...dots);
  const inputs = terms.map((t, i) => t.replace("...", ELLIPSIS.slice(E - dots[i]!, E)));
  if (inputs.some((t, i) => t.length !== ranks[i] || !/^[0-9a-zA-Z]*$/.test(t))) return null;
  if (rhs !== undefined) {
    const output = rhs.replace("...", ELLIPSIS.slice(0, E));
    return /^[0-9a-zA-Z]*$/.test(output) ? { inputs, output } : null;
  }
  // implicit output: the ellipsis axes, then the labels used once, in alphabetical order
  const all = inputs.join("");
  const once = [...new Set(all)].filter((c) => !ELLIPSIS.includes(c) && all.split(c).length === 2).sort();
  return { inputs, output: ELLIPSIS.slice(0, E) + once.join("") };
}

/** The operand's diagonal over each repeated label (a select): its labels, each once, in first-use order. */
function diagonal(ctx: ImportContext, node: OnnxNode, t: Labelled): Labelled {
  const labels = [...new Set(t.labels)].join("");
  if (labels.length === t.labels.length) return t;
  const shape = [...labels].map((c) => t.x.shape[t.labels.indexOf(c)]!);
  [...t.labels].forEach((c, a) => {
    if (t.x.shape[a] !== shape[labels.indexOf(c)])
      throw ctx.error(
        node,
        `label ${c} repeats over axes of sizes ${t.x.shape[t.labels.indexOf(c)]} and ${t.x.shape[a]}`,
      );
  });
  const strides = t.x.shape.map((_, a) => sizeOf(t.x.shape.slice(a + 1)));
  const map = new Int32Array(sizeOf(shape));
  const at = [...t.labels].map((c) => labels.indexOf(c));
  for (let i = 0; i < map.length; i++) {
    let rest = i,
      src = 0;
    const coord = new Array<number>(shape.length);
    for (let k = shape.length - 1; k >= 0; k--) {
      coord[k] = rest % shape[k]!;
      rest = Math.floor(rest / shape[k]!);
    }
    at.forEach((k, a) => (src += coord[k]! * strides[a]!));
    map[i] = src;
  }
  return { x: ctx.emit(node, { kind: "select", map, fill: 0 }, [t.x], shape), labels };
}

/** x with its axes reordered to `order` (a select, or x itself). */
function transposeTo(ctx: ImportContext, node: OnnxNode, t: Labelled, order: string): Labelled {
  if (order === t.labels) return t;
  const perm = [...order].map((c) => t.labels.indexOf(c));
  const { map, shape } = transposeMap(t.x.shape, perm);
  return { x: ctx.emit(node, { kind: "select", map, fill: 0 }, [t.x], shape), labels: order };
}

function reshape(ctx: ImportContext, node: OnnxNode, x: Operand, shape: readonly number[], name?: string): Operand {
  const same = shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i]);
  return same && !name ? x : ctx.emit(node, { kind: "reshape" }, [x], shape, name);
}

/** Sums the axes whose labels are not in `keep` (a `sum` over them). */
function sumOut(ctx: ImportContext, node: OnnxNode, t: Labelled, keep: string): Labelled {
  const kept = [...t.labels].filter((c) => keep.includes(c)).join("");
  if (kept === t.labels) return t;
  const summed = [...t.labels].filter((c) => !keep.includes(c)).join("");
  const moved = transposeTo(ctx, node, t, kept + summed);
  const axes = [...summed].map((_, i) => kept.length + i);
  const { groups } = axisGroups(moved.x.shape, axes);
  const shape = moved.x.shape.slice(0, kept.length);
  const x = ctx.emit(node, { kind: "sum", groups, mult: null }, [moved.x], shape.length ? shape : [1]);
  return { x, labels: kept };
}

export const Einsum: OpHandler = (ctx, node) => {
  const equation = ctx.string(node, "equation", "").replace(/\s/g, "");
  const ops = node.inputs.map((_, i) => ctx.operand(node, i));
  const refuse = (why: string) => ctx.unsupported(node, `equation "${equation}": ${why}`);
  const parsed = parse(
    equation,
    ops.map((o) => o.shape.length),
  );
  if (!parsed)
    throw ctx.error(
      node,
      `equation "${equation}" does not fit ${ops.length} operand(s) of ranks ${ops.map((o) => o.shape.length).join(", ")}`,
    );
  if (ops.length > 2) throw refuse(`${ops.length} operands (only one or two are supported)`);
  if (new Set(parsed.output).size !== parsed.output.length) throw refuse("a label repeats in the output");
  // a label repeated within an operand: its diagonal, and the operand's labels each once
  const diagonals = parsed.inputs.map((labels, i) => diagonal(ctx, node, { x: ops[i]!, labels }));
  diagonals.forEach((d, i) => (ops[i] = d.x));
  const inputs = diagonals.map((d) => d.labels);
  const output = parsed.output;
  const size = new Map<string, number>();
  inputs.forEach((t, i) =>
    [...t].forEach((c, a) => {
      const d = ops[i]!.shape[a]!;
      const known = size.get(c);
      if (known !== undefined && known !== d && known !== 1 && d !== 1)
        throw ctx.error(node, `label ${c} is ${known} in one operand and ${d} in another`);
      size.set(c, Math.max(known ?? 1, d));
    }),
  );
  const missing = [...output].find((c) => !size.has(c));
  if (missing) throw ctx.error(node, `output label ${missing} is in no operand`);
  const outShape = [...output].map((c) => size.get(c)!);
  const out = node.outputs[0]!;
  const finalShape = outShape.length ? outShape : [1];
  if (ops.length === 1) {
    const t = sumOut(ctx, node, { x: ops[0]!, labels: inputs[0]! }, output);
    const y = transposeTo(ctx, node, t, output);
    reshape(ctx, node, y.x, finalShape, out);
    return;
  }
  const [la, lb] = inputs as [string, string];
  const a = sumOut(ctx, node, { x: ops[0]!, labels: la }, lb + output);
  const b = sumOut(ctx, node, { x: ops[1]!, labels: lb }, la + output);
  const inA = (c: string) => a.labels.includes(c);
  const inB = (c: string) => b.labels.includes(c);
  const batch = [...output].filter((c) => inA(c) && inB(c)).join("");
  const freeA = [...output].filter((c) => inA(c) && !inB(c)).join("");
  const freeB = [...output].filter((c) => inB(c) && !inA(c)).join("");
  const contracted = [...a.labels].filter((c) => inB(c) && !output.includes(c)).join("");
  if ([...contracted].some((c) => a.x.shape[a.labels.indexOf(c)] !== b.x.shape[b.labels.indexOf(c)]))
    throw ctx.error(node, `contracted labels ${contracted} differ in size between the operands`);
  const dims = (t: Labelled, labels: string) => [...labels].map((c) => t.x.shape[t.labels.indexOf(c)]!);
  const K = sizeOf(dims(a, contracted));
  const at = transposeTo(ctx, node, a, batch + freeA + contracted);
  const bt = transposeTo(ctx, node, b, batch + contracted + freeB);
  const am = reshape(ctx, node, at.x, [...dims(a, batch), sizeOf(dims(a, freeA)), K]);
  const bm = reshape(ctx, node, bt.x, [...dims(b, batch), K, sizeOf(dims(b, freeB))]);
  const y = matmul(ctx, node, am, bm);
  const labels = batch + freeA + freeB;
  const split = reshape(ctx, node, y, labels ? [...labels].map((c) => size.get(c)!) : [1]);
  const ordered = transposeTo(ctx, node, { x: split, labels }, output);
  reshape(ctx, node, ordered.x, finalShape, out);
};
