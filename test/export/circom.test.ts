/**
 * The differential oracle: every fixture, in the default visibility and in hashed ones, is
 * exported to circom (src/export/), compiled by circom itself (the circom2 package, --O1), and
 * its witness computed by circom's own generated calculator from the same quantized input and
 * salts. Its public signals must equal zkinfer's (wires 1..nPublic of our .wtns): the two
 * implementations of every gadget agree. And zkinfer's R1CS has no more constraints than
 * circom's output of the same circuit.
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_COMPILE, type CompileModelOptions } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { exportCircomDir, circomInput } from "../../src/export/index.js";
import { readModelMeta, readPlan } from "../../src/artifacts.js";
import { computeWitness } from "../../src/witness/witness.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { readR1cs } from "../../src/formats/r1cs.js";
import { circomCalculator, compileCircom } from "../../bench/circom.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";
import { OP_CASES } from "../helpers/models.js";
import { zkinfer } from "../helpers/cli.js";
import { encodeOnnx, randomInput, rng } from "../helpers/onnx.js";
import { quantizeInput, qinputOf } from "../../src/quantize/input.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-circom-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SALTS = { input: 1234567890123456789n, output: 98765432109876543210n };

const CASES: { model: string; name: string; opts: Partial<CompileModelOptions> }[] = [
  { model: "cancer_logreg", name: "default", opts: {} },
  {
    model: "cancer_logreg",
    name: "all hashed, salted",
    opts: { inputVisibility: "hashed", paramVisibility: "hashed", outputVisibility: "hashed" },
  },
  {
    model: "cancer_logreg",
    name: "public input, private params",
    opts: { inputVisibility: "public", paramVisibility: "private" },
  },
  { model: "digits_mlp", name: "default", opts: {} },
  {
    model: "digits_mlp",
    name: "input and output hashed, salted",
    opts: { inputVisibility: "hashed", outputVisibility: "hashed" },
  },
  // wide values (accumulators near 2^66): circom's field arithmetic against zkinfer's BigInt and i64
  { model: "digits_mlp", name: "32-bit weights and activations", opts: { activationBits: 32, weightBits: 32 } },
  { model: "digits_cnn", name: "default", opts: {} },
  { model: "digits_cnn", name: "output hashed, no salt", opts: { outputVisibility: "hashed", salt: false } },
  {
    model: "digits_cnn",
    name: "public input, private params (a convolution with a computed kernel)",
    opts: { inputVisibility: "public", paramVisibility: "private" },
  },
];

/** Exports DIR, compiles it with circom --O1; checks public signals on each input and the constraint counts. */
/**
 * `allowance`: constraints circom may drop that zkinfer keeps. zkinfer binds each public output
 * wire to its value with one constraint; when the value is a plain signal (an output that is an
 * input element moved by a Transpose or Slice), circom's --O1 merges the two signals instead.
 */
async function differential(dir: string, label: string, inputs: readonly number[][], allowance = 0): Promise<void> {
  const ex = await exportCircomDir(dir);
  const file = path.join(dir, "model.circom");
  writeFileSync(file, ex.source);
  const build = compileCircom(file, dir, "O1");
  const calc = await circomCalculator(build);
  const meta = await readModelMeta(dir);
  const plan = await readPlan(dir, meta);
  const n = meta.publicSignals.count;
  expect(ex.nPublic).toBe(n);
  for (const [k, x] of inputs.entries()) {
    const q = quantizeInput(x, qinputOf(meta.input), false);
    const ours = witnessValues(readWtns((await computeWitness(plan, q.tensor, { backend: "js" }, SALTS)).wtns));
    const theirs = await calc.calculateWitness(circomInput(plan, q.tensor, SALTS), true);
    expect(theirs.slice(1, n + 1).map(String), `input ${k}: public signals`).toEqual(ours.slice(1, n + 1).map(String));
  }
  const circomR1cs = readR1cs(new Uint8Array(readFileSync(build.r1cs)), "circom's .r1cs");
  const ourCount = meta.circuit.constraints;
  const theirCount = circomR1cs.constraints.length;
  process.stdout.write(
    `${label}: zkinfer ${ourCount} constraints, circom --O1 ${theirCount}; wires ${meta.circuit.wires} vs ${circomR1cs.nWires}; ${n} public signals equal on ${inputs.length} inputs\n`,
  );
  expect(circomR1cs.nPubOut + circomR1cs.nPubIn).toBe(n);
  expect(ourCount).toBeLessThanOrEqual(theirCount + allowance);
}

describe("export-circom: circom's witness of the exported circuit equals zkinfer's", () => {
  it.each(CASES)("$model, $name", async ({ model, name, opts }) => {
    const dir = path.join(root, `${model}-${name.replace(/[^a-z]+/g, "_")}`);
    await compileToDir(fixture(model, "model.onnx"), fixture(model, "calibration.json"), dir, {
      ...DEFAULT_COMPILE,
      ...opts,
    });
    const samples = loadSamples(model);
    await differential(
      dir,
      `${model} (${name})`,
      samples.inputs.slice(0, 2).map((v) => (v as unknown[]).flat(Infinity as 1) as number[]),
    );
  });
});

/** The op models whose gadgets the fixtures do not reach: every plan step kind and activation. */
const OP_MODELS =
  /MatMul of two computed|Clip \(Relu6\)|ArgMax|Transpose, Slice|BatchNormalization|AveragePool with padding|Pad \(constant|Add, Sub, Mul of two computed|Conv stride 2|Erf, Gelu|Sigmoid, Tanh/;

describe("export-circom on the op models", () => {
  for (const [i, c] of OP_CASES.entries()) {
    if (!OP_MODELS.test(c.name)) continue;
    it(c.name, async () => {
      const r = rng(2000 + i);
      const dir = path.join(root, `op${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, "model.onnx"),
        encodeOnnx({ inputs: [{ name: "x", shape: c.inShape }], ...c.build(r) }),
      );
      const draw = () => Array.from(randomInput(c.inShape, r, ...(c.range ?? [-1, 1])));
      writeFileSync(path.join(dir, "calibration.json"), JSON.stringify({ inputs: Array.from({ length: 8 }, draw) }));
      await compileToDir(path.join(dir, "model.onnx"), path.join(dir, "calibration.json"), dir, DEFAULT_COMPILE);
      const meta = await readModelMeta(dir);
      const outputs = meta.publicSignals.layout.filter((e) => e.role === "output").reduce((a, e) => a + e.count, 0);
      await differential(dir, c.name, [draw(), draw()], outputs);
    });
  }
});

describe("zkinfer export-circom (the CLI)", () => {
  it("writes the export and the witness calculator's input; --json prints one object; a missing directory is one error line", async () => {
    const dir = path.join(root, "cli");
    await compileToDir(fixture("digits_mlp", "model.onnx"), fixture("digits_mlp", "calibration.json"), dir, {
      ...DEFAULT_COMPILE,
      outputVisibility: "hashed",
    });
    writeFileSync(path.join(dir, "in.json"), JSON.stringify({ input: loadSamples("digits_mlp").inputs[0] }));
    const file = path.join(dir, "out.circom");
    const r = zkinfer(["export-circom", dir, "-o", file, "--input", path.join(dir, "in.json"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      circom: string;
      input: string;
      publicSignals: number;
      inputs: { name: string }[];
    };
    expect(j).toMatchObject({ circom: file, input: path.join(dir, "out.input.json"), publicSignals: 1 });
    expect(j.inputs.map((i) => i.name)).toEqual(["x", "output_salt"]);
    expect(readFileSync(file, "utf8")).toBe((await exportCircomDir(dir)).source);
    const input = JSON.parse(readFileSync(j.input, "utf8")) as Record<string, unknown>;
    expect(Object.keys(input)).toEqual(["x", "output_salt"]);
    // -o X.json with --input: that input alone, the same as the one beside the circuit, no circuit
    const only = path.join(dir, "only.json");
    const o = zkinfer(["export-circom", dir, "-o", only, "--input", path.join(dir, "in.json"), "--json"]);
    expect(o.code, o.stderr).toBe(0);
    expect(JSON.parse(o.stdout)).toMatchObject({ circom: null, input: only });
    const alone = JSON.parse(readFileSync(only, "utf8")) as Record<string, unknown>;
    expect(Object.keys(alone)).toEqual(["x", "output_salt"]);
    expect(alone.x).toEqual(input.x);
    expect(existsSync(path.join(dir, "only.circom"))).toBe(false);
    const bad = zkinfer(["export-circom", path.join(root, "nowhere")]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });
});
