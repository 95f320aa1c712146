/**
 * The differential oracle: every fixture, in the default visibility and in hashed ones, is
 * exported to circom (src/export/), compiled by circom itself (the circom2 package, --O1), and
 * its witness computed by circom's own generated calculator from the same quantized input and
 * salts. Its public signals must equal zkinfer's (wires 1..nPublic of our .wtns): the two
 * implementations of every gadget agree. And zkinfer's R1CS has no more constraints than
 * circom's output of the same circuit.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compileToDir, DEFAULT_COMPILE, type CompileModelOptions } from "../../src/circuit/compile-model.js";
import { exportCircomDir, circomInput } from "../../src/export/index.js";
import { readModelMeta, readPlan } from "../../src/artifacts.js";
import { loadInput } from "../../src/prove/prove.js";
import { computeWitness } from "../../src/witness/witness.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { readR1cs } from "../../src/formats/r1cs.js";
import { circomCalculator, compileCircom } from "../../bench/circom.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-circom-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SALTS = { input: 1234567890123456789n, output: 98765432109876543210n };

const CASES: { model: string; name: string; opts: Partial<CompileModelOptions> }[] = [
  { model: "cancer_logreg", name: "default", opts: {} },
  { model: "cancer_logreg", name: "all hashed, salted", opts: { inputVisibility: "hashed", paramVisibility: "hashed", outputVisibility: "hashed" } },
  { model: "cancer_logreg", name: "public input, private params", opts: { inputVisibility: "public", paramVisibility: "private" } },
  { model: "digits_mlp", name: "default", opts: {} },
  { model: "digits_mlp", name: "input and output hashed, salted", opts: { inputVisibility: "hashed", outputVisibility: "hashed" } },
  { model: "digits_cnn", name: "default", opts: {} },
  { model: "digits_cnn", name: "output hashed, no salt", opts: { outputVisibility: "hashed", salt: false } },
];

describe("export-circom: circom's witness of the exported circuit equals zkinfer's", () => {
  it.each(CASES)("$model, $name", async ({ model, name, opts }) => {
    const dir = path.join(root, `${model}-${name.replace(/[^a-z]+/g, "_")}`);
    const compiled = await compileToDir(fixture(model, "model.onnx"), fixture(model, "calibration.json"), dir, { ...DEFAULT_COMPILE, ...opts });
    const ex = await exportCircomDir(dir);
    const file = path.join(dir, "model.circom");
    writeFileSync(file, ex.source);
    const build = compileCircom(file, dir, "O1");
    const calc = await circomCalculator(build);
    const meta = await readModelMeta(dir);
    const plan = await readPlan(dir, meta);
    const n = meta.publicSignals.count;
    expect(ex.nPublic).toBe(n);
    const samples = loadSamples(model);
    for (const [k, sample] of samples.inputs.slice(0, 2).entries()) {
      const inFile = path.join(dir, `in${k}.json`);
      writeFileSync(inFile, JSON.stringify({ input: sample }));
      const input = await loadInput(meta, inFile, false);
      const ours = witnessValues(readWtns((await computeWitness(plan, input.tensor, { backend: "js" }, SALTS)).wtns));
      const theirs = await calc.calculateWitness(circomInput(plan, input.tensor, SALTS), true);
      expect(theirs.slice(1, n + 1).map(String), `sample ${k}: public signals`).toEqual(ours.slice(1, n + 1).map(String));
    }
    const circomR1cs = readR1cs(new Uint8Array(readFileSync(build.r1cs)), "circom's .r1cs");
    const ourCount = compiled.meta.circuit.constraints;
    const theirCount = circomR1cs.constraints.length;
    process.stdout.write(`${model} (${name}): zkinfer ${ourCount} constraints, circom --O1 ${theirCount}; wires ${compiled.meta.circuit.wires} vs ${circomR1cs.nWires}; ${n} public signals equal\n`);
    expect(circomR1cs.nPubOut + circomR1cs.nPubIn).toBe(n);
    expect(ourCount).toBeLessThanOrEqual(theirCount);
  });
});
