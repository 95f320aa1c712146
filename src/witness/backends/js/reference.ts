/**
 * The `js` backend: the reference executor of a witness plan. Each step's values come from
 * the integer reference (`quantize/reference.ts`) and each gadget's wires from its witness
 * rule beside its constraints (`circuit/gadgets/`). Simple on purpose: it is the oracle the
 * WASM backend (and any later one) is checked against, byte for byte. Narrow tensors are
 * doubles; a step touching a wide one (past 2^53) runs exactly in BigInt (wide.ts).
 */
import type { PlanStep, Salts, WitnessPlan } from "../../../circuit/plan.js";
import type { IntTensor, PlanValue } from "../../../quantize/qgraph.js";
import { evalQ } from "../../../quantize/reference.js";
import { writeInt, type WireSink } from "../../../circuit/wires.js";
import { writeBits } from "../../../circuit/gadgets/bits.js";
import { requantWitness } from "../../../circuit/gadgets/requant.js";
import { firstOutside, windowError } from "../../../quantize/window.js";
import { maxWitness } from "../../../circuit/gadgets/max.js";
import { productWitness } from "../../../circuit/gadgets/product.js";
import { divWitness } from "../../../circuit/gadgets/div.js";
import { invertWitness } from "../../../circuit/gadgets/invert.js";
import { argmaxWitness } from "../../../circuit/gadgets/argmax.js";
import { commitWitness } from "../../../circuit/gadgets/commit.js";
import { ZkError } from "../../../errors.js";
import { assertNever } from "../../../util/never.js";
import { planValue, runWideStep, touchesWide } from "./wide.js";

/** Runs the plan on a quantized input; writes wires to `sink` if given. Returns every tensor. */
export function runPlanJs(plan: WitnessPlan, input: IntTensor, sink?: WireSink, salts: Salts = {}): PlanValue[] {
  const values: PlanValue[] = new Array(plan.tensors.length);
  values[plan.input] = input;
  return runSteps(plan, values, sink, salts);
}

/** The plan's outputs among `values`, each in the plan's representation (wide.ts planValue). */
export function planOutputs(plan: WitnessPlan, values: readonly PlanValue[]): PlanValue[] {
  return plan.outputs.map((t) => planValue(plan, t, values[t]!.data));
}

/** Runs every step over `values` (tensors already known are set; the rest are filled in). */
export function runSteps(plan: WitnessPlan, values: PlanValue[], sink?: WireSink, salts: Salts = {}): PlanValue[] {
  for (const step of plan.steps) runStep(plan, step, values, sink, salts);
  return values;
}

/** One step of the reference executor (the wasm backend runs its rare steps through this too). */
export function runStep(
  plan: WitnessPlan,
  step: PlanStep,
  values: PlanValue[],
  sink?: WireSink,
  salts: Salts = {},
): void {
  if (touchesWide(plan, step))
    return runWideStep(plan, step, values, sink, (s) => runNarrow(plan, s, values, sink, salts));
  runNarrow(plan, step, values, sink, salts);
}

/** A step all of whose tensors are narrow: doubles, exact below 2^53 (a commitment takes either). */
function runNarrow(
  plan: WitnessPlan,
  step: PlanStep,
  all: PlanValue[],
  sink: WireSink | undefined,
  salts: Salts,
): void {
  // every tensor this step touches is an IntTensor here (touchesWide said so), bar a commitment's parts
  const values = all as IntTensor[];
  switch (step.kind) {
    case "input":
      if (sink) {
        const x = values[step.tensor]!.data;
        if (step.wire !== null) emit(sink, step.wire, x);
        writeBits(sink, step.range, x);
      }
      return;
    case "linear":
      values[step.output] = evalQ(
        step.op,
        step.inputs.map((t) => values[t]!),
        plan.tensors[step.output]!.shape,
      );
      return;
    case "requant": {
      const x = values[step.input]!;
      // an input outside a windowed rescale's window has no witness: say so, even without wires
      const bad = firstOutside(step.window, x.data);
      if (bad >= 0) throw windowError(step.window!, step.window!.at, bad, x.data[bad]!);
      values[step.output] = evalQ(
        { kind: "requant", shift: step.shift, act: step.act, window: null },
        [x],
        plan.tensors[step.output]!.shape,
      );
      if (sink) requantWitness(step, x.data, sink);
      return;
    }
    case "max": {
      const x = values[step.input]!;
      values[step.output] = evalQ({ kind: "max", groups: step.groups }, [x], plan.tensors[step.output]!.shape);
      if (sink) maxWitness(step, x.data, sink);
      return;
    }
    case "product": {
      const [a, b] = step.inputs.map((t) => values[t]!) as [IntTensor, IntTensor];
      const shape = plan.tensors[step.output]!.shape;
      values[step.output] =
        typeof step.op === "object"
          ? evalQ({ kind: "conv", weight: b, bias: null, params: step.op.conv }, [a], shape)
          : evalQ({ kind: step.op }, [a, b], shape);
      if (sink) productWitness(step, a, b, shape, sink);
      return;
    }
    case "param":
      values[step.tensor] = { shape: plan.tensors[step.tensor]!.shape, data: step.data };
      if (sink) {
        emit(sink, step.wire, step.data);
        writeBits(sink, step.range, step.data);
      }
      return;
    case "commit": {
      if (!sink) return;
      const parts = step.parts.map((p) => ({ values: all[p.tensor]!.data, part: p }));
      for (const p of step.parts) if (p.check) writeBits(sink, p.check, all[p.tensor]!.data);
      const salt = step.salt ? saltFor(salts, step.salt.role) : null;
      if (step.salt) sink.setField(step.salt.wire, salt!);
      sink.setField(step.outWire, commitWitness(parts, salt, step.wire, sink));
      return;
    }
    case "div": {
      const [a, b] = step.inputs.map((t) => values[t]!) as [IntTensor, IntTensor];
      const shape = plan.tensors[step.output]!.shape;
      values[step.output] = evalQ({ kind: "div", shift: step.shift }, [a, b], shape);
      if (sink) divWitness(step, a, b, shape, sink);
      return;
    }
    case "invert": {
      const x = values[step.input]!;
      values[step.output] = evalQ({ kind: "invert", fn: step.fn, k: step.k }, [x], plan.tensors[step.output]!.shape);
      if (sink) invertWitness(step, x.data, sink);
      return;
    }
    case "argmax": {
      const x = values[step.input]!;
      values[step.output] = evalQ({ kind: "argmax", groups: step.groups }, [x], plan.tensors[step.output]!.shape);
      if (sink) argmaxWitness(step, x.data, sink);
      return;
    }
    case "emit":
      if (sink) emit(sink, step.wire, values[step.tensor]!.data);
      return;
    default:
      return assertNever(step, "plan step");
  }
}

function saltFor(salts: Salts, role: keyof Salts): bigint {
  const s = salts[role];
  if (s === undefined) throw new ZkError("BAD_INPUT", `the ${role} commitment is salted but no ${role} salt was given`);
  return s;
}

/** Values into wires; a double past 2^53 (a parameter at a wide scale) is an integer, written exactly as BigInt. */
function emit(sink: WireSink, wire: number, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    writeInt(sink, wire + i, Number.isSafeInteger(v) ? v : BigInt(v));
  }
}
