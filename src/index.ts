/**
 * zkinfer's library API: the same verbs as the CLI, without argv or exit codes.
 *
 *   import { compileToDir, setupDir, proveDir, verifyDir } from "zkinfer";
 *
 * Errors a user can cause are `ZkError`s with a `code` and a message naming the problem.
 * For browsers, `zkinfer/verify` exports just the verifier (see src/verify/browser.ts).
 */
export { ZkError, isZkError, type ZkErrorCode } from "./errors.js";
export { VERSION } from "./version.js";

// stages, as pure functions
export { importOnnx, type ImportResult } from "./model/import.js";
export type { Graph, Node, PrimOp, Tensor, Shape } from "./model/graph.js";
export { runFloat } from "./model/evaluate.js";
export { calibrate, parseCalibration } from "./quantize/calibration.js";
export { quantize, DEFAULT_QUANTIZE, type QuantizeOptions } from "./quantize/quantize.js";
export type { QGraph, QValue, QOp, IntTensor } from "./quantize/qgraph.js";
export { runQuantized } from "./quantize/reference.js";
export { quantizeInput, parseInputJson, dequantize } from "./quantize/input.js";
export { compileCircuit, type Circuit, type CompileOptions } from "./circuit/compile.js";
export {
  compileModel,
  DEFAULT_COMPILE,
  type CompileModelOptions,
  type CompiledModel,
} from "./circuit/compile-model.js";
export type { WitnessPlan, PlanStep } from "./circuit/plan.js";
export { computeWitness, witnessGenerator, runPlan, type Backend, type WitnessGenerator } from "./witness/witness.js";
export { BACKENDS } from "./witness/backends/index.js";
export type { WitnessBackend } from "./witness/backend.js";
export { witnessPool } from "./witness/pool.js";
export { checkR1cs } from "./witness/check.js";

// verbs on circuit directories
export { compileToDir } from "./artifacts.js";
export { setupDir, type SetupOptions, type SetupResult } from "./prove/setup.js";
export {
  proveDir,
  proveBatch,
  readBatchInputs,
  type ProveOptions,
  type ProveResult,
  type BatchResult,
} from "./prove/prove.js";
export { verifyDir, type VerifyFiles } from "./verify/verify.js";
export { verifyParsed, type VerifyResult } from "./verify/core.js";
export { checkWitnessFile } from "./witness/check-file.js";
export { readModelMeta, readPlan, FILES, type ModelMeta } from "./artifacts.js";

// iden3 formats
export { readR1cs, writeR1cs } from "./formats/r1cs.js";
export { readWtns, allocWtns } from "./formats/wtns.js";
export { releaseCurve } from "./prove/curve.js";
