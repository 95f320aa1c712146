/**
 * compile --max-constraints N / --segments K: the model as a chain of segment circuits
 * (split.ts chooses the cuts), or one circuit exactly as without the flags when it is under
 * the limit. Segments compile in order: each cut's slot is the one its producer's packing
 * chose, and the consumer accepts exactly that slot.
 *
 * Visibility: the first segment's input and the last one's output keep the user's choices;
 * every cut is a salted commitment on both sides (docs/circuits.md, "Split models").
 */
import { ZkError } from "../errors.js";
import type { SplitCut, SplitManifest, SplitSegment } from "../meta/split.js";
import { SPLIT_FORMAT, SPLIT_VERSION } from "../meta/split.js";
import type { PackPart } from "../meta/model.js";
import { VERSION } from "../version.js";
import { compilePrepared, prepareModel, type CompiledModel, type CompileModelOptions } from "./compile-model.js";
import { planSplit, segmentGraph, type SplitRequest } from "./split.js";

export type { SplitRequest } from "./split.js";

export interface CompiledSplit {
  /** the manifest, without its id (artifacts.ts hashes it) */
  readonly manifest: Omit<SplitManifest, "splitId">;
  readonly segments: readonly CompiledModel[];
  readonly warnings: readonly string[];
}

/** The segment directory names, relative to the manifest. */
export function segmentDir(i: number): string {
  return `segments/${i}`;
}

export function compileSplit(
  onnx: Uint8Array,
  calibrationJson: unknown,
  opts: CompileModelOptions,
  names: { model: string; calibration: string },
  req: SplitRequest,
): CompiledModel | CompiledSplit {
  const m = prepareModel(onnx, calibrationJson, opts, names);
  if (opts.paramVisibility !== "fixed")
    throw new ZkError(
      "BAD_OPTION",
      `--param-visibility ${opts.paramVisibility} with --max-constraints/--segments: split models take fixed weights only (each segment's key then is its part of the model)`,
    );
  const plan = planSplit(m.q, opts, req);
  if (!plan) return compilePrepared(m.q, opts, m);
  const k = plan.cuts.length + 1;
  const segments: CompiledModel[] = [];
  const cuts: SplitCut[] = [];
  let inSlot: PackPart | null = null;
  for (let i = 0; i < k; i++) {
    const q = segmentGraph(m.q, plan.cuts, i, inSlot);
    const segOpts: CompileModelOptions = {
      ...opts,
      inputVisibility: i === 0 ? opts.inputVisibility : "hashed",
      outputVisibility: i === k - 1 ? opts.outputVisibility : "hashed",
    };
    const c = compilePrepared(
      q,
      segOpts,
      { source: m.source, notes: [], accuracy: null },
      {
        ...(inSlot ? { input: inSlot } : {}),
        output: i < k - 1,
      },
    );
    segments.push(c);
    if (i < k - 1) {
      const out = c.meta.publicSignals.layout.find((e) => e.role === "output_hash")!;
      const slot = { lo: out.packing![0]!.lo, bits: out.packing![0]!.bits };
      const v = plan.cuts[i]!.value;
      cuts.push({ name: v.name, shape: v.shape, scale: v.scale, slot });
      inSlot = slot;
    }
  }
  const offset = (c: CompiledModel, role: "input_hash" | "output_hash") =>
    c.meta.publicSignals.layout.find((e) => e.role === role)!.offset;
  const segs: SplitSegment[] = segments.map((c, i) => ({
    index: i,
    dir: segmentDir(i),
    constraints: c.meta.circuit.constraints,
    wires: c.meta.circuit.wires,
    ptauPower: c.meta.circuit.ptauPower,
    circuitSha256: c.meta.identity.circuitSha256,
    chainIn: i === 0 ? null : offset(c, "input_hash"),
    chainOut: i === k - 1 ? null : offset(c, "output_hash"),
    verificationKeySha256: null,
  }));
  const first = segments[0]!.meta;
  const last = segments[k - 1]!.meta;
  const max = req.maxConstraints;
  const over = max === undefined ? [] : segs.filter((s) => s.constraints > max);
  const warnings = [
    ...m.notes,
    // the plan's sizes are estimates: a consumer's input slot can be wider than its tensor's
    // bounds, and what follows widens with it, so a segment planned under the limit can compile over it
    ...over.map((s) =>
      plan.estimates[s.index]! > max!
        ? `segment ${s.index} has ${s.constraints} constraints, over --max-constraints ${max}: no cut point lies inside it (a single layer, or a residual block, is never cut)`
        : `segment ${s.index} has ${s.constraints} constraints, over --max-constraints ${max}: it was planned at ${plan.estimates[s.index]}, and its input's slot costs more than estimated; compile again with a lower limit`,
    ),
  ];
  return {
    manifest: {
      format: SPLIT_FORMAT,
      version: SPLIT_VERSION,
      zkinfer: VERSION,
      model: m.source,
      options: { ...first.options, outputVisibility: opts.outputVisibility },
      input: first.input,
      outputs: last.outputs,
      accuracy: m.accuracy,
      request: { maxConstraints: req.maxConstraints ?? null, segments: req.segments ?? null },
      unsplitConstraints: plan.unsplit,
      cuts,
      segments: segs,
    },
    segments,
    warnings,
  };
}
