/**
 * Folds a per-channel `affine` (BatchNormalization, a bias Add, a scaling Mul) into the Gemm
 * or Conv that feeds it, when that op has no other consumer: the weights absorb the scale and
 * the bias absorbs the shift, so the model costs one linear layer instead of two (and the
 * accumulator is not rescaled in between). Repeats until nothing folds.
 */
import type { Graph, Node, PrimOp, Tensor } from "./graph.js";
import { broadcastIndex, sameShape } from "./shapes.js";

/** The affine's per-channel factors if it only varies along `axis` of `outShape`, else null. */
function perChannel(t: Tensor | null, outShape: readonly number[], axis: number, fill: number): Float64Array | null {
  const C = outShape[axis]!;
  if (!t) return new Float64Array(C).fill(fill);
  const r = outShape.length;
  if (t.shape.length > r) return null;
  // every axis but `axis` must be 1 (after right-alignment)
  for (let i = 0; i < t.shape.length; i++) {
    const ax = r - t.shape.length + i;
    if (ax !== axis && t.shape[i] !== 1) return null;
  }
  const idx = broadcastIndex(t.shape, outShape);
  const inner = outShape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Float64Array.from({ length: C }, (_, c) => t.data[idx[c * inner]!]!);
}

function foldInto(
  producer: Node,
  affine: Extract<PrimOp, { kind: "affine" }>,
  outShape: readonly number[],
): PrimOp | null {
  const op = producer.op;
  if (op.kind !== "gemm" && op.kind !== "conv") return null;
  const axis = op.kind === "gemm" ? outShape.length - 1 : 1;
  const mul = perChannel(affine.mul, outShape, axis, 1);
  const add = perChannel(affine.add, outShape, axis, 0);
  if (!mul || !add) return null;
  const C = mul.length;
  const w = op.weight.data.slice();
  if (op.kind === "gemm") {
    const [K, N] = op.weight.shape as [number, number];
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) w[k * N + n]! *= mul[n]!;
  } else {
    const per = w.length / C;
    for (let c = 0; c < C; c++) for (let j = 0; j < per; j++) w[c * per + j]! *= mul[c]!;
  }
  const bias = Float64Array.from({ length: C }, (_, c) => (op.bias ? op.bias.data[c]! : 0) * mul[c]! + add[c]!);
  const weight = { shape: op.weight.shape, data: w };
  return op.kind === "gemm"
    ? { kind: "gemm", weight, bias: { shape: [C], data: bias } }
    : { kind: "conv", weight, bias: { shape: [C], data: bias }, params: op.params };
}

export function foldAffines(graph: Graph): Graph {
  let nodes = [...graph.nodes];
  const outputs = new Set(graph.outputs.map((o) => o.name));
  for (let changed = true; changed;) {
    changed = false;
    const consumers = new Map<string, number>();
    for (const n of nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
    for (let i = 0; i < nodes.length; i++) {
      const a = nodes[i]!;
      if (a.op.kind !== "affine" || a.op.pinned) continue;
      const src = a.inputs[0]!;
      const j = nodes.findIndex((n) => n.output === src);
      if (j < 0 || consumers.get(src) !== 1 || outputs.has(src)) continue;
      const outShape = graph.shapes.get(a.output)!;
      if (!sameShape(outShape, graph.shapes.get(src)!)) continue; // the affine broadcasts x: not per-channel
      const merged = foldInto(nodes[j]!, a.op, outShape);
      if (!merged) continue;
      const p = nodes[j]!;
      nodes[j] = { name: p.name, source: `${p.source}+${a.source}`, op: merged, inputs: p.inputs, output: a.output };
      nodes = nodes.filter((_, k) => k !== i);
      changed = true;
      break;
    }
  }
  return { ...graph, nodes };
}

/**
 * a / √v → a · (1/√v), and 1/√v written as Reciprocal(Sqrt(v)) → 1/√v, when every consumer of
 * the square root is one of those two: LayerNorm's opset-13 form (…, Sqrt, Div) divides by it
 * once, and ONNX's function body of LayerNormalization divides by it and takes its Reciprocal
 * (InvStdDev). One inverse square root per row replaces the square root, each division becomes
 * a product per element (a division costs two range checks as wide as the divisor; a product,
 * one constraint), and there is one rounding instead of two. The Reciprocal's value is that
 * inverse square root itself, so the lowering is the one LayerNormalization's own handler emits.
 */
export function foldRoots(graph: Graph): Graph {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const consumers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const i of new Set(n.inputs)) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const isRecipOf = (n: Node, s: string) => n.op.kind === "invert" && n.op.fn === "recip" && n.inputs[0] === s;
  const isDivBy = (n: Node, s: string) => n.op.kind === "div" && n.inputs[1] === s && n.inputs[0] !== s;
  const foldable = (n: Node) =>
    n.op.kind === "invert" &&
    n.op.fn === "sqrt" &&
    !outputs.has(n.output) &&
    (consumers.get(n.output) ?? []).every((c) => isRecipOf(c, n.output) || isDivBy(c, n.output));
  const roots = graph.nodes.filter((n) => foldable(n) && consumers.has(n.output));
  if (roots.length === 0) return graph;
  // each consumer's replacement; the inverse square root goes where its first consumer was
  const replace = new Map<Node, Node[]>();
  for (const root of roots) {
    const users = consumers.get(root.output)!;
    const recip = users.find((c) => isRecipOf(c, root.output));
    const rsqrt: Node = recip
      ? { ...recip, source: `Sqrt+${recip.source}`, op: { kind: "invert", fn: "rsqrt" }, inputs: root.inputs }
      : { ...root, op: { kind: "invert", fn: "rsqrt" }, output: `${root.output}/rsqrt` };
    for (const [i, c] of users.entries()) {
      const own: Node[] =
        c === recip
          ? []
          : isDivBy(c, root.output)
            ? [{ ...c, source: `${c.source}+Sqrt`, op: { kind: "mul" }, inputs: [c.inputs[0]!, rsqrt.output] }]
            : [{ ...c, source: `Sqrt+${c.source}`, op: { kind: "reshape" }, inputs: [rsqrt.output] }]; // another Reciprocal: the same value
      replace.set(c, i === 0 ? [rsqrt, ...own] : own);
    }
    replace.set(root, []);
  }
  const nodes = graph.nodes.flatMap((n) => replace.get(n) ?? [n]);
  const shapes = new Map(graph.shapes);
  for (const n of nodes) if (!shapes.has(n.output)) shapes.set(n.output, graph.shapes.get(n.inputs[0]!)!);
  return { ...graph, nodes, shapes };
}
