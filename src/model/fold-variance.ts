/**
 * E[x²] − E[x]² → E[(x − E[x])²]: the variance as ONNX's own function body of LayerNormalization
 * writes it (ReduceMean(X·X) − ReduceMean(X)²), rewritten to the centred form every
 * normalization handler emits (ops/normalization.ts).
 *
 * Why: the two are equal over the reals, but only the centred form tells the quantizer what it
 * needs. Its sum is of squares d·d, each ≥ 0 for every satisfying witness (a product of one value
 * with itself), so var + ε stays ≥ ε̂ ≥ one quantum and the inverse square root after it has an
 * input the circuit itself keeps away from 0. A difference of two sums has an interval that
 * reaches −max E[x]², whatever the data: interval arithmetic cannot see that the two terms move
 * together, and the rounding of the integer means can make the difference negative in fact.
 *
 * The match is exact: the two means reduce one tensor over the same groups with the same 1/n, and
 * broadcasting the mean back over x puts each group's mean on that group's elements.
 */
import type { Graph, Groups, Node } from "./graph.js";
import { broadcastIndex, sameShape } from "./shapes.js";

type SumNode = Node & { readonly op: Extract<Node["op"], { kind: "sum" }> };

const sameArray = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((v, i) => v === b[i]);
const sameGroups = (a: Groups, b: Groups) => sameArray(a.start, b.start) && sameArray(a.indices, b.indices);

/** A mean: a sum whose multiplier is 1/n for each group of n elements. */
function isMean(op: SumNode["op"]): boolean {
  const { start } = op.groups;
  for (let g = 0; g + 1 < start.length; g++) {
    const n = start[g + 1]! - start[g]!;
    if (!op.mult || !(Math.abs(op.mult[g]! * n - 1) < 1e-9)) return false;
  }
  return true;
}

/** Whether broadcasting the group values `keptShape` over `shape` reads group g at each element of group g. */
function broadcastsOverGroups(groups: Groups, keptShape: readonly number[], shape: readonly number[]): boolean {
  if (keptShape.length !== shape.length) return false;
  const at = broadcastIndex(keptShape, shape);
  for (let g = 0; g + 1 < groups.start.length; g++)
    for (let j = groups.start[g]!; j < groups.start[g + 1]!; j++) if (at[groups.indices[j]!] !== g) return false;
  return true;
}

interface VarianceMatch {
  /** the tensor whose variance it is, and its mean (which the graph already computes) */
  readonly x: string;
  readonly mean: SumNode;
  /** x·x and the mean of it: the names and the groups (with 1/n) the centred form reuses */
  readonly square: Node;
  readonly meanOfSquare: SumNode;
}

/** `v` as E[x²] − E[x]² over matching groups, or null. */
function matchVariance(v: Node, byOutput: ReadonlyMap<string, Node>, graph: Graph): VarianceMatch | null {
  if (v.op.kind !== "add" || v.op.sign !== -1) return null;
  const [ms, sm] = v.inputs.map((i) => byOutput.get(i));
  if (ms?.op.kind !== "sum" || sm?.op.kind !== "mul" || sm.inputs[0] !== sm.inputs[1]) return null;
  const square = byOutput.get(ms.inputs[0]!);
  const mean = byOutput.get(sm.inputs[0]!);
  if (square?.op.kind !== "mul" || square.inputs[0] !== square.inputs[1] || mean?.op.kind !== "sum") return null;
  const x = square.inputs[0]!;
  if (mean.inputs[0] !== x || !sameGroups(ms.op.groups, mean.op.groups) || !isMean(ms.op) || !isMean(mean.op))
    return null;
  const shape = graph.shapes.get(x)!,
    kept = graph.shapes.get(mean.output)!;
  if (!sameShape(graph.shapes.get(ms.output)!, kept) || !broadcastsOverGroups(mean.op.groups, kept, shape)) return null;
  return { x, mean: mean as SumNode, square, meanOfSquare: ms as SumNode };
}

/** An existing node computing x − mean, which the rewrite then computes once, earlier. */
function findDeviation(nodes: readonly Node[], x: string, mean: string): Node | undefined {
  return nodes.find((n) => n.op.kind === "add" && n.op.sign === -1 && n.inputs[0] === x && n.inputs[1] === mean);
}

/**
 * Rewrites each E[x²] − E[x]² to E[(x − E[x])²]. The graph's own x − E[x] (LayerNorm's
 * Deviation) moves up to serve the variance too; the terms no longer used are left for the
 * caller's dead-node sweep.
 */
export function centerVariances(graph: Graph): Graph {
  const byOutput = new Map(graph.nodes.map((n) => [n.output, n]));
  const shapes = new Map(graph.shapes);
  const moved = new Set<Node>();
  const nodes: Node[] = [];
  let changed = false;
  for (const n of graph.nodes) {
    if (moved.has(n)) continue;
    const m = matchVariance(n, byOutput, graph);
    if (!m) {
      nodes.push(n);
      continue;
    }
    changed = true;
    const existing = findDeviation(graph.nodes, m.x, m.mean.output);
    const dev: Node = existing ?? {
      name: n.name,
      source: n.source,
      op: { kind: "add", sign: -1 },
      inputs: [m.x, m.mean.output],
      output: `${n.output}/deviation`,
    };
    // the graph's Deviation may come later: it depends only on x and the mean, both defined by now
    if (!nodes.includes(dev)) nodes.push(dev);
    if (existing) moved.add(existing);
    const square = `${n.output}/square`;
    nodes.push({ ...m.square, inputs: [dev.output, dev.output], output: square });
    nodes.push({
      ...m.meanOfSquare,
      name: n.name,
      source: `${m.meanOfSquare.source}+${n.source}`,
      inputs: [square],
      output: n.output,
    });
    const shape = graph.shapes.get(m.x)!;
    shapes.set(dev.output, shape);
    shapes.set(square, shape);
  }
  return changed ? { ...graph, nodes, shapes } : graph;
}
