/**
 * QGraph → R1CS + witness plan. Walks the quantized graph once: linear ops compose linear
 * combinations, everything else is a gadget from `gadgets/`, each adding its constraints and
 * the plan step that fills its wires. The input is range-checked (the prover supplies it);
 * outputs are bound to the public output wires.
 */
import { ConstraintSystem, type WireLabel } from "./builder.js";
import { LinearCombination, type LcTensor } from "./lc.js";
import type { R1cs } from "../formats/r1cs.js";
import type { PlanStep, TensorId, WitnessPlan } from "./plan.js";
import type { QGraph } from "../quantize/qgraph.js";
import { sizeOf } from "../model/shapes.js";
import { linearLcs, materialize } from "./linear.js";
import { rangeCheck } from "./gadgets/range.js";
import { requant } from "./gadgets/requant.js";
import { maxGroups } from "./gadgets/max.js";
import { product } from "./gadgets/product.js";
import { div } from "./gadgets/div.js";
import { argmax } from "./gadgets/argmax.js";

export type Visibility = "public" | "private";

export interface CompileOptions {
  readonly inputVisibility: Visibility;
}

/** Where a tensor's values sit among the public signals (snarkjs's public.json order). */
export interface PublicTensor {
  readonly role: "output" | "input";
  readonly name: string;
  readonly shape: readonly number[];
  readonly scale: number;
  /** index of the first value in public.json */
  readonly offset: number;
}

export interface GadgetCost {
  readonly kind: string;
  readonly constraints: number;
  readonly wires: number;
  readonly elements: number;
}

export interface Circuit {
  readonly r1cs: R1cs;
  readonly plan: WitnessPlan;
  readonly labels: readonly WireLabel[];
  readonly publicTensors: readonly PublicTensor[];
  readonly nPublic: number;
  readonly costs: readonly GadgetCost[];
}

export function compileCircuit(q: QGraph, opts: CompileOptions): Circuit {
  const inSize = sizeOf(q.input.shape);
  const outSizes = q.outputs.map((o) => sizeOf(o.shape));
  const nPubOut = outSizes.reduce((a, b) => a + b, 0);
  const pubIn = opts.inputVisibility === "public";
  const cs = new ConstraintSystem({ nPubOut, nPubIn: pubIn ? inSize : 0, nPrvIn: pubIn ? 0 : inSize });

  const ids = new Map<string, TensorId>();
  const shapes: { shape: readonly number[] }[] = [];
  const idOf = (name: string): TensorId => {
    let id = ids.get(name);
    if (id === undefined) {
      id = shapes.length;
      ids.set(name, id);
      shapes.push({ shape: q.values.get(name)!.shape });
    }
    return id;
  };
  const tensors = new Map<string, LcTensor>();

  // the input: prover-supplied wires, so range-check every one
  const inId = idOf(q.input.name);
  const inWire = cs.inputWire;
  cs.label(inWire, inSize, "main.input");
  const inLcs = Array.from({ length: inSize }, (_, i) => LinearCombination.wire(inWire + i));
  const range = rangeCheck(cs, inLcs, q.input.lo, q.input.hi, "main.input");
  cs.steps.push({ kind: "input", tensor: inId, wire: inWire, range });
  tensors.set(q.input.name, { shape: q.input.shape, lcs: inLcs });

  for (const node of q.nodes) {
    const xs = node.inputs.map((n) => q.values.get(n)!);
    const out = q.values.get(node.output)!;
    const inIds = node.inputs.map(idOf);
    const outId = idOf(node.output);
    const label = `main.${sanitize(node.output)}`;
    const lcs = node.inputs.map((n) => tensors.get(n)!);
    const op = node.op;
    let result: LcTensor;
    switch (op.kind) {
      case "gemm": case "conv": case "affine": case "reshape": case "select": case "add": case "sum": {
        if (op.kind === "gemm" || op.kind === "conv" || op.kind === "sum") {
          // fan-in ops read each input element many times: make it one wire first
          lcs[0] = materialize(cs, lcs[0]!, `main.${sanitize(node.inputs[0]!)}`, inIds[0]!);
          tensors.set(node.inputs[0]!, lcs[0]);
        }
        result = linearLcs(op, lcs, out.shape);
        cs.steps.push({ kind: "linear", op, inputs: inIds, output: outId });
        break;
      }
      case "requant":
        result = requant(cs, lcs[0]!, { shift: op.shift, act: op.act, lo: xs[0]!.lo, hi: xs[0]!.hi }, label, inIds[0]!, outId);
        break;
      case "max":
        result = maxGroups(cs, lcs[0]!, op.groups, xs[0]!.lo, xs[0]!.hi, out.shape, label, inIds[0]!, outId);
        break;
      case "mul": case "matmul":
        result = product(cs, op.kind, lcs[0]!, lcs[1]!, out.shape, label, [inIds[0]!, inIds[1]!], outId);
        break;
      case "div":
        result = div(cs, lcs[0]!, lcs[1]!, xs[1]!, out, op.shift, out.shape, label, [inIds[0]!, inIds[1]!], outId);
        break;
      case "argmax":
        result = argmax(cs, lcs[0]!, op.groups, xs[0]!.lo, xs[0]!.hi, out.shape, label, inIds[0]!, outId);
        break;
    }
    tensors.set(node.output, result);
  }

  // bind each output to its public wires
  const publicTensors: PublicTensor[] = [];
  let wire = cs.outputWire;
  q.outputs.forEach((o, i) => {
    const t = tensors.get(o.name)!;
    cs.label(wire, outSizes[i]!, `main.output${q.outputs.length > 1 ? i : ""}`);
    cs.measure("output", outSizes[i]!, () => t.lcs.forEach((lc, j) => cs.enforceEqual(LinearCombination.wire(wire + j), lc)));
    cs.steps.push({ kind: "emit", tensor: idOf(o.name), wire });
    publicTensors.push({ role: "output", name: o.name, shape: o.shape, scale: o.scale, offset: wire - 1 });
    wire += outSizes[i]!;
  });
  if (pubIn) publicTensors.push({ role: "input", name: q.input.name, shape: q.input.shape, scale: q.input.scale, offset: nPubOut });

  const r1cs: R1cs = { nWires: cs.nWires, ...cs.signals, constraints: cs.constraints };
  const plan: WitnessPlan = {
    nWires: cs.nWires,
    tensors: shapes,
    steps: cs.steps as PlanStep[],
    input: inId,
    outputs: q.outputs.map((o) => idOf(o.name)),
  };
  const costs = [...cs.costs].map(([kind, c]) => ({ kind, ...c }));
  return { r1cs, plan, labels: cs.labels, publicTensors, nPublic: nPubOut + (pubIn ? inSize : 0), costs };
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, "_");
}
