/**
 * Float Graph + calibration → QGraph.
 *
 * Scales: each activation's scale is chosen from its calibrated range so that it uses about
 * `activationBits` bits; each weight tensor's from its largest weight (`weightBits`). The
 * per-op rules are in rules.ts.
 *
 * Bounds: the accepted input range is the calibrated range widened by `inputMargin` and
 * rounded up to a power-of-two span (exactly what one bit decomposition enforces); every
 * other value's bounds follow from it by interval analysis, so they hold for any input the
 * circuit accepts. Error bounds follow the same way, from the input's rounding error.
 */
import type { Graph } from "../model/graph.js";
import type { Calibration } from "./calibration.js";
import type { QGraph, QInput } from "./qgraph.js";
import { QuantizeContext, scaleForRange } from "./context.js";
import { quantizeNode } from "./rules.js";
import { ZkError } from "../errors.js";
import { DEFAULT_QUANTIZE, validateOptions, type QuantizeOptions } from "./options.js";

export { DEFAULT_QUANTIZE, type QuantizeOptions } from "./options.js";
export { paramScale } from "./params.js";

export function quantize(graph: Graph, calib: Calibration, opts: QuantizeOptions = DEFAULT_QUANTIZE): QGraph {
  validateOptions(opts);
  const ctx = new QuantizeContext(graph, calib, opts);
  const spec = graph.inputs[0]!;
  const stats = calib.stats.get(spec.name)!;
  const input = quantizeInputSpec(spec.name, spec.shape, stats.min, stats.max, opts);
  ctx.register({ ...input, target: input.scale });
  const names = new Set(graph.nodes.map((n) => n.name));
  for (const layer of Object.keys(opts.layers ?? {})) {
    if (!names.has(layer))
      throw new ZkError(
        "BAD_OPTION",
        `settings: layer "${layer}" is not a node of this model (its nodes: ${[...names].slice(0, 8).join(", ")}${names.size > 8 ? ", …" : ""})`,
      );
  }
  for (const node of graph.nodes) {
    ctx.enter(node);
    quantizeNode(ctx, node);
  }
  return { input, outputs: graph.outputs.map((o) => ctx.values.get(o.name)!), nodes: ctx.nodes, values: ctx.values };
}

/**
 * The accepted input: scale from the calibrated range, and an integer range [lo, lo + 2^n - 1]
 * covering the calibrated range widened by the margin. The power-of-two window is centered on
 * that range (its slack split evenly, so neither end grows much: exp and friends care), except
 * that a range already ≥ 0 stays ≥ 0. Its error bound is the rounding of a float input to
 * the integer grid.
 */
export function quantizeInputSpec(
  name: string,
  shape: readonly number[],
  min: number,
  max: number,
  opts: QuantizeOptions,
): QInput {
  const span = Math.max(max - min, 1e-9);
  const fLo = min >= 0 ? 0 : min - opts.inputMargin * span;
  const fHi = max + opts.inputMargin * span;
  const scale = scaleForRange(Math.max(Math.abs(fLo), Math.abs(fHi)), opts.inputBits);
  const k = 2 ** scale;
  const [a, b] = [Math.floor(fLo * k), Math.ceil(fHi * k)];
  const nBits = Math.max(1, Math.ceil(Math.log2(b - a + 1)));
  const lo = fLo === 0 ? 0 : a - Math.floor((2 ** nBits - (b - a + 1)) / 2);
  const hi = lo + 2 ** nBits - 1;
  return { name, shape, scale, lo, hi, floatLo: lo / k, floatHi: hi / k, err: 2 ** -(scale + 1) };
}
