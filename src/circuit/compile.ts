/**
 * QGraph → R1CS + witness plan. Walks the quantized graph once: linear ops compose linear
 * combinations, everything else is a gadget from `gadgets/`, each adding its constraints and
 * the plan step that fills its wires. Prover-supplied values (the input; the weights, when
 * they are private) are range-checked. Visibility follows EZKL:
 *   input  public | private | hashed     params fixed | private | hashed     output public | hashed
 * A hashed tensor's Poseidon commitment (gadgets/commit.ts) becomes a public signal instead.
 *
 * Public signals (snarkjs's public.json order): the circuit's public outputs, then its public
 * inputs. zkinfer's outputs are, in order: the model outputs (or their hash), the input hash,
 * the params hash; its one possible public input is the model input.
 */
import { ConstraintSystem, type Hint, type WireLabel } from "./builder.js";
import { LinearCombination, type LcTensor } from "./lc.js";
import type { R1cs } from "../formats/r1cs.js";
import type { PlanStep, PlanTensor, TensorId, WitnessPlan } from "./plan.js";
import type { IntTensor, QGraph, QNode, QValue } from "../quantize/qgraph.js";
import { sizeOf } from "../model/shapes.js";
import { MAX_MAGNITUDE } from "../quantize/context.js";
import { linearLcs, materialize } from "./linear.js";
import { rangeCheck } from "./gadgets/range.js";
import { requant } from "./gadgets/requant.js";
import { maxGroups } from "./gadgets/max.js";
import { product } from "./gadgets/product.js";
import { div } from "./gadgets/div.js";
import { argmax } from "./gadgets/argmax.js";
import { commit } from "./gadgets/commit.js";
import type { PackInput } from "./gadgets/pack.js";
import { admittedSlot } from "../quantize/params.js";
import { ZkError } from "../errors.js";
import type { InputVisibility, ParamVisibility, OutputVisibility, ParamEntry, PublicRole, PackPart, SaltRole } from "../model-meta.js";

export type { InputVisibility, ParamVisibility, OutputVisibility, ParamEntry, PublicRole } from "../model-meta.js";

export interface CompileOptions {
  readonly inputVisibility: InputVisibility;
  readonly paramVisibility?: ParamVisibility;
  readonly outputVisibility?: OutputVisibility;
  /** blind hashed inputs and outputs with a salt (a private input) so their commitments hide them (default true) */
  readonly salt?: boolean;
  /** plan only: lay out wires and steps but keep no constraints (ConstraintSystem.dry) */
  readonly dry?: boolean;
}

/** A dry system's stand-in for a linear layer's outputs: "not a single wire", as real ones are. */
const PLACEHOLDER_SUM = LinearCombination.wire(0).addConstant(1n).add(LinearCombination.wire(1));

/** Where a public tensor (or commitment) sits among the public signals. */
export interface PublicTensor {
  readonly role: PublicRole;
  readonly name: string;
  readonly shape: readonly number[];
  readonly scale: number;
  /** index of the first value in public.json */
  readonly offset: number;
  /** for hashes: how the committed tensors were packed */
  readonly packing?: readonly (PackPart & { readonly count: number })[];
  /** for hashes: the salt hashed in first (a private input the prover keeps), if any */
  readonly salt?: SaltRole;
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
  /** the params commitment's layout (params hashed), else empty */
  readonly params: readonly ParamEntry[];
  /** what the soundness audit (audit.ts) needs beyond the R1CS */
  readonly audit: CircuitAuditInfo;
}

/** The prover's free choices and the commitments' openings, for the audits. */
export interface CircuitAuditInfo {
  /** prover-supplied parameter wires (the signal inputs are free by position) */
  readonly paramWires: readonly { readonly first: number; readonly count: number }[];
  readonly hints: readonly Hint[];
  readonly commitments: readonly { readonly role: PublicRole; readonly parts: readonly { readonly lcs: readonly LinearCombination[]; readonly slot: PackPart }[] }[];
}

export function compileCircuit(q: QGraph, opts: CompileOptions): Circuit {
  const inputVis = opts.inputVisibility;
  const paramVis = opts.paramVisibility ?? "fixed";
  const outputVis = opts.outputVisibility ?? "public";
  const inSize = sizeOf(q.input.shape);
  const outSizes = q.outputs.map((o) => sizeOf(o.shape));
  const nModelOut = outputVis === "public" ? outSizes.reduce((a, b) => a + b, 0) : 1;
  const nPubOut = nModelOut + (inputVis === "hashed" ? 1 : 0) + (paramVis === "hashed" ? 1 : 0);
  const pubIn = inputVis === "public";
  // salts are private inputs after the model input: one per salted commitment
  const salted = opts.salt ?? true;
  const saltRoles: SaltRole[] = salted ? [...(inputVis === "hashed" ? ["input" as const] : []), ...(outputVis === "hashed" ? ["output" as const] : [])] : [];
  if (paramVis !== "fixed" && !q.nodes.some((n) => n.param)) {
    throw new ZkError("BAD_OPTION", `--param-visibility ${paramVis}: this model has no parameters (no Gemm, Conv, MatMul with constants, or affine op with weights) to make ${paramVis}; use --param-visibility fixed`);
  }
  const cs = new ConstraintSystem({ nPubOut, nPubIn: pubIn ? inSize : 0, nPrvIn: (pubIn ? 0 : inSize) + saltRoles.length }, { dry: opts.dry });

  // plan tensors: every quantized value, plus internal ones (parameters, partial products)
  const ids = new Map<string, TensorId>();
  const shapes: PlanTensor[] = [];
  const newTensor = (shape: readonly number[], lo: number, hi: number): TensorId => (shapes.push({ shape, lo, hi }), shapes.length - 1);
  const idOf = (name: string): TensorId => {
    let id = ids.get(name);
    if (id === undefined) {
      const v = q.values.get(name)!;
      ids.set(name, (id = newTensor(v.shape, v.lo, v.hi)));
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

  // private parameters: each constant tensor becomes range-checked wires the prover fills in
  const params: ParamEntry[] = [];
  const paramTensors: { tensor: TensorId; pack: PackInput }[] = [];
  const paramWires: { first: number; count: number }[] = [];
  const commitments: CircuitAuditInfo["commitments"][number][] = [];
  const paramTensor = (node: QNode, part: ParamEntry["part"], t: IntTensor, shape: readonly number[], scale: number): { id: TensorId; lc: LcTensor } => {
    // the prover may put any value of the admitted range here: the quantizer sized everything downstream for all of them
    const pp = admittedSlot(t);
    const hi = pp.lo + 2 ** pp.bits - 1;
    const id = newTensor(shape, pp.lo, hi);
    const name = `main.${sanitize(node.output)}.${part}`;
    const wire = cs.alloc(t.data.length, name);
    const lcs = Array.from(t.data, (_, i) => LinearCombination.wire(wire + i));
    const rng = rangeCheck(cs, lcs, pp.lo, hi, name);
    cs.steps.push({ kind: "param", tensor: id, data: t.data, wire, range: rng });
    paramWires.push({ first: wire, count: t.data.length });
    params.push({ node: node.name, output: node.output, kind: node.op.kind as ParamEntry["kind"], part, scale, count: t.data.length, ...pp });
    paramTensors.push({ tensor: id, pack: { lcs, fallback: { lo: pp.lo, hi }, slot: pp, name } });
    return { id, lc: { shape, lcs } };
  };

  for (const node of q.nodes) {
    const xs = node.inputs.map((n) => q.values.get(n)!);
    const out = q.values.get(node.output)!;
    const inIds = node.inputs.map(idOf);
    const outId = idOf(node.output);
    const label = `main.${sanitize(node.output)}`;
    const lcs = node.inputs.map((n) => tensors.get(n)!);
    const op = node.op;
    let result: LcTensor;
    if (node.param && paramVis !== "fixed" && (op.kind === "gemm" || op.kind === "conv" || op.kind === "affine")) {
      result = compileWithPrivateParams(node, xs[0]!, out, lcs[0]!, inIds[0]!, outId, label);
    } else {
      switch (op.kind) {
        case "gemm": case "conv": case "affine": case "reshape": case "select": case "add": case "sum": {
          if (op.kind === "gemm" || op.kind === "conv" || op.kind === "sum") {
            // fan-in ops read each input element many times: make it one wire first
            lcs[0] = materialize(cs, lcs[0]!, `main.${sanitize(node.inputs[0]!)}`, inIds[0]!);
            tensors.set(node.inputs[0]!, lcs[0]);
          }
          // dry: skip the term-heavy sums (their outputs are never single wires); data movement stays real
          const heavy = op.kind === "gemm" || op.kind === "conv" || op.kind === "sum" || op.kind === "affine" || op.kind === "add";
          result = cs.dry && heavy ? { shape: out.shape, lcs: new Array<LinearCombination>(sizeOf(out.shape)).fill(PLACEHOLDER_SUM) } : linearLcs(op, lcs, out.shape);
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
    }
    tensors.set(node.output, result);
  }

  /** A gemm, conv or affine whose constants are prover-supplied wires: products instead of coefficients. */
  function compileWithPrivateParams(node: QNode, x: QValue, out: QValue, xLc: LcTensor, xId: TensorId, outId: TensorId, label: string): LcTensor {
    const op = node.op;
    let body: LcTensor, bodyId: TensorId, bias: { id: TensorId; lc: LcTensor } | null = null;
    const xm = materialize(cs, xLc, `main.${sanitize(node.inputs[0]!)}`, xId);
    tensors.set(node.inputs[0]!, xm);
    if (op.kind === "gemm" || op.kind === "conv") {
      const sw = out.scale - x.scale;
      const w = paramTensor(node, "weight", op.weight, op.weight.shape, sw);
      // a partial product (before the bias) only has the global bound: kernels use no narrow format for it
      bodyId = op.bias ? newTensor(out.shape, -MAX_MAGNITUDE, MAX_MAGNITUDE) : outId;
      body = product(cs, op.kind === "gemm" ? "matmul" : { conv: op.params }, xm, w.lc, out.shape, label, [xId, w.id], bodyId);
      if (op.bias) bias = paramTensor(node, "bias", op.bias, op.kind === "gemm" ? [op.bias.data.length] : [op.bias.data.length, 1, 1], out.scale);
    } else if (op.kind === "affine") {
      if (op.mul) {
        const m = paramTensor(node, "mul", op.mul, op.mul.shape, out.scale - x.scale);
        bodyId = op.add ? newTensor(out.shape, -MAX_MAGNITUDE, MAX_MAGNITUDE) : outId;
        body = product(cs, "mul", xm, m.lc, out.shape, label, [xId, m.id], bodyId);
      } else {
        body = xm;
        bodyId = xId;
      }
      if (op.add) bias = paramTensor(node, "add", op.add, op.add.shape, out.scale);
    } else {
      throw new Error(`compile: ${op.kind} has no parameters`);
    }
    if (!bias) return body;
    const add = { kind: "add" as const, sign: 1 as const, shifts: [0, 0] as const };
    cs.steps.push({ kind: "linear", op: add, inputs: [bodyId, bias.id], output: outId });
    return linearLcs(add, [body, bias.lc], out.shape);
  }

  // public signals: model outputs (or their hash), then the input and params hashes
  const publicTensors: PublicTensor[] = [];
  let wire = cs.outputWire;
  const saltWire = (role: SaltRole): number | null => (saltRoles.includes(role) ? cs.inputWire + inSize + saltRoles.indexOf(role) : null);
  saltRoles.forEach((role) => cs.label(saltWire(role)!, 1, `main.${role}_salt`));
  const bindHash = (role: PublicRole, name: string, salt: SaltRole | null, parts: { tensor: TensorId; pack: PackInput }[]) => {
    const sw = salt === null ? null : saltWire(salt);
    cs.label(wire, 1, `main.${role}`);
    const c = cs.measure(`${role.replace("_", " ")}`, 1, () => {
      const h = commit(cs, parts.map((p) => p.pack), sw === null ? null : LinearCombination.wire(sw), `main.${role}`);
      cs.enforceEqual(LinearCombination.wire(wire), h.hash);
      return h;
    });
    cs.steps.push({
      kind: "commit", salt: sw === null ? null : { role: salt!, wire: sw }, wire: c.sboxWire, outWire: wire,
      parts: parts.map((p, i) => ({ tensor: p.tensor, ...c.parts[i]!.slot, check: c.parts[i]!.check })),
    });
    commitments.push({ role, parts: parts.map((p, i) => ({ lcs: p.pack.lcs, slot: c.parts[i]!.slot })) });
    publicTensors.push({
      role, name, shape: [1], scale: 0, offset: wire - 1,
      packing: c.parts.map((p) => ({ ...p.slot, count: p.count })), ...(salt === null ? {} : { salt }),
    });
    wire++;
  };
  if (outputVis === "public") {
    q.outputs.forEach((o, i) => {
      const t = tensors.get(o.name)!;
      cs.label(wire, outSizes[i]!, `main.output${q.outputs.length > 1 ? i : ""}`);
      const w0 = wire;
      cs.measure("output", outSizes[i]!, () => t.lcs.forEach((lc, j) => cs.enforceEqual(LinearCombination.wire(w0 + j), lc)));
      cs.steps.push({ kind: "emit", tensor: idOf(o.name), wire });
      publicTensors.push({ role: "output", name: o.name, shape: o.shape, scale: o.scale, offset: wire - 1 });
      wire += outSizes[i]!;
    });
  } else {
    bindHash("output_hash", "output", saltWire("output") === null ? null : "output",
      q.outputs.map((o) => ({ tensor: idOf(o.name), pack: { lcs: tensors.get(o.name)!.lcs, fallback: o, name: `main.${sanitize(o.name)}` } })));
  }
  if (inputVis === "hashed") {
    bindHash("input_hash", q.input.name, saltWire("input") === null ? null : "input", [{ tensor: inId, pack: { lcs: inLcs, fallback: q.input, name: "main.input" } }]);
  }
  if (paramVis === "hashed") bindHash("params_hash", "params", null, paramTensors);
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
  return {
    r1cs, plan, labels: cs.labels, publicTensors, nPublic: nPubOut + (pubIn ? inSize : 0), costs, params,
    audit: { paramWires, hints: cs.hints, commitments },
  };
}

function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_.]/g, "_");
}
