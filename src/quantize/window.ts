/**
 * Activation windows (QuantizeOptions.activationMargin): a windowed rescale has no witness for
 * an input outside its window. Every executor of the quantized graph (the integer reference
 * here, each witness backend) refuses such an input with this one error, so they agree on which
 * inputs are provable and say so in the same words.
 */

import { ZkError } from "../errors.js";

/** A RangeError, so witness generation can tell it apart from bugs and name it the user's. */
export class WindowError extends RangeError {
  override readonly name = "WindowError";
}

export interface Window {
  readonly lo: number;
  readonly hi: number;
}

export function windowError(w: Window, at: string, i: number, v: number | bigint): WindowError {
  return new WindowError(
    `${at}: this input drives element ${i} of its input to ${v}, outside [${w.lo}, ${w.hi}], the window the circuit holds it to ` +
      "(its calibrated range widened by --activation-margin); recompile with calibration data that covers such inputs, or a larger --activation-margin",
  );
}

/** A WindowError as what it is, the user's input error (BAD_INPUT, the same words); anything else unchanged. */
export function asInputError(e: unknown): unknown {
  return e instanceof WindowError ? new ZkError("BAD_INPUT", e.message) : e;
}

/** The index of the first value outside the window (none: -1). */
export function firstOutside(w: Window | null, x: ArrayLike<number | bigint>): number {
  if (!w) return -1;
  // a BigInt compares with a double exactly
  for (let i = 0; i < x.length; i++) if (!(x[i]! >= w.lo && x[i]! <= w.hi)) return i;
  return -1;
}

/** Where a rescale is, in the words every message uses. */
export function windowAt(node: { readonly name: string; readonly source: string }): string {
  return `node "${node.name}" (${node.source || "rescale"})`;
}
