/**
 * Float Graph + calibration → QGraph.
 *
 * Scales: each activation's scale is chosen from its calibrated range so that it uses about
 * `activationBits` bits; each weight tensor's from its largest weight (`weightBits`). Linear
 * ops multiply scales (x·2^sx times w·2^sw has scale sx+sw), so their outputs are
 * "accumulators" that are rescaled (a `requant` node) only when something needs a settled
 * value: a ReLU (fused into the same rescale), a pooling max, or the next multiplication.
 * Graph outputs stay unrescaled: publishing an accumulator costs nothing and loses nothing.
 *
 * Bounds: the accepted input range is the calibrated range widened by `inputMargin` and
 * rounded up to a power-of-two span (exactly what one bit decomposition enforces); every
 * other value's bounds follow from it by interval analysis, so they hold for any input the
 * circuit accepts. A bound at or beyond 2^52 is refused, naming the node.
 */
import type { Graph, Node, Tensor } from "../model/graph.js";
import { sizeOf } from "../model/shapes.js";
import { ZkError } from "../errors.js";
import type { Calibration } from "./calibration.js";
import type { IntTensor, QGraph, QInput, QNode, QOp, QValue } from "./qgraph.js";
import { affineBounds, convBounds, gemmBounds, requantBounds, type Bounds } from "./bounds.js";

export interface QuantizeOptions {
  /** bits an activation's calibrated range should span (sign included) */
  readonly activationBits: number;
  /** bits of the largest weight of each tensor (sign included) */
  readonly weightBits: number;
  /** bits the calibrated input range should span */
  readonly inputBits: number;
  /** widen the calibrated input range by this fraction of its span on each side */
  readonly inputMargin: number;
}

export const DEFAULT_QUANTIZE: QuantizeOptions = { activationBits: 10, weightBits: 10, inputBits: 10, inputMargin: 0.25 };

/** Exact doubles end at 2^53; keep a bit of headroom for the rounding offsets. */
export const MAX_MAGNITUDE = 2 ** 52;

/** The largest scale at which `absMax` still fits in `bits` signed bits. */
export function scaleForRange(absMax: number, bits: number): number {
  if (!(absMax > 0)) return bits - 1;
  return bits - 1 - Math.ceil(Math.log2(absMax));
}

/**
 * Scale for constant parameters: the largest that fits `bits`, but no larger than needed to
 * represent them exactly (a multiplier of -1 or 0.5 gets scale 0 or 1, not 7).
 */
export function paramScale(values: ArrayLike<number>, bits: number): number {
  let absMax = 0;
  for (let i = 0; i < values.length; i++) absMax = Math.max(absMax, Math.abs(values[i]!));
  const sMax = scaleForRange(absMax, bits);
  for (let s = Math.min(0, sMax); s < sMax; s++) {
    const k = 2 ** s;
    let exact = true;
    for (let i = 0; i < values.length && exact; i++) exact = Number.isInteger(values[i]! * k);
    if (exact) return s;
  }
  return sMax;
}

export function quantizeTensor(t: Tensor, scale: number): IntTensor {
  const k = 2 ** scale;
  return { shape: t.shape, data: t.data.map((v) => Math.round(v * k)) };
}

/** A quantized value while the graph is being built: its desired scale rides along. */
interface Pending extends QValue {
  /** the scale this value should be rescaled to before anything multiplies or compares it */
  readonly target: number;
}

export function quantize(graph: Graph, calib: Calibration, opts: QuantizeOptions = DEFAULT_QUANTIZE): QGraph {
  validateOptions(opts);
  const nodes: QNode[] = [];
  const values = new Map<string, QValue>();
  const current = new Map<string, Pending>();
  const absMax = (name: string) => calib.stats.get(name)?.absMax ?? 0;

  const define = (v: Pending): Pending => {
    values.set(v.name, { name: v.name, shape: v.shape, scale: v.scale, lo: v.lo, hi: v.hi });
    current.set(v.name, v);
    return v;
  };
  const checked = (node: Node | null, b: Bounds, what: string): Bounds => {
    const m = Math.max(b.mag, Math.abs(b.lo), Math.abs(b.hi));
    if (!(m < MAX_MAGNITUDE)) {
      const where = node ? `node "${node.name}" (${node.source})` : what;
      throw new ZkError("OVERFLOW",
        `${where}: quantized values may reach 2^${Math.log2(m).toFixed(1)}, beyond the 2^52 that exact witness arithmetic allows; ` +
        `lower --weight-bits / --activation-bits or rescale the model's inputs`);
    }
    return b;
  };

  // ---- the input ----
  const spec = graph.inputs[0]!;
  const inStats = calib.stats.get(spec.name)!;
  const input = quantizeInputSpec(spec.name, spec.shape, inStats.min, inStats.max, opts);
  define({ ...input, target: input.scale });

  /** Rescale `v` to its target scale if it is an accumulator. */
  const settle = (v: Pending, node: Node): Pending => {
    const shift = v.scale - v.target;
    if (shift <= 0) return v;
    return emitRequant(v, shift, false, `${v.name}@s${v.target}`, node, "");
  };
  const emitRequant = (v: Pending, shift: number, relu: boolean, name: string, node: Node, source: string): Pending => {
    const b = checked(node, requantBounds(v.lo, v.hi, shift, relu), name);
    nodes.push({ name: node.name, source, op: { kind: "requant", shift, relu }, inputs: [v.name], output: name });
    return define({ name, shape: v.shape, scale: v.scale - shift, lo: b.lo, hi: b.hi, target: v.target });
  };
  const push = (node: Node, op: QOp, x: Pending, scale: number, b: Bounds): void => {
    checked(node, b, node.output);
    nodes.push({ name: node.name, source: node.source, op, inputs: [x.name], output: node.output });
    const target = Math.min(scale, scaleForRange(absMax(node.output), opts.activationBits));
    define({ name: node.output, shape: graph.shapes.get(node.output)!, scale, lo: b.lo, hi: b.hi, target });
  };

  for (const node of graph.nodes) {
    const raw = current.get(node.inputs[0]!)!;
    const op = node.op;
    switch (op.kind) {
      case "gemm": case "conv": {
        const x = settle(raw, node);
        const sw = paramScale(op.weight.data, opts.weightBits);
        const weight = quantizeTensor(op.weight, sw);
        const bias = op.bias ? quantizeTensor(op.bias, x.scale + sw) : null;
        const b = op.kind === "gemm" ? gemmBounds(weight, bias, x.lo, x.hi) : convBounds(weight, bias, op.params, x.lo, x.hi);
        const qop: QOp = op.kind === "gemm" ? { kind: "gemm", weight, bias } : { kind: "conv", weight, bias, params: op.params };
        push(node, qop, x, x.scale + sw, b);
        break;
      }
      case "affine": {
        const x = op.mul ? settle(raw, node) : raw;
        const sm = op.mul ? paramScale(op.mul.data, opts.weightBits) : 0;
        const mul = op.mul ? quantizeTensor(op.mul, sm) : null;
        const add = op.add ? quantizeTensor(op.add, x.scale + sm) : null;
        push(node, { kind: "affine", mul, add }, x, x.scale + sm, affineBounds(mul, add, graph.shapes.get(node.output)!, x.lo, x.hi));
        break;
      }
      case "reshape": {
        nodes.push({ name: node.name, source: node.source, op: { kind: "reshape" }, inputs: [raw.name], output: node.output });
        define({ ...raw, name: node.output, shape: graph.shapes.get(node.output)! });
        break;
      }
      case "relu": {
        // fused: one rescale (possibly by 0 bits) whose sign bit also gives the ReLU
        const shift = Math.max(0, raw.scale - raw.target);
        const out = emitRequant(raw, shift, true, node.output, node, node.source);
        current.set(node.output, out);
        break;
      }
      case "max": {
        const x = settle(raw, node);
        nodes.push({ name: node.name, source: node.source, op: { kind: "max", groups: op.groups }, inputs: [x.name], output: node.output });
        define({ ...x, name: node.output, shape: graph.shapes.get(node.output)! });
        break;
      }
    }
  }

  const outputs = graph.outputs.map((o) => values.get(o.name)!);
  return { input, outputs, nodes, values };
}

/**
 * The accepted input: scale from the calibrated range, and an integer range [lo, lo + 2^n - 1]
 * covering the calibrated range widened by the margin (a range that is already ≥ 0 stays ≥ 0).
 */
export function quantizeInputSpec(name: string, shape: readonly number[], min: number, max: number, opts: QuantizeOptions): QInput {
  const span = Math.max(max - min, 1e-9);
  const fLo = min >= 0 ? 0 : min - opts.inputMargin * span;
  const fHi = max + opts.inputMargin * span;
  const scale = scaleForRange(Math.max(Math.abs(fLo), Math.abs(fHi)), opts.inputBits);
  const k = 2 ** scale;
  const lo = Math.floor(fLo * k);
  const nBits = Math.max(1, Math.ceil(Math.log2(Math.ceil(fHi * k) - lo + 1)));
  const hi = lo + 2 ** nBits - 1;
  return { name, shape, scale, lo, hi, floatLo: lo / k, floatHi: hi / k };
}

function validateOptions(o: QuantizeOptions): void {
  const bits = (v: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new ZkError("BAD_OPTION", `${name} must be an integer in ${min}..${max}, got ${v}`);
  };
  bits(o.activationBits, "activation bits", 2, 24);
  bits(o.weightBits, "weight bits", 2, 16);
  bits(o.inputBits, "input bits", 2, 24);
  if (!(o.inputMargin >= 0 && o.inputMargin <= 10)) throw new ZkError("BAD_OPTION", `input margin must be in 0..10, got ${o.inputMargin}`);
}

export function valueCount(q: QGraph): number {
  let n = 0;
  for (const v of q.values.values()) n += sizeOf(v.shape);
  return n;
}
