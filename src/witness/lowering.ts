/**
 * The backend-neutral lowering of a witness plan: each plan step becomes kernel calls with
 * named, typed arguments over plan tensors, plan constants and wire offsets. A backend (wasm,
 * webgpu, ...) implements the calls with its own kernels and number formats; a step any of
 * whose calls a backend does not implement runs whole on the js reference (fallback.ts), the
 * same code for every backend. Reshapes lower to nothing: their output is their input's buffer
 * (`aliases`).
 *
 * Semantics are the js reference's (backends/js/reference.ts), call by call:
 *   encode   wires[wire + i] = src[i] as a field element
 *   bits     wires[wire + i·nBits + j] = bit j of (src[i] + offset)
 *   load     dst = data (a prover-supplied parameter)
 *   matmul   out[r, n] = bias[n] + Σ_k x[r, k]·weight[k, n]
 *   conv     out = conv2d(x, weight, params) + bias (NCHW, weight [M, C/group, kH, kW])
 *   affine   out[i] = x[i]·mul[i] + add[i] (broadcast to out's shape)
 *   add      out[i] = a[i]·2^aShift + sign·b[i]·2^bShift (broadcast)
 *   select   out[i] = (inputs·2^shifts, laid end to end)[map[i]], or fill where map[i] < 0
 *   sum      out[g] = mult[g]·Σ x over group g
 *   requant  out = floor((x + 2^(shift-1)) / 2^shift), and the bits of its decomposition
 *   relu     wires[wire + i] = max(q[i], 0) (and for leaky ReLU, q keeps the same wires)
 *   clip     the lower clamp's wires, the upper clamp's decomposition and wires
 *   poly     the piecewise polynomial's one-hot and Horner wires
 *   max      out[g] = max over group g, with each comparison's bits and running maximum
 */
import type { BitsLayout, PlanStep, TensorId, WitnessPlan } from "../circuit/plan.js";
import type { Conv2dParams, Groups } from "../model/graph.js";
import type { IntTensor, PolyTable } from "../quantize/qgraph.js";
import { assertNever } from "../util/never.js";

export type KernelCall =
  | { readonly op: "encode"; readonly src: TensorId; readonly wire: number }
  | {
      readonly op: "bits";
      readonly src: TensorId;
      readonly offset: number;
      readonly nBits: number;
      readonly wire: number;
    }
  | { readonly op: "load"; readonly dst: TensorId; readonly data: Float64Array }
  | {
      readonly op: "matmul";
      readonly x: TensorId;
      readonly weight: IntTensor;
      readonly bias: IntTensor | null;
      readonly out: TensorId;
    }
  | {
      readonly op: "conv";
      readonly x: TensorId;
      readonly weight: IntTensor;
      readonly bias: IntTensor | null;
      readonly params: Conv2dParams;
      readonly out: TensorId;
    }
  | {
      readonly op: "affine";
      readonly x: TensorId;
      readonly mul: IntTensor | null;
      readonly add: IntTensor | null;
      readonly out: TensorId;
    }
  | {
      readonly op: "add";
      readonly a: TensorId;
      readonly b: TensorId;
      readonly aShift: number;
      readonly bShift: number;
      readonly sign: 1 | -1;
      readonly out: TensorId;
    }
  | {
      readonly op: "select";
      readonly inputs: readonly TensorId[];
      readonly map: Int32Array;
      readonly shifts: readonly number[];
      readonly fill: number;
      readonly out: TensorId;
    }
  | {
      readonly op: "sum";
      readonly x: TensorId;
      readonly groups: Groups;
      readonly mult: Float64Array | null;
      readonly out: TensorId;
    }
  | {
      readonly op: "requant";
      readonly x: TensorId;
      readonly shift: number;
      readonly out: TensorId;
      readonly bits: BitsLayout;
      /** when set, x outside [lo, hi] has no witness: the backend must refuse it with gadgets/requant.ts's windowError */
      readonly window: { readonly lo: number; readonly hi: number; readonly at: string } | null;
    }
  | {
      readonly op: "relu";
      readonly q: TensorId;
      readonly wire: number;
      readonly leaky: { readonly alpha: number; readonly alphaShift: number } | null;
    }
  | {
      readonly op: "clip";
      readonly q: TensorId;
      readonly lo: number | null;
      readonly loWire: number;
      readonly hi: number | null;
      readonly hiBits: BitsLayout | null;
      readonly hiWire: number;
    }
  | {
      readonly op: "poly";
      readonly q: TensorId;
      readonly table: PolyTable;
      readonly wire: number;
      readonly perElement: number;
    }
  | {
      readonly op: "max";
      readonly x: TensorId;
      readonly groups: Groups;
      readonly out: TensorId;
      readonly wire: number;
      readonly nBits: number;
    }
  /** the whole step on the js reference (fallback.ts) */
  | { readonly op: "reference"; readonly step: PlanStep };

export type KernelOp = KernelCall["op"];

/** The kernel calls of one plan step. */
export function lowerStep(step: PlanStep): KernelCall[] {
  switch (step.kind) {
    case "input":
      return [
        ...(step.wire === null ? [] : [{ op: "encode", src: step.tensor, wire: step.wire } as const]),
        { op: "bits", src: step.tensor, offset: step.range.offset, nBits: step.range.nBits, wire: step.range.wire },
      ];
    case "emit":
      return [{ op: "encode", src: step.tensor, wire: step.wire }];
    case "param":
      return [
        { op: "load", dst: step.tensor, data: step.data },
        { op: "encode", src: step.tensor, wire: step.wire },
        { op: "bits", src: step.tensor, offset: step.range.offset, nBits: step.range.nBits, wire: step.range.wire },
      ];
    case "linear":
      return lowerLinear(step);
    case "requant":
      return [
        { op: "requant", x: step.input, shift: step.shift, out: step.output, bits: step.bits, window: step.window },
        ...lowerActivation(step),
      ];
    case "max":
      return [{ op: "max", x: step.input, groups: step.groups, out: step.output, wire: step.wire, nBits: step.nBits }];
    case "product":
    case "div":
    case "invert":
    case "argmax":
    case "commit":
      return [{ op: "reference", step }];
    default:
      return assertNever(step, "plan step");
  }
}

function lowerLinear(step: Extract<PlanStep, { kind: "linear" }>): KernelCall[] {
  const op = step.op;
  const [x, y] = step.inputs as [TensorId, TensorId | undefined];
  const out = step.output;
  switch (op.kind) {
    case "reshape":
      return [];
    case "gemm":
      return [{ op: "matmul", x, weight: op.weight, bias: op.bias, out }];
    case "conv":
      return [{ op: "conv", x, weight: op.weight, bias: op.bias, params: op.params, out }];
    case "affine":
      return [{ op: "affine", x, mul: op.mul, add: op.add, out }];
    case "add":
      return [{ op: "add", a: x, b: y!, aShift: op.shifts[0], bShift: op.shifts[1], sign: op.sign, out }];
    case "select":
      return [{ op: "select", inputs: step.inputs, map: op.map, shifts: op.shifts, fill: op.fill, out }];
    case "sum":
      return [{ op: "sum", x, groups: op.groups, mult: op.mult, out }];
    default:
      return assertNever(op, "linear op");
  }
}

function lowerActivation(step: Extract<PlanStep, { kind: "requant" }>): KernelCall[] {
  const { act, actWires: w, output: q } = step;
  switch (w.kind) {
    case "none":
      return [];
    case "relu":
      return [
        {
          op: "relu",
          q,
          wire: w.wire,
          leaky: act.kind === "leaky" ? { alpha: act.alpha, alphaShift: act.alphaShift } : null,
        },
      ];
    case "clip":
      if (act.kind !== "clip") throw new Error("plan: clip wires for a non-clip activation");
      return [{ op: "clip", q, lo: act.lo, loWire: w.loWire, hi: act.hi, hiBits: w.hiBits, hiWire: w.hiWire }];
    case "poly":
      if (act.kind !== "poly") throw new Error("plan: poly wires for a non-poly activation");
      return [{ op: "poly", q, table: act.table, wire: w.wire, perElement: w.perElement }];
    default:
      return assertNever(w, "activation wires");
  }
}

/**
 * The plan as one list of calls per step, for a backend that `accepts` some calls (by op, or
 * per call: a backend whose number formats cannot hold a call's bounds refuses that one): a
 * step with any call it does not accept becomes one reference call.
 */
export function lowerPlan(plan: WitnessPlan, accepts: (call: KernelCall) => boolean): KernelCall[][] {
  return plan.steps.map((step) => {
    const calls = lowerStep(step);
    return calls.every(accepts) ? calls : [{ op: "reference", step }];
  });
}

/** Where each tensor's values live: a reshape's output is its input's buffer (followed to the end). */
export function aliases(plan: WitnessPlan): TensorId[] {
  const of = plan.tensors.map((_, i) => i);
  for (const step of plan.steps) {
    if (step.kind === "linear" && step.op.kind === "reshape") of[step.output] = step.inputs[0]!;
  }
  const root = (t: TensorId): TensorId => (of[t] === t ? t : root(of[t]!));
  return of.map((_, t) => root(t));
}

/** The tensors a call reads or writes (a backend checks their bounds against its number formats). */
export function callTensors(call: KernelCall): TensorId[] {
  switch (call.op) {
    case "encode":
    case "bits":
      return [call.src];
    case "load":
      return [call.dst];
    case "matmul":
    case "conv":
    case "affine":
    case "sum":
    case "requant":
    case "max":
      return [call.x, call.out];
    case "add":
      return [call.a, call.b, call.out];
    case "select":
      return [...call.inputs, call.out];
    case "relu":
    case "clip":
    case "poly":
      return [call.q];
    case "reference":
      return [...stepInputs(call.step), ...(stepOutput(call.step) === null ? [] : [stepOutput(call.step)!])];
    default:
      return assertNever(call, "kernel call");
  }
}

/**
 * The constants a call carries into its kernels (weights, biases, multipliers, a polynomial's
 * coefficients, a window's bounds, a fill value): what a backend's number formats must hold.
 */
export function callConstants(call: KernelCall): ArrayLike<number>[] {
  const present = (...vs: (ArrayLike<number> | null | undefined)[]) => vs.filter((v) => v != null);
  switch (call.op) {
    case "load":
      return [call.data];
    case "matmul":
    case "conv":
      return present(call.weight.data, call.bias?.data);
    case "affine":
      return present(call.mul?.data, call.add?.data);
    case "sum":
      return present(call.mult);
    case "poly":
      return [call.table.coeffs];
    case "requant":
      return call.window ? [[call.window.lo, call.window.hi]] : [];
    case "select":
      return [[call.fill]];
    default:
      return [];
  }
}

/** The tensors a step reads (what the reference fallback must be given). */
export function stepInputs(step: PlanStep): TensorId[] {
  switch (step.kind) {
    case "product":
    case "div":
    case "linear":
      return [...step.inputs];
    case "argmax":
    case "invert":
    case "requant":
    case "max":
      return [step.input];
    case "commit":
      return step.parts.map((p) => p.tensor);
    case "emit":
    case "input":
    case "param":
      return [step.tensor];
    default:
      return assertNever(step, "plan step");
  }
}

/** The tensor a step computes, if any (a parameter step fills its tensor from the plan). */
export function stepOutput(step: PlanStep): TensorId | null {
  switch (step.kind) {
    case "product":
    case "div":
    case "linear":
    case "argmax":
    case "invert":
    case "requant":
    case "max":
      return step.output;
    case "param":
      return step.tensor;
    case "commit":
    case "emit":
    case "input":
      return null;
    default:
      return assertNever(step, "plan step");
  }
}
