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
 * a / √v → a · (1/√v), and 1/√v written as Reciprocal(Sqrt(v)) → 1/√v, when the square root
 * has no other consumer: LayerNorm's opset-13 form (…, Sqrt, Div) becomes one inverse square
 * root per row and a product per element instead of a square root per row and a division
 * per element (a division costs two range checks as wide as the divisor; a product, one
 * constraint), and one rounding instead of two.
 */
export function foldRoots(graph: Graph): Graph {
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const consumers = new Map<string, number>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const byOutput = new Map(graph.nodes.map((n) => [n.output, n]));
  const isLoneSqrt = (name: string) => {
    const p = byOutput.get(name);
    return p && p.op.kind === "invert" && p.op.fn === "sqrt" && consumers.get(name) === 1 && !outputs.has(name)
      ? p
      : null;
  };
  const dropped = new Set<string>();
  const nodes: Node[] = [];
  for (const n of graph.nodes) {
    if (n.op.kind === "div" && isLoneSqrt(n.inputs[1]!)) {
      const root = isLoneSqrt(n.inputs[1]!)!;
      dropped.add(root.output);
      const r = `${root.output}/rsqrt`;
      nodes.push({ ...root, op: { kind: "invert", fn: "rsqrt" }, output: r });
      nodes.push({ ...n, source: `${n.source}+Sqrt`, op: { kind: "mul" }, inputs: [n.inputs[0]!, r] });
    } else if (n.op.kind === "invert" && n.op.fn === "recip" && isLoneSqrt(n.inputs[0]!)) {
      const root = isLoneSqrt(n.inputs[0]!)!;
      dropped.add(root.output);
      nodes.push({ ...n, source: `Sqrt+${n.source}`, op: { kind: "invert", fn: "rsqrt" }, inputs: root.inputs });
    } else {
      nodes.push(n);
    }
  }
  if (dropped.size === 0) return graph;
  const shapes = new Map(graph.shapes);
  for (const n of nodes) if (!shapes.has(n.output)) shapes.set(n.output, graph.shapes.get(n.inputs[0]!)!);
  return { ...graph, nodes: nodes.filter((n) => !dropped.has(n.output)), shapes };
}
