/** The quantizer's knobs (CLI: compile --activation-bits etc.). */
import { ZkError } from "../errors.js";

export interface QuantizeOptions {
  /** bits an activation's calibrated range should span (sign included) */
  readonly activationBits: number;
  /** bits of the largest weight of each tensor (sign included) */
  readonly weightBits: number;
  /** bits the calibrated input range should span */
  readonly inputBits: number;
  /** widen the calibrated input range by this fraction of its span on each side */
  readonly inputMargin: number;
  /**
   * Each rescale holds its input to the calibrated range widened by this fraction of its span
   * on each side (when that is narrower than the interval bound): bounds then stop compounding
   * from layer to layer, at the price that an input driving an activation outside its window
   * cannot be proven (prove and run say which). Infinity: no windows. Never applied with
   * prover-supplied parameters (their bounds must hold for every admitted weight).
   */
  readonly activationMargin?: number;
  /**
   * The prover supplies the parameters (--param-visibility private or hashed): bounds must then
   * hold for every value the parameters' range checks admit, not just for these weights.
   */
  readonly freeParams?: boolean;
  /**
   * Per-layer bits, by ONNX node name (what `zkinfer calibrate` searches for and a settings file
   * carries): each overrides activationBits / weightBits for the values and weights of that node.
   */
  readonly layers?: Readonly<Record<string, LayerBits>>;
}

/** One layer's bits; either may be left to the global option. */
export interface LayerBits {
  readonly activationBits?: number;
  readonly weightBits?: number;
}

export const DEFAULT_QUANTIZE: QuantizeOptions = {
  activationBits: 10,
  weightBits: 10,
  inputBits: 10,
  inputMargin: 0.25,
  activationMargin: 1,
};

export function validateOptions(o: QuantizeOptions): void {
  const bits = (v: number, name: string, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new ZkError("BAD_OPTION", `${name} must be an integer in ${min}..${max}, got ${v}`);
  };
  // up to 32 bits each: the accumulators grow past 2^53 then, which the witness holds exactly
  // (BigInt and i64); activations stay far inside the 2^50 a rescale's output is kept below
  bits(o.activationBits, "activation bits", 2, 32);
  bits(o.weightBits, "weight bits", 2, 32);
  bits(o.inputBits, "input bits", 2, 32);
  if (!(o.inputMargin >= 0 && o.inputMargin <= 10))
    throw new ZkError("BAD_OPTION", `input margin must be in 0..10, got ${o.inputMargin}`);
  for (const [name, l] of Object.entries(o.layers ?? {})) {
    if (l.activationBits !== undefined) bits(l.activationBits, `layer "${name}": activation bits`, 2, 32);
    if (l.weightBits !== undefined) bits(l.weightBits, `layer "${name}": weight bits`, 2, 32);
  }
  const am = o.activationMargin ?? 1;
  if (!(am >= 0))
    throw new ZkError("BAD_OPTION", `activation margin must be ≥ 0 (Infinity: no windows), got ${o.activationMargin}`);
}
