/**
 * `zkinfer calibrate` end to end, in memory: ONNX + calibration → the per-layer bits with the
 * fewest constraints that keep the target agreement (quantize/search.ts), each point's cost a
 * dry compile of its circuit (ConstraintSystem.dry), and the winner compiled for real so the
 * reported count is the one `compile --settings` will build.
 */
import * as path from "node:path";
import { importOnnx } from "../model/import.js";
import { calibrate, parseCalibration } from "../quantize/calibration.js";
import { quantize } from "../quantize/quantize.js";
import { searchBits, type Candidate, type SearchResult } from "../quantize/search.js";
import type { Settings } from "../quantize/settings.js";
import { compileCircuit } from "./compile.js";
import type { CompileModelOptions } from "./options.js";
import { sha256Hex } from "../util/hash.js";

export interface CalibrateOptions {
  /** the starting point, and the visibility the cost is measured at */
  readonly compile: CompileModelOptions;
  readonly targetAgreement: number;
  /** the worst output error allowed, relative to the output's scale */
  readonly maxError: number;
  readonly minBits?: number;
  readonly maxEvaluations?: number;
  readonly onCandidate?: (c: Candidate) => void;
}

export interface CalibratedModel {
  readonly search: SearchResult;
  readonly settings: Settings;
  /** the best point's constraints, compiled for real (a dry count can differ with commitments) */
  readonly constraints: number;
  readonly samples: number;
}

export function calibrateModel(
  onnx: Uint8Array,
  calibrationJson: unknown,
  opts: CalibrateOptions,
  names: { model: string; calibration: string },
): CalibratedModel {
  const { graph } = importOnnx(onnx, names.model);
  const samples = parseCalibration(calibrationJson, graph.inputs[0]!.shape, names.calibration);
  const calib = calibrate(graph, samples);
  const freeParams = opts.compile.paramVisibility !== "fixed";
  const search = searchBits({
    graph,
    calib,
    start: { ...opts.compile, freeParams },
    targetAgreement: opts.targetAgreement,
    maxError: opts.maxError,
    cost: (q) => compileCircuit(q, { ...opts.compile, dry: true }).nConstraints,
    minBits: opts.minBits,
    maxEvaluations: opts.maxEvaluations,
    onCandidate: opts.onCandidate,
  });
  const b = search.best.opts;
  const constraints = compileCircuit(quantize(graph, calib, b), opts.compile).r1cs.constraints.length;
  const settings: Settings = {
    options: {
      activationBits: b.activationBits,
      weightBits: b.weightBits,
      inputBits: b.inputBits,
      inputMargin: b.inputMargin,
      activationMargin: b.activationMargin ?? 1,
    },
    layers: b.layers ?? {},
    model: { file: path.basename(names.model), sha256: sha256Hex(onnx) },
  };
  return { search, settings, constraints, samples: samples.length };
}
