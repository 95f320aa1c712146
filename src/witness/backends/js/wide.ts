/**
 * The reference executor's wide path: a step that reads or writes a wide tensor (bounds at or
 * past 2^53, plan.ts `isWide`: a deep accumulation at many bits) runs here, in BigInt, exact at
 * any size the field holds. Linear ops evaluate the very linear combinations the compiler
 * builds their constraints from (circuit/linear.ts), over the step's input values: one
 * definition of each op, not a second copy of its loops; gemm and conv, where that costs an
 * object per term, sum their products directly (conv over the same enumerator, convTerms).
 * Only wide steps pay for BigInt; every narrow step stays on the doubles of reference.ts.
 */
import { isWide, type LinearQOp, type PlanStep, type WitnessPlan } from "../../../circuit/plan.js";
import type { Shape } from "../../../model/graph.js";
import { sizeOf } from "../../../model/shapes.js";
import { convTerms } from "../../../model/windows.js";
import type { Ints, PlanValue } from "../../../quantize/qgraph.js";
import { activate } from "../../../quantize/reference.js";
import { rescaleInt } from "../../../quantize/layout.js";
import { firstOutside, windowError } from "../../../quantize/window.js";
import { LinearCombination, type LcTensor } from "../../../circuit/lc.js";
import { linearLcs } from "../../../circuit/linear.js";
import { writeInt, type WireSink } from "../../../circuit/wires.js";
import { requantWitness } from "../../../circuit/gadgets/requant.js";
import { maxWitness } from "../../../circuit/gadgets/max.js";
import { argmaxWitness } from "../../../circuit/gadgets/argmax.js";
import { productWide } from "../../../circuit/gadgets/product.js";
import { ZkError } from "../../../errors.js";
import { stepInputs, stepOutput } from "../../lowering.js";

/** Whether a step reads or writes a wide tensor (and so runs on this path). */
export function touchesWide(plan: WitnessPlan, step: PlanStep): boolean {
  const out = stepOutput(step);
  return (out !== null && isWide(plan.tensors[out]!)) || stepInputs(step).some((t) => isWide(plan.tensors[t]!));
}

/**
 * Tensor t's values as the plan holds it: BigInt when its bounds are wide, else (exact)
 * doubles, so every backend hands out each tensor in the same representation.
 */
export function planValue(plan: WitnessPlan, t: number, values: Ints): PlanValue {
  const shape = plan.tensors[t]!.shape;
  if (isWide(plan.tensors[t]!))
    return {
      shape,
      data: Array.isArray(values) && typeof values[0] === "bigint" ? (values as bigint[]) : Array.from(values, BigInt),
    };
  return { shape, data: values instanceof Float64Array ? values : Float64Array.from(values, Number) };
}

/** A constant tensor's values as BigInt, converted once per tensor (every witness reuses them). */
const bigConstants = new WeakMap<Float64Array, readonly bigint[]>();
function bigOf(data: Float64Array): readonly bigint[] {
  let b = bigConstants.get(data);
  if (!b) bigConstants.set(data, (b = Array.from(data, BigInt)));
  return b;
}

/**
 * Gemm and conv straight in BigInt: their fan-in makes a linear combination's objects the whole
 * cost. Conv walks the very enumerator its constraints do (convTerms).
 */
function productSums(
  op: Extract<LinearQOp, { kind: "gemm" | "conv" }>,
  x: Ints,
  xShape: Shape,
  outShape: Shape,
): bigint[] {
  const xs = Array.from(x, BigInt);
  const w = bigOf(op.weight.data);
  const bias = op.bias ? bigOf(op.bias.data) : null;
  const out = new Array<bigint>(sizeOf(outShape));
  if (op.kind === "gemm") {
    const [K, N] = op.weight.shape as [number, number];
    for (let r = 0; r < xs.length / K; r++)
      for (let n = 0; n < N; n++) {
        let s = bias ? bias[n]! : 0n;
        for (let k = 0; k < K; k++) if (w[k * N + n]) s += xs[r * K + k]! * w[k * N + n]!;
        out[r * N + n] = s;
      }
    return out;
  }
  let s = 0n;
  convTerms(
    xShape,
    op.weight.shape,
    outShape,
    op.params,
    (_o, m) => (s = bias ? bias[m]! : 0n),
    (i, k) => (s += xs[i]! * w[k]!),
    (o) => (out[o] = s),
  );
  return out;
}

/** A linear op on any values: its output elements' linear combinations, evaluated exactly. */
function linearWide(
  step: Extract<PlanStep, { kind: "linear" }>,
  xs: readonly PlanValue[],
  outShape: readonly number[],
): bigint[] {
  if (step.op.kind === "gemm" || step.op.kind === "conv")
    return productSums(step.op, xs[0]!.data, xs[0]!.shape, outShape);
  // each input element is a virtual wire (wire 0 is the constant 1, as in the circuit)
  const flat: bigint[] = [1n];
  const lcIns: LcTensor[] = xs.map((x) => ({
    shape: x.shape,
    lcs: Array.from(x.data as ArrayLike<number | bigint>, (v) => LinearCombination.wire(flat.push(BigInt(v)) - 1)),
  }));
  return linearLcs(step.op, lcIns, outShape).lcs.map((lc) => {
    let s = 0n;
    for (const [w, c] of lc.terms) s += c * flat[w]!;
    return s;
  });
}

/** One step that touches a wide tensor (reference.ts sends them here); same semantics and wires. */
export function runWideStep(
  plan: WitnessPlan,
  step: PlanStep,
  values: PlanValue[],
  sink: WireSink | undefined,
  narrow: (step: PlanStep) => void,
): void {
  const shapeOf = (t: number) => plan.tensors[t]!.shape;
  switch (step.kind) {
    case "linear": {
      const xs = step.inputs.map((t) => values[t]!);
      values[step.output] =
        step.op.kind === "reshape"
          ? planValue(plan, step.output, xs[0]!.data)
          : planValue(plan, step.output, linearWide(step, xs, shapeOf(step.output)));
      return;
    }
    case "requant": {
      const x = values[step.input]!.data;
      const bad = firstOutside(step.window, x);
      if (bad >= 0) throw windowError(step.window!, step.window!.at, bad, x[bad]!);
      // the rescaled value is narrow (the quantizer keeps a requant's output below 2^51), so the
      // activation runs on doubles as everywhere else
      const q = Array.from(x as Ints, (v) => rescaleInt(v, step.shift));
      values[step.output] = planValue(
        plan,
        step.output,
        Float64Array.from(q, (v) => activate(step.act, v)),
      );
      if (sink) requantWitness(step, x, sink);
      return;
    }
    case "max": {
      const x = values[step.input]!.data as ArrayLike<number | bigint>;
      const { start, indices } = step.groups;
      const out: bigint[] = [];
      for (let g = 0; g + 1 < start.length; g++) {
        let m = BigInt(x[indices[start[g]!]!]!);
        for (let j = start[g]! + 1; j < start[g + 1]!; j++) {
          const v = BigInt(x[indices[j]!]!);
          if (v > m) m = v;
        }
        out.push(m);
      }
      values[step.output] = planValue(plan, step.output, out);
      if (sink) maxWitness(step, x, sink);
      return;
    }
    case "argmax": {
      const x = values[step.input]!.data as ArrayLike<number | bigint>;
      const { start, indices } = step.groups;
      const out = new Float64Array(start.length - 1);
      for (let g = 0; g + 1 < start.length; g++) {
        let best = start[g]!;
        for (let j = start[g]! + 1; j < start[g + 1]!; j++)
          if (BigInt(x[indices[j]!]!) > BigInt(x[indices[best]!]!)) best = j;
        out[g] = best - start[g]!;
      }
      values[step.output] = planValue(plan, step.output, out);
      if (sink) argmaxWitness(step, x, sink);
      return;
    }
    case "product": {
      const [a, b] = step.inputs.map((t) => values[t]!) as [PlanValue, PlanValue];
      values[step.output] = planValue(plan, step.output, productWide(step, a, b, shapeOf(step.output), sink));
      return;
    }
    case "emit":
      if (sink) {
        const x = values[step.tensor]!.data as ArrayLike<number | bigint>;
        for (let i = 0; i < x.length; i++) writeInt(sink, step.wire + i, x[i]!);
      }
      return;
    case "commit":
      // packing and hashing are BigInt already (gadgets/pack.ts): the narrow path takes wide parts
      return narrow(step);
    case "input":
    case "param":
      // their values come as doubles (the caller's input, the plan's parameters) whatever the
      // bounds say: the narrow path writes them, and wide steps read doubles as well as BigInt
      return narrow(step);
    case "div":
    case "invert":
      // the quantizer keeps these narrow (quantize/context.ts): a wide one is a compiler bug
      throw new ZkError(
        "UNSATISFIED",
        `witness plan: a ${step.kind} step touches a tensor past 2^53, which the compiler never allows (recompile)`,
      );
    default:
      return step satisfies never;
  }
}
