/**
 * The quantizer's working state: the quantized value of every float value so far, the scale
 * each should settle to, and the helpers every rule uses: settle (rescale an accumulator to
 * its target scale), requant (rescale + activation), define (append a node with its bounds
 * and error bound, refusing magnitudes that would break exact arithmetic).
 */
import type { Graph, Node } from "../model/graph.js";
import { ZkError } from "../errors.js";
import type { Calibration } from "./calibration.js";
import { isWideAbs, type Activation, type QNode, type QOp, type QValue } from "./qgraph.js";
import { requantBounds, type Bounds, type Interval } from "./bounds.js";
import type { QuantizeOptions } from "./options.js";

/**
 * The largest magnitude any quantized value may reach: BN254's field (p ≈ 2^253.6) with room
 * for the range checks over it (a rescale decomposes x + offset, a comparison a − b + 2^(m−1),
 * each below the 252 bits a decomposition may have). The witness holds every value exactly,
 * past 2^53 in BigInt (plan.ts isWide), so this is the field's limit, not the doubles'.
 */
export const MAX_MAGNITUDE = 2 ** 240;

/**
 * What a few ops keep below, because their witness (and the constants the circuit derives from
 * their bounds) is computed in doubles: a rescale's output (its layout's offset, q·2^k, must be
 * an exact double: quantize/layout.ts), a division and an inverse (their products and slacks).
 * None is an accumulator: activations are ≤ 24 bits.
 */
export const MAX_NARROW = 2 ** 50;
const NARROW_OPS: ReadonlySet<QOp["kind"]> = new Set(["requant", "div", "invert"]);
const EXACT_BOUNDS: ReadonlySet<QOp["kind"]> = new Set(["requant", "max", "argmax", "reshape", "select"]);

/**
 * How far to move a bound computed in doubles (each sum rounded to nearest) from terms of
 * magnitude up to `reach` (the partial sums', mag): far more than that rounding can have taken,
 * 2^-32 of the reach (2^21 terms at 2^-53 each), as an integer; 0 when every term is exact.
 */
export function slackOf(reach: number): number {
  return reach <= Number.MAX_SAFE_INTEGER ? 0 : Math.ceil(reach * 2 ** -32);
}

/** A quantized value while the graph is being built: its desired scale rides along. */
export interface Live extends QValue {
  /** the scale this value should be rescaled to before anything multiplies or compares it */
  readonly target: number;
}

/** The largest scale at which `absMax` still fits in `bits` signed bits. */
export function scaleForRange(absMax: number, bits: number): number {
  if (!(absMax > 0)) return bits - 1;
  return bits - 1 - Math.ceil(Math.log2(absMax));
}

export class QuantizeContext {
  readonly nodes: QNode[] = [];
  readonly values = new Map<string, QValue>();
  private readonly live = new Map<string, Live>();
  private counter = 0;
  /** the bounds of each value a clip with two finite bounds produced, at its scale (see window) */
  private readonly clipped = new Map<string, Interval>();
  /** the node being quantized: its layer's bits apply (QuantizeOptions.layers) */
  private node: Node | null = null;

  constructor(
    readonly graph: Graph,
    readonly calib: Calibration,
    readonly opts: QuantizeOptions,
  ) {}

  get(name: string): Live {
    const v = this.live.get(name);
    if (!v) throw new Error(`quantize: no value "${name}"`);
    return v;
  }

  /** Starts quantizing `node`: its layer's bits apply until the next. */
  enter(node: Node): void {
    this.node = node;
  }

  /** Bits an activation of the current layer should span. */
  get activationBits(): number {
    return (this.node && this.opts.layers?.[this.node.name]?.activationBits) ?? this.opts.activationBits;
  }

  /** Bits of the largest weight of the current layer's tensors. */
  get weightBits(): number {
    return (this.node && this.opts.layers?.[this.node.name]?.weightBits) ?? this.opts.weightBits;
  }

  /** The scale a float value's calibrated range asks for (at the current layer's bits). */
  targetFor(name: string): number {
    return scaleForRange(this.calib.stats.get(name)?.absMax ?? 0, this.activationBits);
  }

  /** A bound on |float value| for a quantized value: its integer bound plus its error. */
  floatMax(v: QValue): number {
    return Math.max(Math.abs(v.lo), Math.abs(v.hi)) / 2 ** v.scale + (v.err ?? 0);
  }

  fresh(base: string): string {
    return `${base}#${this.counter++}`;
  }

  register(v: Live): Live {
    this.values.set(v.name, {
      name: v.name,
      shape: v.shape,
      scale: v.scale,
      lo: v.lo,
      hi: v.hi,
      ...(v.mag === undefined ? {} : { mag: v.mag }),
      err: v.err,
    });
    this.live.set(v.name, v);
    return v;
  }

  /** Appends a node computing `name`; checks its bounds against exact arithmetic. */
  define(
    node: Node,
    source: string,
    op: QOp,
    inputs: readonly QValue[],
    name: string,
    shape: readonly number[],
    scale: number,
    b: Bounds,
    err: number | null,
    target?: number,
  ): Live {
    const m = Math.max(b.mag, Math.abs(b.lo), Math.abs(b.hi));
    if (!(m < MAX_MAGNITUDE)) {
      throw new ZkError(
        "OVERFLOW",
        `node "${node.name}" (${node.source}): quantized values may reach 2^${Math.log2(m).toFixed(1)}, beyond the 2^240 that BN254's field holds with room for its range checks; ` +
          "lower --weight-bits / --activation-bits or rescale the model's inputs",
      );
    }
    // a rescale's input may be wide (its mag): only its output must be narrow
    const narrow = op.kind === "requant" ? Math.max(Math.abs(b.lo), Math.abs(b.hi)) : m;
    if (NARROW_OPS.has(op.kind) && !(narrow < MAX_NARROW)) {
      throw new ZkError(
        "OVERFLOW",
        `node "${node.name}" (${node.source}): its ${op.kind === "requant" ? "rescaled output" : op.kind} may reach 2^${Math.log2(narrow).toFixed(1)}, beyond the 2^50 a ${op.kind} computes exactly in doubles; ` +
          "lower --weight-bits / --activation-bits (a rescale's output is an activation: it needs far fewer bits)",
      );
    }
    // past 2^53 the bounds above were summed in doubles: move them outward past any rounding
    // (relative to the partial sums: a large bias cancelling the terms leaves their rounding
    // behind). Ops that only pick, move or exactly rescale values sum nothing: their bounds are exact.
    const slack = EXACT_BOUNDS.has(op.kind) ? 0 : slackOf(m);
    if (slack > 0) b = { lo: b.lo - slack, hi: b.hi + slack, mag: b.mag + slack };
    // an error bound that overflowed (a product of wide factors) means no finite bound, not NaN
    if (err !== null && !(err < Infinity)) err = Infinity;
    this.nodes.push({ name: node.name, source, op, inputs: inputs.map((i) => i.name), output: name });
    if (op.kind === "requant" && op.act.kind === "clip" && op.act.lo !== null && op.act.hi !== null)
      this.clipped.set(name, { lo: op.act.lo, hi: op.act.hi });
    return this.register({
      name,
      shape,
      scale,
      lo: b.lo,
      hi: b.hi,
      // partial sums past 2^53 when the result is narrower: the witness must still compute it exactly
      // (a rescale's mag is its input's, which is wide or not by its own bounds)
      ...(op.kind !== "requant" && isWideAbs(b.mag) && b.mag > Math.max(Math.abs(b.lo), Math.abs(b.hi))
        ? { mag: b.mag }
        : {}),
      err,
      target: target ?? Math.min(scale, this.targetFor(name)),
    });
  }

  /** Marks the node just defined as holding model parameters. */
  markParam(): void {
    const last = this.nodes[this.nodes.length - 1]!;
    this.nodes[this.nodes.length - 1] = { ...last, param: true };
  }

  /**
   * The window a rescale holds v to (see QuantizeOptions.activationMargin): v's calibrated float
   * range widened on each side by the margin × its span (or its largest magnitude, if larger),
   * at v's scale, if that is narrower than v's bound. A clip's output keeps at least the clip's
   * bounds: every value between them is one the clip can pass (LogSoftmax's clipped sum of
   * exps is anywhere in [1, n], however little of that calibration saw).
   */
  window(v: QValue): Interval | null {
    // with prover-supplied weights the calibration describes only the compiled ones: a prover
    // bringing others must not meet windows they were never calibrated for
    if (this.opts.freeParams) return null;
    const stats = this.calib.stats.get(v.name);
    const margin = this.opts.activationMargin ?? 1;
    if (!stats || !Number.isFinite(margin) || !(stats.max >= stats.min)) return null;
    // the span, or the magnitude when that is larger: a value calibrated in a narrow band far
    // from 0 (a variance after a normalization) still varies in proportion to its size
    const span = Math.max(stats.max - stats.min, stats.absMax, 2 ** -v.scale);
    const k = 2 ** v.scale;
    let lo = Math.max(v.lo, Math.floor((stats.min - margin * span) * k));
    let hi = Math.min(v.hi, Math.ceil((stats.max + margin * span) * k));
    const c = this.clipped.get(v.name);
    if (c) {
      lo = Math.min(lo, Math.max(v.lo, c.lo));
      hi = Math.max(hi, Math.min(v.hi, c.hi));
    }
    return lo > v.lo || hi < v.hi ? { lo, hi } : null;
  }

  /** Rescale + activation. The output scale is the input's minus `shift` (plus the activation's own). */
  requant(
    v: Live,
    shift: number,
    act: Activation,
    node: Node,
    name = this.fresh(`${v.name}@s${v.scale - shift}`),
    source = "",
    window = this.window(v),
  ): Live {
    const b = requantBounds(window ?? v, shift, act);
    const outScale =
      act.kind === "poly"
        ? act.table.outScale
        : act.kind === "leaky"
          ? v.scale - shift + act.alphaShift
          : v.scale - shift;
    const rounding = shift > 0 ? 2 ** -(v.scale - shift + 1) : 0;
    const err = v.err === null ? null : v.err + rounding;
    const target = act.kind === "poly" ? this.targetFor(name) : v.target;
    return this.define(
      node,
      source,
      { kind: "requant", shift, act, window },
      [v],
      name,
      v.shape,
      outScale,
      b,
      err,
      Math.min(outScale, target),
    );
  }

  /**
   * Rescales an accumulator to its target scale (no activation); settled values pass through.
   * `slack` lets a value a few bits above target through: rescaling every input element costs
   * more than the extra bits cost the next rescale (an average pool's 2 bits before a conv).
   */
  settle(v: Live, node: Node, slack = 0): Live {
    const shift = v.scale - v.target;
    return shift > slack ? this.requant(v, shift, { kind: "none" }, node) : v;
  }
}
