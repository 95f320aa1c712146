/**
 * The compile stage end to end, in memory: ONNX + calibration → import, quantize, compile →
 * the bytes of a circuit directory (artifacts.ts writes them, model.json last).
 */
import * as path from "node:path";
import { importOnnx } from "../model/import.js";
import { calibrate, parseCalibration } from "../quantize/calibration.js";
import { quantize } from "../quantize/quantize.js";
import type { CompileModelOptions } from "./options.js";
import { measureAccuracy, type AccuracyReport } from "../quantize/accuracy.js";
import { compileCircuit, type Boundary, type Circuit } from "./compile.js";
import type { QGraph } from "../quantize/qgraph.js";
import { writeR1cs } from "../formats/r1cs.js";
import { writeSym } from "../formats/sym.js";
import { serializePlan } from "./plan-json.js";
import { MODEL_FORMAT, MODEL_VERSION, type ModelMeta } from "../meta/model.js";
import { sha256Hex } from "../util/hash.js";
import { architectureSha256 } from "../quantize/architecture.js";
import { sizeOf } from "../model/shapes.js";
import { paramNodes, refuseDuplicateParamNodes } from "../model/params.js";
import { VERSION } from "../version.js";

export { DEFAULT_COMPILE, type CompileModelOptions } from "./options.js";

export interface CompiledModel {
  readonly meta: ModelMeta;
  readonly circuit: Circuit;
  readonly r1csBytes: Uint8Array;
  readonly planJson: string;
  readonly sym: string;
  readonly accuracy: AccuracyReport | null;
}

/** The ptau power snarkjs needs: a domain for constraints + public signals + 1. */
export function ptauPowerFor(nConstraints: number, nPublic: number): number {
  return Math.floor(Math.log2(nConstraints + nPublic)) + 1;
}

/** The quantized model a compile (one circuit or a split) starts from. */
export interface PreparedModel {
  readonly q: QGraph;
  readonly accuracy: AccuracyReport;
  readonly source: {
    readonly file: string;
    readonly sha256: string;
    readonly opset: number;
    readonly producer: string;
  };
  readonly notes: readonly string[];
}

/** ONNX + calibration → the quantized graph, with its accuracy on the calibration set. */
export function prepareModel(
  onnx: Uint8Array,
  calibrationJson: unknown,
  opts: CompileModelOptions,
  names: { model: string; calibration: string },
): PreparedModel {
  const imported = importOnnx(onnx, names.model);
  const graph = imported.graph;
  if (opts.paramVisibility !== "fixed") refuseDuplicateParamNodes(paramNodes(graph), names.model);
  const samples = parseCalibration(calibrationJson, graph.inputs[0]!.shape, names.calibration);
  const calib = calibrate(graph, samples);
  // prover-supplied weights: every bound must hold for all the values their range checks admit
  const q = quantize(graph, calib, { ...opts, freeParams: opts.paramVisibility !== "fixed" });
  const source = {
    file: path.basename(names.model),
    sha256: sha256Hex(onnx),
    opset: imported.opset,
    producer: imported.producer,
  };
  return { q, accuracy: measureAccuracy(q, samples, calib.outputs), source, notes: imported.notes };
}

export function compileModel(
  onnx: Uint8Array,
  calibrationJson: unknown,
  opts: CompileModelOptions,
  names: { model: string; calibration: string },
): CompiledModel {
  const m = prepareModel(onnx, calibrationJson, opts, names);
  return compilePrepared(m.q, opts, m);
}

/**
 * Compiles a quantized graph (a whole model, or one segment of a split one, whose input and
 * output are its cut tensors) into the bytes of a circuit directory.
 */
export function compilePrepared(
  q: QGraph,
  opts: CompileModelOptions,
  m: Pick<PreparedModel, "source" | "notes"> & { readonly accuracy: AccuracyReport | null },
  boundary?: Boundary,
): CompiledModel {
  const circuit = compileCircuit(q, { ...opts, boundary });
  const r1csBytes = writeR1cs(circuit.r1cs);
  const planJson = serializePlan(circuit.plan);
  let terms = 0;
  for (const c of circuit.r1cs.constraints) terms += c.a.size + c.b.size + c.c.size;
  const nConstraints = circuit.r1cs.constraints.length;
  const meta: ModelMeta = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    zkinfer: VERSION,
    model: m.source,
    options: {
      activationBits: opts.activationBits,
      weightBits: opts.weightBits,
      inputBits: opts.inputBits,
      inputMargin: opts.inputMargin,
      // JSON has no Infinity: no windows is null
      activationMargin: Number.isFinite(opts.activationMargin ?? 1) ? (opts.activationMargin ?? 1) : null,
      inputVisibility: opts.inputVisibility,
      paramVisibility: opts.paramVisibility,
      outputVisibility: opts.outputVisibility,
      salt: opts.salt ?? true,
      ...(opts.layers && Object.keys(opts.layers).length ? { layers: opts.layers } : {}),
    },
    input: {
      name: q.input.name,
      shape: q.input.shape,
      scale: q.input.scale,
      range: [q.input.lo, q.input.hi],
      floatRange: [q.input.floatLo, q.input.floatHi],
      visibility: opts.inputVisibility,
    },
    outputs: q.outputs.map((o) => ({ name: o.name, shape: o.shape, scale: o.scale, errorBound: o.err })),
    approximations: q.nodes.flatMap((n) =>
      n.op.kind === "requant" && n.op.act.kind === "poly"
        ? [
            {
              node: n.name,
              fn: n.op.act.table.fn,
              segments: 2 ** n.op.act.table.t,
              degree: n.op.act.table.d,
              maxError: n.op.act.table.maxError,
              errorBound: q.values.get(n.output)!.err,
            },
          ]
        : [],
    ),
    publicSignals: {
      count: circuit.nPublic,
      layout: circuit.publicTensors.map((t) => ({
        role: t.role,
        name: t.name,
        shape: t.shape,
        scale: t.scale,
        offset: t.offset,
        count: sizeOf(t.shape),
        ...(t.packing ? { packing: t.packing } : {}),
        ...(t.salt ? { salt: t.salt } : {}),
      })),
    },
    // the layout (scales, admitted ranges; no values) also lets a prover bring other weights (prove --params)
    params: opts.paramVisibility === "fixed" ? [] : circuit.params,
    identity: {
      architectureSha256: architectureSha256(q),
      circuitSha256: sha256Hex(r1csBytes),
      verificationKeySha256: null,
    },
    circuit: {
      constraints: nConstraints,
      wires: circuit.r1cs.nWires,
      terms,
      ptauPower: ptauPowerFor(nConstraints, circuit.nPublic),
      r1csSha256: sha256Hex(r1csBytes),
      planSha256: sha256Hex(planJson),
    },
    costs: circuit.costs,
    accuracy: m.accuracy,
    notes: m.notes,
  };
  return { meta, circuit, r1csBytes, planJson, sym: writeSym(circuit.labels), accuracy: m.accuracy };
}
