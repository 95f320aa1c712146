/**
 * QGraph → R1CS + witness plan: bind the input, lower each node in order (lower/ops.ts: linear
 * ops compose linear combinations, everything else is a gadget that adds its constraints and the
 * plan step filling its wires), then bind the public signals (lower/signals.ts). Prover-supplied
 * values — the input, and the weights when they are private (lower/params.ts) — are
 * range-checked. Visibility follows EZKL:
 *   input  public | private | hashed     params fixed | private | hashed     output public | hashed
 * A hashed tensor's Poseidon commitment (gadgets/commit.ts) becomes a public signal instead.
 */
import { ConstraintSystem, type Hint, type WireLabel } from "./builder.js";
import type { R1cs as FileR1cs } from "../formats/r1cs.js";
import type { LinearCombination } from "./lc.js";

/** The circuit's constraints, as linear combinations (formats/r1cs.ts writes them). */
export type R1cs = FileR1cs<LinearCombination>;
import type { PlanStep, WitnessPlan } from "./plan.js";
import type { QGraph } from "../quantize/qgraph.js";
import { ZkError } from "../errors.js";
import type { InputVisibility, OutputVisibility, ParamEntry, ParamVisibility } from "../meta/model.js";
import { LowerContext } from "./lower/context.js";
import { lowerNode } from "./lower/ops.js";
import {
  bindInput,
  bindPublic,
  signalLayout,
  type Boundary,
  type CommitmentRecord,
  type PublicTensor,
} from "./lower/signals.js";

export type { InputVisibility, ParamVisibility, OutputVisibility, ParamEntry } from "../meta/model.js";
export type { Boundary, PublicTensor } from "./lower/signals.js";

export interface CompileOptions {
  readonly inputVisibility: InputVisibility;
  readonly paramVisibility?: ParamVisibility;
  readonly outputVisibility?: OutputVisibility;
  /** blind hashed inputs and outputs with a salt (a private input) so their commitments hide them (default true) */
  readonly salt?: boolean;
  /** plan only: lay out wires and steps but keep no constraints (ConstraintSystem.dry) */
  readonly dry?: boolean;
  /** a segment of a split model (split.ts): which of its hashed ends are cut tensors */
  readonly boundary?: Boundary;
  /** called after each node is lowered with the constraints so far (split.ts balances segments by it) */
  readonly onNode?: (index: number, constraints: number) => void;
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
  /** constraints (a dry compile: the count it would have built; see ConstraintSystem.dry) */
  readonly nConstraints: number;
  readonly costs: readonly GadgetCost[];
  /** the layout of prover-supplied parameters (private or hashed params), else empty */
  readonly params: readonly ParamEntry[];
  /** what the soundness audit (audit.ts) needs beyond the R1CS */
  readonly audit: CircuitAuditInfo;
}

/** The prover's free choices and the commitments' openings, for the audits. */
export interface CircuitAuditInfo {
  /** prover-supplied parameter wires (the signal inputs are free by position) */
  readonly paramWires: readonly { readonly first: number; readonly count: number }[];
  readonly hints: readonly Hint[];
  readonly commitments: readonly CommitmentRecord[];
}

export function compileCircuit(q: QGraph, opts: CompileOptions): Circuit {
  const v = {
    input: opts.inputVisibility,
    params: opts.paramVisibility ?? "fixed",
    output: opts.outputVisibility ?? "public",
    salt: opts.salt ?? true,
    boundary: opts.boundary ?? {},
  };
  if (v.params !== "fixed" && !q.nodes.some((n) => n.param)) {
    throw new ZkError(
      "BAD_OPTION",
      `--param-visibility ${v.params}: this model has no parameters (no Gemm, Conv, MatMul with constants, or affine op with weights) to make ${v.params}; use --param-visibility fixed`,
    );
  }
  const layout = signalLayout(q, v);
  const cs = new ConstraintSystem(layout, { dry: opts.dry });
  const ctx = new LowerContext(cs, q, v.params);
  const input = bindInput(ctx, layout);
  q.nodes.forEach((node, i) => {
    ctx.define(node.output, lowerNode(ctx, node));
    opts.onNode?.(i, cs.nConstraints);
  });
  const { publicTensors, commitments } = bindPublic(ctx, layout, v, input);

  const plan: WitnessPlan = {
    nWires: cs.nWires,
    tensors: ctx.tensors,
    steps: cs.steps as PlanStep[],
    input: input.id,
    outputs: q.outputs.map((o) => ctx.idOf(o.name)),
  };
  return {
    r1cs: {
      nWires: cs.nWires,
      nPubOut: layout.nPubOut,
      nPubIn: layout.nPubIn,
      nPrvIn: layout.nPrvIn,
      constraints: cs.constraints,
    },
    plan,
    labels: cs.labels,
    publicTensors,
    nPublic: layout.nPubOut + layout.nPubIn,
    nConstraints: cs.nConstraints,
    costs: [...cs.costs].map(([kind, c]) => ({ kind, ...c })),
    params: ctx.params.map((p) => p.entry),
    audit: { paramWires: ctx.params.map((p) => p.wires), hints: cs.hints, commitments },
  };
}
