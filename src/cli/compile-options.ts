/**
 * The quantization and visibility flags that compile and calibrate share, and how a settings
 * file (compile --settings) supplies their defaults: a flag given on the command line wins.
 */
import type { CompileModelOptions } from "../circuit/options.js";
import { DEFAULT_COMPILE } from "../circuit/options.js";
import type { Settings } from "../quantize/settings.js";
import { flag, int, num, oneOf, type Options, type Parsed } from "./args.js";

export const COMPILE_FLAGS: Options = {
  "activation-bits": { type: "string" },
  "weight-bits": { type: "string" },
  "input-bits": { type: "string" },
  "input-margin": { type: "string" },
  "activation-margin": { type: "string" },
  "input-visibility": { type: "string" },
  "param-visibility": { type: "string" },
  "output-visibility": { type: "string" },
  "no-salt": { type: "boolean" },
};

export const COMPILE_FLAGS_USAGE = `  --activation-bits N        bits an activation's calibrated range spans (default ${DEFAULT_COMPILE.activationBits})
  --weight-bits N            bits of each weight tensor's largest weight (default ${DEFAULT_COMPILE.weightBits})
  --input-bits N             bits the calibrated input range spans (default ${DEFAULT_COMPILE.inputBits})
  --input-margin F           widen the calibrated input range by F × its span (default ${DEFAULT_COMPILE.inputMargin})
  --activation-margin F      hold each rescale's input to its calibrated range widened by F × its span
                             (default ${DEFAULT_COMPILE.activationMargin}; "Infinity": no windows): bounds stop compounding
                             layer to layer; an input driving an activation outside its window cannot be proven
  --input-visibility V       private (default), public, or hashed (a Poseidon commitment is public)
  --param-visibility V       fixed (default: weights are constants of the circuit), private (the
                             prover supplies them), or hashed (private, with a public commitment)
  --output-visibility V      public (default) or hashed
  --no-salt                  hashed inputs and outputs without a salt: deterministic commitments
                             anyone can recompute from the values (by default a random salt, which
                             prove writes beside the opening, hides low-entropy inputs and outputs)`;

export function compileOptions(p: Parsed, settings?: Settings): CompileModelOptions {
  const s = settings?.options ?? {};
  const layers = settings && Object.keys(settings.layers).length ? { layers: settings.layers } : {};
  return {
    activationBits: int(p, "activation-bits", s.activationBits ?? DEFAULT_COMPILE.activationBits),
    weightBits: int(p, "weight-bits", s.weightBits ?? DEFAULT_COMPILE.weightBits),
    inputBits: int(p, "input-bits", s.inputBits ?? DEFAULT_COMPILE.inputBits),
    inputMargin: num(p, "input-margin", s.inputMargin ?? DEFAULT_COMPILE.inputMargin),
    activationMargin: num(p, "activation-margin", s.activationMargin ?? DEFAULT_COMPILE.activationMargin ?? 1),
    inputVisibility: oneOf(p, "input-visibility", ["private", "public", "hashed"], "private"),
    paramVisibility: oneOf(p, "param-visibility", ["fixed", "private", "hashed"], "fixed"),
    outputVisibility: oneOf(p, "output-visibility", ["public", "hashed"], "public"),
    salt: !flag(p, "no-salt"),
    ...layers,
  };
}
