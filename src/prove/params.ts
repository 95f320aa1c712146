/**
 * Other weights for a circuit compiled with --param-visibility private or hashed: the circuit
 * fixes the architecture and, per tensor, the scale and the range of values it admits; any
 * model of that architecture whose quantized weights fall in those ranges proves with the same
 * keys (a fine-tuned model needs no new setup). The weights replace the plan's; with hashed
 * params the proof then commits to them.
 */
import type { PlanStep, WitnessPlan } from "../circuit/plan.js";
import type { ModelMeta } from "../meta/model.js";
import { importOnnx } from "../model/import.js";
import { bindParams } from "../model/params.js";
import { quantizeTensor } from "../quantize/params.js";
import { valuesFit } from "../circuit/gadgets/pack.js";
import { ZkError } from "../errors.js";

/** The plan with its parameter steps filled from the model in `onnx` (checked against the circuit's layout). */
export function withParams(plan: WitnessPlan, meta: ModelMeta, onnx: Uint8Array, file: string): WitnessPlan {
  if (meta.options.paramVisibility === "fixed") {
    throw new ZkError(
      "BAD_OPTION",
      "--params: this circuit's weights are fixed in it (compiled with --param-visibility fixed); compile the other model instead, or compile with --param-visibility private or hashed",
    );
  }
  const bound = bindParams(meta.params, importOnnx(onnx, file).graph, file);
  const slots = plan.steps.filter((s): s is Extract<PlanStep, { kind: "param" }> => s.kind === "param");
  if (slots.length !== bound.length)
    throw new ZkError(
      "BAD_FILE",
      `plan.json has ${slots.length} parameter tensors, model.json ${bound.length}: recompile the model`,
    );
  const data = new Map<PlanStep, Float64Array>();
  bound.forEach(({ entry, node, tensor }, k) => {
    const q = quantizeTensor(tensor, entry.scale).data;
    if (!valuesFit(q, entry)) {
      const i = q.findIndex((v) => v < entry.lo || v > entry.lo + 2 ** entry.bits - 1);
      throw new ZkError(
        "BAD_MODEL",
        `${file}: node "${node.name}" ${entry.part}[${i}] = ${tensor.data[i]} quantizes to ${q[i]} at scale 2^${entry.scale}, outside the range this circuit admits ([${entry.lo}, ${entry.lo + 2 ** entry.bits - 1}]); compile a circuit for this model`,
      );
    }
    data.set(slots[k]!, q);
  });
  return { ...plan, steps: plan.steps.map((s) => (data.has(s) ? { ...s, data: data.get(s)! } : s)) };
}
