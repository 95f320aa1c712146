/**
 * ONNX's own backend node tests (onnx/backend/test/data/node: model.onnx + test_data_set_N/
 * input_i.pb, output_j.pb; Debian's libonnx-testdata installs them) run through zkinfer:
 * import, quantize (calibrated on the case's own input), compile, run the witness plan, check
 * the witness against the R1CS, and compare with the expected output.
 *
 * What is adapted, since a zkinfer circuit has one float input:
 * - the case's first graph input is the model input; every further input (weights, shapes,
 *   indices, Clip bounds, a second addend...) becomes an initializer holding the test data's
 *   value, so the op meets it as a constant, as it would in an exported model;
 * - cases whose first input is not a float tensor, that have no input, whose outputs do not
 *   depend on the input (Shape, Constant), or whose output's shape would depend on the input's
 *   value (Range of the input) are "n/a": zkinfer has no circuit to build for them;
 * - a case whose max pooling needs more comparisons than MAX_COMPARISONS fails without being
 *   compiled, saying so (it would need more memory than a shared machine has).
 *
 * Tolerance: the compiled output's error bound (model.json's `errorBound`, a worst case over
 * every accepted input) plus 1e-5 × max(1, |expected|) for the float32 rounding of the expected
 * values; discrete outputs (ArgMax) must be exact.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { decodeOnnx, decodeTensorProto, DataType, type OnnxModel } from "../../src/model/onnx.js";
import { importModel } from "../../src/model/import.js";
import { OP_HANDLERS } from "../../src/model/ops/index.js";
import type { Graph, Tensor } from "../../src/model/graph.js";
import { calibrate, parseCalibration } from "../../src/quantize/calibration.js";
import { quantize } from "../../src/quantize/quantize.js";
import { dequantize, quantizeInput } from "../../src/quantize/input.js";
import { compileCircuit } from "../../src/circuit/compile.js";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { readR1cs, writeR1cs } from "../../src/formats/r1cs.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { computeWitness } from "../../src/witness/witness.js";
import { checkR1cs } from "../../src/witness/check.js";
import { sizeOf, shapeStr } from "../../src/model/shapes.js";

/** Where Debian's libonnx-testdata puts them; ONNX_NODE_TESTS overrides. */
export const DEFAULT_NODE_TEST_DIR = process.env.ONNX_NODE_TESTS ?? "/usr/share/libonnx-testdata/data/node";

export interface NodeCase {
  /** the test directory's name, e.g. test_conv_with_strides_padding */
  readonly name: string;
  readonly dir: string;
  /** the zkinfer-supported op it tests */
  readonly op: string;
  /** an `_expanded` case: the op's function body, written in other ops */
  readonly expanded: boolean;
}

/** The one node of a single-node model, or null. */
function soleOp(model: OnnxModel): string | null {
  return model.nodes.length === 1 && (model.nodes[0]!.domain === "" || model.nodes[0]!.domain === "ai.onnx")
    ? model.nodes[0]!.opType
    : null;
}

/**
 * The cases for ops zkinfer supports: single-node models of a supported op, plus the
 * `_expanded` twin of each such case. Models zkinfer's decoder refuses (graph attributes of
 * control flow, sequence-typed training ops) are listed in `undecodable`.
 */
export function findCases(
  root: string = DEFAULT_NODE_TEST_DIR,
  ops: ReadonlySet<string> = new Set(OP_HANDLERS.keys()),
): { cases: NodeCase[]; undecodable: string[] } {
  const names = readdirSync(root)
    .filter((d) => existsSync(path.join(root, d, "model.onnx")))
    .sort();
  const opOf = new Map<string, string | null>();
  const undecodable: string[] = [];
  for (const name of names) {
    try {
      opOf.set(name, soleOp(decodeOnnx(readFileSync(path.join(root, name, "model.onnx")), name)));
    } catch {
      undecodable.push(name);
    }
  }
  const cases: NodeCase[] = [];
  for (const name of names) {
    const own = opOf.get(name);
    const base = name.endsWith("_expanded") ? opOf.get(name.slice(0, -"_expanded".length)) : null;
    if (own && ops.has(own)) cases.push({ name, dir: path.join(root, name), op: own, expanded: false });
    else if (base && ops.has(base)) cases.push({ name, dir: path.join(root, name), op: base, expanded: true });
  }
  return { cases, undecodable };
}

export type Stage = "load" | "import" | "quantize" | "compile" | "run" | "compare";

export interface CaseResult {
  readonly name: string;
  readonly op: string;
  readonly expanded: boolean;
  readonly status: "pass" | "fail" | "n/a";
  /** where it failed, or why it does not apply */
  readonly stage?: Stage;
  readonly message?: string;
  /**
   * worst |got − expected|, and the tolerance it was held to, of the output that came closest to
   * its own tolerance (each output has its own error bound: LayerNorm's InvStdDev is looser)
   */
  readonly maxError?: number;
  readonly tolerance?: number;
  readonly constraints?: number;
}

const FLOAT_TYPES: ReadonlySet<number> = new Set([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16]);

function typeName(t: number): string {
  return Object.entries(DataType).find(([, v]) => v === t)?.[0] ?? (t === 16 ? "BFLOAT16" : `#${t}`);
}

function readPb(file: string): Tensor {
  return decodeTensorProto(readFileSync(file), path.basename(file)).tensor;
}

interface DataSet {
  readonly inputs: Tensor[];
  readonly outputs: Tensor[];
}

function dataSets(dir: string): DataSet[] {
  return readdirSync(dir)
    .filter((d) => d.startsWith("test_data_set_"))
    .sort()
    .map((d) => {
      const files = readdirSync(path.join(dir, d));
      const read = (prefix: string) =>
        files
          .filter((f) => f.startsWith(prefix) && f.endsWith(".pb"))
          .sort((a, b) => parseInt(a.slice(prefix.length), 10) - parseInt(b.slice(prefix.length), 10))
          .map((f) => readPb(path.join(dir, d, f)));
      return { inputs: read("input_"), outputs: read("output_") };
    });
}

const errorLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;

/** Runs one case; never throws (a failure is a result). */
export async function runCase(c: NodeCase): Promise<CaseResult> {
  const base = { name: c.name, op: c.op, expanded: c.expanded };
  const fail = (stage: Stage, e: unknown): CaseResult => ({ ...base, status: "fail", stage, message: errorLine(e) });
  const na = (stage: Stage, message: string): CaseResult => ({ ...base, status: "n/a", stage, message });

  let model: OnnxModel;
  try {
    model = decodeOnnx(readFileSync(path.join(c.dir, "model.onnx")), c.name);
  } catch (e) {
    return na("load", `the model cannot be decoded here: ${errorLine(e)}`);
  }
  const graphInputs = model.inputs.filter((i) => !model.initializers.has(i.name));
  if (graphInputs.length === 0) return na("load", "the model has no input");
  const first = graphInputs[0]!;
  if (first.elemType === 0) return na("load", `its input "${first.name}" is not a tensor (a sequence or optional)`);
  if (!FLOAT_TYPES.has(first.elemType))
    return na("load", `its input "${first.name}" is ${typeName(first.elemType)}; zkinfer's input is a float tensor`);
  let sets: DataSet[];
  try {
    sets = dataSets(c.dir);
  } catch (e) {
    return na("load", `the test data cannot be read here: ${errorLine(e)}`);
  }
  if (sets.length === 0) return na("load", "no test_data_set_*");
  for (const set of sets) {
    const x = set.inputs[0]!;
    if (x.data.length === 0) return na("load", `its input is empty (${shapeStr(x.shape)})`);
    if (x.data.some((v) => !Number.isFinite(v)))
      return na("load", "its input holds NaN or ±Inf, which zkinfer refuses as input");
    if (set.outputs.some((o) => o.data.length === 0))
      return na("load", "its expected output is empty: nothing to prove");
  }

  let maxError = 0,
    tolerance = Infinity,
    closest = -1,
    constraints = 0;
  for (const set of sets) {
    // every input after the first becomes a constant (see the header)
    const initializers = new Map(model.initializers);
    graphInputs.slice(1).forEach((vi, i) => initializers.set(vi.name, set.inputs[i + 1]!));
    const adapted: OnnxModel = { ...model, initializers };
    const x = set.inputs[0]!;

    let graph: Graph;
    try {
      graph = importModel(adapted, c.name).graph;
    } catch (e) {
      const msg = errorLine(e);
      if (/does not depend on the input \(it is a constant\)/.test(msg))
        return na("import", "its output is a constant (folded at import): no circuit to build");
      if (/a circuit's shapes are static/.test(msg))
        return na("import", "its output's shape depends on the input's value (a circuit's shapes are static)");
      return fail("import", e);
    }
    const comparisons = maxComparisons(graph);
    if (comparisons > MAX_COMPARISONS)
      return fail(
        "compile",
        `not compiled here: its max pooling needs ${comparisons} comparisons (~${comparisons * 13} constraints), more than this bench's ${MAX_COMPARISONS} (ZKINFER_NODE_MAX_COMPARISONS)`,
      );
    let q;
    try {
      const samples = parseCalibration(
        { inputs: [Array.from(x.data)] },
        graph.inputs[0]!.shape,
        `${c.name} input_0.pb`,
      );
      q = quantize(graph, calibrate(graph, samples), DEFAULT_COMPILE);
    } catch (e) {
      return fail("quantize", e);
    }
    let circuit;
    try {
      circuit = compileCircuit(q, DEFAULT_COMPILE);
      constraints = Math.max(constraints, circuit.r1cs.constraints.length);
    } catch (e) {
      return fail("compile", e);
    }
    let outputs;
    try {
      const w = await computeWitness(circuit.plan, quantizeInput(Array.from(x.data), q.input, false).tensor);
      const check = checkR1cs(readR1cs(writeR1cs(circuit.r1cs)), witnessValues(readWtns(w.wtns)));
      if (!check.ok)
        throw new Error(`the witness does not satisfy constraint ${check.failed} of ${check.nConstraints}`);
      outputs = w.outputs;
    } catch (e) {
      return fail("run", e);
    }
    for (const [k, want] of set.outputs.entries()) {
      const spec = q.outputs[k];
      if (!spec)
        return fail("compare", `the circuit has ${q.outputs.length} outputs, the test expects ${set.outputs.length}`);
      if (sizeOf(spec.shape) !== want.data.length)
        return fail(
          "compare",
          `output ${k}: shape ${shapeStr(spec.shape)} against the expected ${shapeStr(want.shape)}`,
        );
      const got = dequantize(outputs[k]!, spec.scale);
      const tol = spec.err === null ? 0 : spec.err + 1e-5 * Math.max(1, ...Array.from(want.data, Math.abs));
      let worst = 0,
        at = 0;
      got.forEach((v, i) => {
        const d = Math.abs(v - want.data[i]!);
        if (d > worst) {
          worst = d;
          at = i;
        }
      });
      const ratio = tol > 0 ? worst / tol : worst > 0 ? Infinity : 0;
      if (ratio > closest) {
        closest = ratio;
        maxError = worst;
        tolerance = tol;
      }
      if (!(worst <= tol)) {
        return {
          ...base,
          status: "fail",
          stage: "compare",
          message: `output ${k}[${at}]: got ${got[at]}, expected ${want.data[at]} (|error| ${worst.toPrecision(3)} > tolerance ${tol.toPrecision(3)})`,
          maxError: worst,
          tolerance: tol,
          constraints,
        };
      }
    }
  }
  return { ...base, status: "pass", maxError, tolerance, constraints };
}

/**
 * The bench compiles every case in one process: a case whose max pooling needs more comparisons
 * than this (each ~13 constraints at 10-bit activations) would take more memory than a shared
 * machine has (test_maxpool_3d_default: 625,000 comparisons, ~8M constraints, >15 GB).
 */
const MAX_COMPARISONS = Number(process.env.ZKINFER_NODE_MAX_COMPARISONS ?? 2 ** 18);

/** The comparisons a graph's `max` nodes chain (a window of w values takes w − 1). */
function maxComparisons(graph: Graph): number {
  let n = 0;
  for (const node of graph.nodes)
    if (node.op.kind === "max") n += node.op.groups.indices.length - (node.op.groups.start.length - 1);
  return n;
}

export interface OpTally {
  readonly op: string;
  pass: number;
  fail: number;
  na: number;
  /** the first failing case and its error line */
  firstFailure?: string;
}

/** pass / fail / n/a per op, in op order. */
export function tally(results: readonly CaseResult[]): OpTally[] {
  const byOp = new Map<string, OpTally>();
  for (const r of results) {
    const t = byOp.get(r.op) ?? { op: r.op, pass: 0, fail: 0, na: 0 };
    byOp.set(r.op, t);
    if (r.status === "pass") t.pass++;
    else if (r.status === "n/a") t.na++;
    else {
      t.fail++;
      t.firstFailure ??= `${r.name} (${r.stage}): ${r.message}`;
    }
  }
  return [...byOp.values()].sort((a, b) => a.op.localeCompare(b.op));
}
