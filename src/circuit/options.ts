/** The compile verb's knobs and defaults: the quantizer's, plus visibility (light: the CLI's help text reads them). */
import { DEFAULT_QUANTIZE, type QuantizeOptions } from "../quantize/options.js";
import type { InputVisibility, OutputVisibility, ParamVisibility } from "../meta/model.js";

export interface CompileModelOptions extends QuantizeOptions {
  readonly inputVisibility: InputVisibility;
  readonly paramVisibility: ParamVisibility;
  readonly outputVisibility: OutputVisibility;
  /** salt hashed inputs and outputs (default true; false: deterministic, recomputable commitments) */
  readonly salt?: boolean;
}

export const DEFAULT_COMPILE: CompileModelOptions = {
  ...DEFAULT_QUANTIZE,
  inputVisibility: "private",
  paramVisibility: "fixed",
  outputVisibility: "public",
  salt: true,
};
