/** The quantized input spec a compiled model accepts, from its model.json. */
import type { ModelMeta } from "../artifacts.js";
import type { QInput } from "../quantize/qgraph.js";

export function qinputOf(meta: Pick<ModelMeta, "input">): QInput {
  const [lo, hi] = meta.input.range;
  const [floatLo, floatHi] = meta.input.floatRange;
  return { name: meta.input.name, shape: meta.input.shape, scale: meta.input.scale, lo, hi, floatLo, floatHi, err: 2 ** -(meta.input.scale + 1) };
}
