/**
 * Splitting a quantized graph into segments (compile --max-constraints N, --segments K), each
 * its own circuit, chained by salted Poseidon commitments to the tensors where they meet.
 *
 * Cut points. A cut after node i is allowed only where exactly one tensor is alive across it
 * (produced at or before node i, read after it), and that tensor is neither the model's input
 * nor an output. So a residual block, whose skip branch is alive beside its main branch, is
 * never cut inside; the cut falls before or after it. (Cutting through both branches, two
 * tensors crossing, is not done yet.) A cut costs the producer a commitment to the tensor and
 * the consumer a range check of every value (its private input bits) and the same commitment:
 * N·b + 2·Poseidon(N·b / 252) for N values of b bits, so narrow tensors are cheap cuts, and a
 * tensor right after a requant is best: its wires carry a range their own
 * decomposition forces, so packing it needs no range check on the producer's side.
 *
 * Balancing. One dry compile of the whole graph (ConstraintSystem.dry) gives the constraints
 * after each node; a segment's estimate is its nodes' share plus its cuts' costs. --segments K
 * takes the K segments minimizing the largest estimate (dynamic programming over the cut
 * points); --max-constraints N the fewest segments whose estimates fit under N, and of those
 * the cuts adding the fewest constraints in all, so the limit buys cheap cuts rather than even
 * segments. A single node above the limit cannot be cut: then the split with the smallest
 * largest segment is taken, and compile reports the segments over the limit.
 */
import { isWideAbs, type QGraph, type QInput, type QValue } from "../quantize/qgraph.js";
import type { PackPart } from "../meta/model.js";
import { compileCircuit, type CompileOptions } from "./compile.js";
import { commitConstraints } from "./gadgets/commit.js";
import { perElement, slotOf } from "./gadgets/pack.js";
import { sizeOf } from "../model/shapes.js";
import { slotHi } from "../quantize/params.js";
import { ZkError } from "../errors.js";

export interface Cut {
  /** the index of the last node before the cut */
  readonly after: number;
  /** the one tensor alive across it */
  readonly value: QValue;
  /** estimated constraints it adds to the segment before it (a commitment) and the one after (range check + commitment) */
  readonly cost: { readonly out: number; readonly in: number };
}

/**
 * Ops whose outputs the constraints hold in a range (intervals.ts) — a decomposition's result,
 * or a linear combination of such — so packing them adds no range check. A max chain's result
 * and products are not learned, and are estimated with the check.
 */
const CHECKED = new Set(["max", "mul", "matmul", "div", "invert"]);

/** Every place the graph may be cut, in order. */
export function cutCandidates(q: QGraph): Cut[] {
  const lastUse = new Map<string, number>();
  q.nodes.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));
  const outputs = new Set(q.outputs.map((o) => o.name));
  const live = new Set<string>([q.input.name]);
  const cuts: Cut[] = [];
  for (let i = 0; i < q.nodes.length - 1; i++) {
    const node = q.nodes[i]!;
    live.add(node.output);
    for (const v of [...live]) if (!outputs.has(v) && (lastUse.get(v) ?? -1) <= i) live.delete(v);
    if (live.size !== 1) continue;
    const name = [...live][0]!;
    if (outputs.has(name) || name === q.input.name) continue;
    const value = q.values.get(name)!;
    // a segment's input is doubles (its input step, the chain's hand-over): never cut at a wide
    // value, nor at one whose slot (up to twice its range) reaches past 2^53
    const slot = slotOf(value);
    const reach = Math.max(Math.abs(slot.lo), Math.abs(slot.lo) + 2 ** slot.bits, value.mag ?? 0);
    if (isWideAbs(reach)) continue;
    const n = sizeOf(value.shape);
    const bits = slot.bits;
    const commitment = commitConstraints(Math.ceil(n / perElement(bits)) + 1);
    const producer = q.nodes.find((x) => x.output === name)!;
    cuts.push({
      after: i,
      value,
      cost: { out: commitment + (CHECKED.has(producer.op.kind) ? n * (bits + 1) : 0), in: n * bits + commitment },
    });
  }
  return cuts;
}

export interface SplitRequest {
  /** at most this many constraints per segment */
  readonly maxConstraints?: number;
  /** exactly this many balanced segments */
  readonly segments?: number;
}

export interface SplitPlan {
  readonly cuts: readonly Cut[];
  /** each segment's estimated constraints */
  readonly estimates: readonly number[];
  /** the unsplit circuit's constraints (a dry count) */
  readonly unsplit: number;
}

/** Where to cut, or null when the model stays one circuit (under the limit, or one segment asked for). */
export function planSplit(q: QGraph, opts: CompileOptions, req: SplitRequest): SplitPlan | null {
  const after: number[] = [];
  const total = compileCircuit(q, { ...opts, dry: true, onNode: (i, c) => (after[i] = c) }).nConstraints;
  if (req.segments === 1 || (req.segments === undefined && total <= (req.maxConstraints ?? Infinity))) return null;
  const cands = cutCandidates(q);
  if (cands.length === 0)
    throw new ZkError(
      "BAD_OPTION",
      `cannot split this model (${total} constraints): there is no tensor boundary that a single tensor crosses, between the input and the output`,
    );
  /** a segment from cut `a` (null: the model input) to cut `b` (null: the model output) */
  const cost = (a: Cut | null, b: Cut | null) =>
    (b ? after[b.after]! + b.cost.out : total) - (a ? after[a.after]! - a.cost.in : 0);
  const worst = (cuts: readonly Cut[]) => Math.max(...estimatesOf(cuts, cost));
  let cuts: Cut[];
  if (req.segments !== undefined) {
    if (req.segments - 1 > cands.length)
      throw new ZkError(
        "BAD_OPTION",
        `--segments ${req.segments}: this model has ${cands.length} cut point${cands.length === 1 ? "" : "s"}, so at most ${cands.length + 1} segments`,
      );
    cuts = balance(cands, cost, req.segments);
  } else {
    // the fewest segments under the limit, and of those the cuts that add the fewest constraints
    // (a wide tensor or one before its requant costs several times a narrow one); when no split
    // fits (a layer alone is over the limit), the smallest largest segment
    const limit = req.maxConstraints!;
    let fit: Cut[] | null = null;
    for (let k = 2; k <= cands.length + 1 && !fit; k++) fit = cheapest(cands, cost, k, limit);
    if (fit) cuts = fit;
    else {
      cuts = balance(cands, cost, 2);
      for (let k = 3; k <= cands.length + 1; k++) {
        const next = balance(cands, cost, k);
        if (worst(next) < worst(cuts)) cuts = next;
      }
    }
  }
  const estimates = estimatesOf(cuts, cost);
  return { cuts, estimates, unsplit: total };
}

function estimatesOf(cuts: readonly Cut[], cost: (a: Cut | null, b: Cut | null) => number): number[] {
  const ends: (Cut | null)[] = [null, ...cuts, null];
  return ends.slice(1).map((b, i) => cost(ends[i] ?? null, b));
}

/** k segments minimizing the largest estimate. */
function balance(cands: readonly Cut[], cost: SegmentCost, k: number): Cut[] {
  return bestSplit(cands, cost, k, Math.max, -Infinity).cuts;
}

/** k segments, none over `limit`, adding the fewest constraints in all (the sum of the estimates); null when none fit. */
function cheapest(cands: readonly Cut[], cost: SegmentCost, k: number, limit: number): Cut[] | null {
  const best = bestSplit(cands, cost, k, (total, x) => total + (x <= limit ? x : Infinity), 0);
  return best.score === Infinity ? null : best.cuts;
}

type SegmentCost = (a: Cut | null, b: Cut | null) => number;

/**
 * The k - 1 cuts whose segment estimates, folded left with `add` from `zero` (max from -∞, or a
 * sum from 0), score least:
 * dynamic programming where best[s][j] scores s + 1 segments ending at cut j. `add` must not
 * decrease as either argument grows (both do), so the best prefix makes the best whole.
 */
function bestSplit(
  cands: readonly Cut[],
  cost: SegmentCost,
  k: number,
  add: (score: number, segment: number) => number,
  zero: number,
): { cuts: Cut[]; score: number } {
  const m = cands.length;
  const best: number[][] = [cands.map((c) => add(zero, cost(null, c)))];
  const from: number[][] = [cands.map(() => -1)];
  for (let s = 1; s < k - 1; s++) {
    best.push([]);
    from.push([]);
    for (let j = 0; j < m; j++) {
      let v = Infinity,
        arg = -1;
      for (let i = 0; i < j; i++) {
        const x = add(best[s - 1]![i]!, cost(cands[i]!, cands[j]!));
        if (x < v) [v, arg] = [x, i];
      }
      best[s]!.push(v);
      from[s]!.push(arg);
    }
  }
  let v = Infinity,
    arg = -1;
  for (let j = 0; j < m; j++) {
    const x = add(best[k - 2]![j]!, cost(cands[j]!, null));
    if (x < v) [v, arg] = [x, j];
  }
  const cuts: Cut[] = [];
  if (arg >= 0) for (let s = k - 2, j = arg; s >= 0; j = from[s]![j]!, s--) cuts.unshift(cands[j]!);
  return { cuts, score: v };
}

/** A cut tensor as a segment's input, accepting every value of the slot its producer packed it into. */
function cutInput(v: QValue, slot: PackPart): QInput {
  const lo = slot.lo,
    hi = slotHi(slot.lo, slot.bits);
  return { ...v, lo, hi, floatLo: lo / 2 ** v.scale, floatHi: hi / 2 ** v.scale };
}

/**
 * The graph of segment i: nodes after cut i - 1 up to cut i; its input is the model's or the
 * cut tensor (taking every value of `inSlot`), its output the model's or the next cut tensor.
 */
export function segmentGraph(q: QGraph, cuts: readonly Cut[], i: number, inSlot: PackPart | null): QGraph {
  const from = i === 0 ? 0 : cuts[i - 1]!.after + 1;
  const to = i === cuts.length ? q.nodes.length : cuts[i]!.after + 1;
  const nodes = q.nodes.slice(from, to);
  const input = i === 0 ? q.input : cutInput(cuts[i - 1]!.value, inSlot!);
  const outputs = i === cuts.length ? q.outputs : [cuts[i]!.value];
  const used = new Set([input.name, ...nodes.flatMap((n) => [...n.inputs, n.output])]);
  const values = new Map([...q.values].filter(([name]) => used.has(name)));
  return { input, outputs, nodes, values };
}
