/**
 * Bits per layer (`zkinfer calibrate`): the fewest constraints whose quantized model still
 * agrees with the float model on the calibration set. A settings point is the global options
 * plus per-layer overrides (QuantizeOptions.layers); it is judged by
 *
 *   agreement   the fraction of samples whose decision (argmax, or p ≥ 0.5) on the first
 *               output matches the float model's, which must reach `targetAgreement`;
 *   max error   the worst |quantized - float| of any output over the samples, relative to
 *               that output's scale (its largest |float value|), which must stay ≤ `maxError`;
 *   cost        what `cost` says the compiled circuit takes (a dry compile's constraint count).
 *
 * The search is greedy, in two phases: uniform bits (activations, then weights, then the
 * input) come down one at a time while the point stays feasible; then, round by round, every
 * layer's activation and weight bits are tried one lower and the feasible move that saves the
 * most constraints is taken, until none saves any. It is pure: quantization and measurement
 * here, the circuit's cost from the caller (the compile stage), so it sits in quantize/.
 */
import type { Graph, Tensor } from "../model/graph.js";
import type { Calibration } from "./calibration.js";
import type { QGraph } from "./qgraph.js";
import type { LayerBits, QuantizeOptions } from "./options.js";
import { quantize } from "./quantize.js";
import { runQuantized } from "./reference.js";
import { dequantize, quantizeInput } from "./input.js";
import { decide } from "./accuracy.js";
import { describeError } from "../errors.js";

/** A settings point as the search scored it. */
export interface Candidate {
  /** what changed from the point it was tried from ("activation bits 8", "layer conv1: weight bits 5") */
  readonly label: string;
  readonly opts: QuantizeOptions;
  /** null when it could not be quantized or compiled (then `error` says why) */
  readonly constraints: number | null;
  readonly agreement: number;
  readonly maxError: number;
  readonly feasible: boolean;
  readonly error?: string;
  /** taken: on the path to the result */
  readonly taken: boolean;
}

export interface SearchSpec {
  readonly graph: Graph;
  readonly calib: Calibration;
  readonly start: QuantizeOptions;
  readonly targetAgreement: number;
  /** the largest max error allowed, relative to each output's scale */
  readonly maxError: number;
  /** the circuit's size for a quantized graph (throws on what it cannot compile) */
  readonly cost: (q: QGraph) => number;
  /** no layer goes below this many bits (default 3) */
  readonly minBits?: number;
  /** stop after this many evaluations (default 400) */
  readonly maxEvaluations?: number;
  /** called with every point scored, as it is */
  readonly onCandidate?: (c: Candidate) => void;
}

export interface SearchResult {
  readonly best: Candidate;
  /** the starting point's score (the baseline the table compares with) */
  readonly start: Candidate;
  readonly explored: readonly Candidate[];
  /** stopped at maxEvaluations rather than at a point no move improves */
  readonly truncated: boolean;
}

/** Agreement and relative max error of a quantized graph against the float outputs. */
export function measureAgreement(
  q: QGraph,
  samples: readonly Tensor[],
  floatOutputs: readonly (readonly Tensor[])[],
): { agreement: number; maxError: number } {
  const scales = q.outputs.map((_, oi) =>
    Math.max(1e-12, ...floatOutputs.map((outs) => Math.max(...Array.from(outs[oi]!.data, Math.abs)))),
  );
  let agree = 0,
    worst = 0;
  samples.forEach((sample, s) => {
    const values = runQuantized(q, quantizeInput(Array.from(sample.data), q.input, false).tensor);
    q.outputs.forEach((o, oi) => {
      const got = dequantize(values.get(o.name)!, o.scale);
      const want = floatOutputs[s]![oi]!.data;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / scales[oi]!);
      if (oi === 0 && decide(got) === decide(want)) agree++;
    });
  });
  return { agreement: samples.length ? agree / samples.length : 1, maxError: worst };
}

type Knob = { readonly layer: string | null; readonly which: "activationBits" | "weightBits" | "inputBits" };

function bitsOf(o: QuantizeOptions, k: Knob): number {
  if (k.which === "inputBits") return o.inputBits;
  const l = k.layer === null ? undefined : o.layers?.[k.layer]?.[k.which];
  return l ?? o[k.which];
}

function withBits(o: QuantizeOptions, k: Knob, bits: number): QuantizeOptions {
  if (k.layer === null) return { ...o, [k.which]: bits };
  const layers: Record<string, LayerBits> = { ...o.layers };
  layers[k.layer] = { ...layers[k.layer], [k.which]: bits };
  return { ...o, layers };
}

function describe(k: Knob, bits: number): string {
  const what = k.which === "activationBits" ? "activation" : k.which === "weightBits" ? "weight" : "input";
  return k.layer === null ? `${what} bits ${bits}` : `layer ${k.layer}: ${what} bits ${bits}`;
}

/** Nodes whose weights a weight-bit change would touch (everything else only has activations). */
function hasWeights(graph: Graph, layer: string): boolean {
  return graph.nodes.some(
    (n) =>
      n.name === layer &&
      (n.op.kind === "gemm" ||
        n.op.kind === "conv" ||
        (n.op.kind === "affine" && n.op.mul !== null) ||
        (n.op.kind === "sum" && n.op.mult !== null) ||
        n.op.kind === "leaky"),
  );
}

export function searchBits(spec: SearchSpec): SearchResult {
  const minBits = spec.minBits ?? 3;
  const budget = spec.maxEvaluations ?? 400;
  const explored: Candidate[] = [];
  const seen = new Map<string, Candidate>();
  const evaluate = (opts: QuantizeOptions, label: string): Candidate => {
    const key = JSON.stringify([opts.activationBits, opts.weightBits, opts.inputBits, opts.layers ?? {}]);
    const known = seen.get(key);
    if (known) return known;
    let c: Candidate;
    try {
      const q = quantize(spec.graph, spec.calib, opts);
      const constraints = spec.cost(q);
      const { agreement, maxError } = measureAgreement(q, spec.calib.samples, spec.calib.outputs);
      const feasible = agreement >= spec.targetAgreement && maxError <= spec.maxError;
      c = { label, opts, constraints, agreement, maxError, feasible, taken: false };
    } catch (e) {
      c = {
        label,
        opts,
        constraints: null,
        agreement: 0,
        maxError: Infinity,
        feasible: false,
        error: describeError(e),
        taken: false,
      };
    }
    seen.set(key, c);
    explored.push(c);
    spec.onCandidate?.(c);
    return c;
  };
  const take = (c: Candidate): Candidate => {
    const t = { ...c, taken: true };
    explored[explored.indexOf(c)] = t;
    seen.set(JSON.stringify([c.opts.activationBits, c.opts.weightBits, c.opts.inputBits, c.opts.layers ?? {}]), t);
    return t;
  };
  const cheaper = (a: Candidate, b: Candidate) => a.feasible && a.constraints! < b.constraints!;

  let cur = take(evaluate(spec.start, "start"));
  const start = cur;
  // an infeasible start: more bits everywhere until it is feasible (or nothing more helps)
  for (let extra = 2; !cur.feasible && extra <= 8 && explored.length < budget; extra += 2) {
    const up = {
      ...spec.start,
      activationBits: spec.start.activationBits + extra,
      weightBits: spec.start.weightBits + extra,
    };
    const c = evaluate(up, `activation and weight bits +${extra}`);
    if (c.feasible) cur = take(c);
  }
  if (!cur.feasible) return { best: cur, start, explored, truncated: false };

  // phase 1: uniform bits, one knob at a time, down while feasible and cheaper
  for (const which of ["activationBits", "weightBits", "inputBits"] as const) {
    const k: Knob = { layer: null, which };
    while (bitsOf(cur.opts, k) > minBits && explored.length < budget) {
      const b = bitsOf(cur.opts, k) - 1;
      const c = evaluate(withBits(cur.opts, k, b), describe(k, b));
      if (!cheaper(c, cur)) break;
      cur = take(c);
    }
  }

  // phase 2: per layer, the best single step down, round after round
  const layers = [...new Set(spec.graph.nodes.map((n) => n.name))];
  const knobs: Knob[] = [
    { layer: null, which: "inputBits" },
    ...layers.flatMap((layer): Knob[] => [
      { layer, which: "activationBits" },
      ...(hasWeights(spec.graph, layer) ? [{ layer, which: "weightBits" } as const] : []),
    ]),
  ];
  let truncated = false;
  for (;;) {
    let best: Candidate | null = null;
    for (const k of knobs) {
      const b = bitsOf(cur.opts, k) - 1;
      if (b < minBits) continue;
      if (explored.length >= budget) {
        truncated = true;
        break;
      }
      const c = evaluate(withBits(cur.opts, k, b), describe(k, b));
      if (
        cheaper(c, best ?? cur) ||
        (best && c.feasible && c.constraints === best.constraints && c.agreement > best.agreement)
      )
        best = c;
    }
    if (!best || truncated) break;
    cur = take(best);
  }
  return { best: cur, start, explored, truncated };
}
