/**
 * The circuit's signals: where the model input, the salts and the public values sit, and the
 * gadgets that bind them. Order follows circom/snarkjs (public.json order): public outputs —
 * the model outputs (or their commitment), the input commitment, the params commitment — then
 * public inputs (the model input, when public), then private inputs (the model input when not
 * public, then one salt per salted commitment).
 */
import { LinearCombination, type LcTensor } from "../lc.js";
import type { TensorId } from "../plan.js";
import type { QGraph } from "../../quantize/qgraph.js";
import type {
  InputVisibility,
  OutputVisibility,
  PackPart,
  ParamVisibility,
  PublicRole,
  SaltRole,
} from "../../meta/model.js";
import { DRY_SUM, type SignalCounts } from "../builder.js";
import { sizeOf } from "../../model/shapes.js";
import { rangeCheck } from "../gadgets/range.js";
import { allocBits, recompose } from "../gadgets/bits.js";
import { bitLength } from "../../util/bits.js";
import { commit } from "../gadgets/commit.js";
import type { PackInput } from "../gadgets/pack.js";
import { wireName, type LowerContext } from "./context.js";

/**
 * A split model's cut tensors at a segment's ends (circuit/split.ts). Both are salted commitments
 * whatever the user's --no-salt: intermediate tensors never leave the prover.
 */
export interface Boundary {
  /** the segment's input is a cut tensor, packed in the slot its producer packed it into */
  readonly input?: PackPart;
  /** the segment's output is a cut tensor (packing picks its slot; the next segment takes the same) */
  readonly output?: boolean;
}

export interface Visibility {
  readonly input: InputVisibility;
  readonly params: ParamVisibility;
  readonly output: OutputVisibility;
  /** salt hashed inputs and outputs */
  readonly salt: boolean;
  /** a split model's cut tensors at this segment's ends: their agreed slots; always salted */
  readonly boundary: Boundary;
}

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

/** A commitment's openings as linear combinations, with their slots (for the opening audit). */
export interface CommitmentRecord {
  readonly role: PublicRole;
  readonly parts: readonly { readonly lcs: readonly LinearCombination[]; readonly slot: PackPart }[];
}

export interface SignalLayout extends SignalCounts {
  readonly inSize: number;
  /**
   * A private (or hashed) input is its bits: inSize × inputBits boolean private inputs, each
   * value the linear combination lo + Σ 2^j·b_j (n constraints, n wires per value, where a
   * value wire and its decomposition cost n + 1 and n + 1). A public input must be the value
   * itself (null here): its wires are the public inputs, range-checked by a decomposition.
   */
  readonly inputBits: number | null;
  readonly saltRoles: readonly SaltRole[];
}

export function signalLayout(q: QGraph, v: Visibility): SignalLayout {
  const inSize = sizeOf(q.input.shape);
  const nModelOut = v.output === "public" ? q.outputs.reduce((a, o) => a + sizeOf(o.shape), 0) : 1;
  const nPubOut = nModelOut + (v.input === "hashed" ? 1 : 0) + (v.params === "hashed" ? 1 : 0);
  const pubIn = v.input === "public";
  const salted = (role: SaltRole) => v.salt || Boolean(v.boundary[role]);
  const saltRoles: SaltRole[] = [
    ...(v.input === "hashed" && salted("input") ? ["input" as const] : []),
    ...(v.output === "hashed" && salted("output") ? ["output" as const] : []),
  ];
  const inputBits = pubIn ? null : bitLength(q.input.hi - q.input.lo);
  const nPrvIn = (inputBits === null ? 0 : inSize * inputBits) + saltRoles.length;
  return { nPubOut, nPubIn: pubIn ? inSize : 0, nPrvIn, inSize, inputBits, saltRoles };
}

/** How many private input wires the model input takes (its bits, or none when it is public). */
function inputWires(layout: SignalLayout): number {
  return layout.inputBits === null ? 0 : layout.inSize * layout.inputBits;
}

/**
 * The model input: prover-supplied, so every value is held to the accepted range [lo, lo + 2^n):
 * a private input by being the sum of its n bits, a public one by a decomposition of its wire.
 */
export function bindInput(ctx: LowerContext, layout: SignalLayout): { id: TensorId; lc: LcTensor } {
  const { cs, q } = ctx;
  const id = ctx.idOf(q.input.name);
  const wire = cs.inputWire;
  const n = layout.inSize;
  let lcs: LinearCombination[];
  if (layout.inputBits === null) {
    cs.label(wire, n, "main.input");
    lcs = Array.from({ length: n }, (_, i) => LinearCombination.wire(wire + i));
    const range = rangeCheck(cs, lcs, q.input.lo, q.input.hi, "main.input");
    cs.steps.push({ kind: "input", tensor: id, wire, range });
  } else {
    const nBits = layout.inputBits;
    cs.label(wire, n * nBits, "main.input.bits", nBits);
    const { bits } = cs.measure("range", n, () => allocBits(cs, n, nBits, "main.input", { wire, stride: nBits }));
    lcs = cs.dry
      ? new Array<LinearCombination>(n).fill(DRY_SUM)
      : bits.map((b) => recompose(b, 0, nBits, BigInt(q.input.lo)));
    cs.steps.push({ kind: "input", tensor: id, wire: null, range: { offset: -q.input.lo, nBits, wire } });
  }
  const lc = { shape: q.input.shape, lcs };
  ctx.define(q.input.name, lc);
  return { id, lc };
}

/** The public outputs and commitments, bound to the signal wires in public.json order. */
export function bindPublic(
  ctx: LowerContext,
  layout: SignalLayout,
  v: Visibility,
  input: { id: TensorId; lc: LcTensor },
): { publicTensors: PublicTensor[]; commitments: CommitmentRecord[] } {
  const { cs, q } = ctx;
  const publicTensors: PublicTensor[] = [];
  const commitments: CommitmentRecord[] = [];
  let wire = cs.outputWire;
  // salts are the last private inputs, after the model input (its public wires, or its private bits)
  const saltWire = (role: SaltRole) =>
    cs.inputWire + layout.nPubIn + inputWires(layout) + layout.saltRoles.indexOf(role);
  for (const role of layout.saltRoles) cs.label(saltWire(role), 1, `main.${role}_salt`);

  const bindHash = (
    role: PublicRole,
    name: string,
    salt: SaltRole | null,
    parts: readonly { tensor: TensorId; pack: PackInput }[],
  ) => {
    const sw = salt !== null && layout.saltRoles.includes(salt) ? saltWire(salt) : null;
    cs.label(wire, 1, `main.${role}`);
    const c = cs.measure(role.replace("_", " "), 1, () => {
      const h = commit(
        cs,
        parts.map((p) => p.pack),
        sw === null ? null : LinearCombination.wire(sw),
        `main.${role}`,
      );
      cs.enforceEqual(LinearCombination.wire(wire), h.hash);
      return h;
    });
    cs.steps.push({
      kind: "commit",
      salt: sw === null ? null : { role: salt!, wire: sw },
      wire: c.sboxWire,
      outWire: wire,
      parts: parts.map((p, i) => ({ tensor: p.tensor, ...c.parts[i]!.slot, check: c.parts[i]!.check })),
    });
    commitments.push({ role, parts: parts.map((p, i) => ({ lcs: p.pack.lcs, slot: c.parts[i]!.slot })) });
    publicTensors.push({
      role,
      name,
      shape: [1],
      scale: 0,
      offset: wire - 1,
      packing: c.parts.map((p) => ({ ...p.slot, count: p.count })),
      ...(sw === null ? {} : { salt: salt! }),
    });
    wire++;
  };

  if (v.output === "public") {
    for (const o of q.outputs) {
      const t = ctx.lc(o.name);
      const n = sizeOf(o.shape);
      cs.label(wire, n, `main.output${q.outputs.length > 1 ? q.outputs.indexOf(o) : ""}`);
      const w0 = wire;
      cs.measure("output", n, () => t.lcs.forEach((lc, j) => cs.enforceEqual(LinearCombination.wire(w0 + j), lc)));
      cs.steps.push({ kind: "emit", tensor: ctx.idOf(o.name), wire });
      publicTensors.push({ role: "output", name: o.name, shape: o.shape, scale: o.scale, offset: wire - 1 });
      wire += n;
    }
  } else {
    bindHash(
      "output_hash",
      "output",
      "output",
      q.outputs.map((o) => ({
        tensor: ctx.idOf(o.name),
        pack: { lcs: ctx.lc(o.name).lcs, fallback: o, name: wireName(o.name) },
      })),
    );
  }
  if (v.input === "hashed")
    bindHash("input_hash", q.input.name, "input", [
      { tensor: input.id, pack: { lcs: input.lc.lcs, fallback: q.input, slot: v.boundary.input, name: "main.input" } },
    ]);
  if (v.params === "hashed")
    bindHash(
      "params_hash",
      "params",
      null,
      ctx.params.map((p) => ({ tensor: p.tensor, pack: p.pack })),
    );
  if (v.input === "public")
    publicTensors.push({
      role: "input",
      name: q.input.name,
      shape: q.input.shape,
      scale: q.input.scale,
      offset: layout.nPubOut,
    });
  return { publicTensors, commitments };
}
