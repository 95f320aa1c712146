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
