/**
 * Visibility and commitments end to end (cancer_logreg: small enough for every mode): hashed
 * inputs, outputs and parameters prove and verify, and a verifier holding the input, the
 * model or the claimed output can check it against the proof; a wrong one is rejected.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_COMPILE, type CompileModelOptions } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { setupDir } from "../../src/prove/setup.js";
import { proveDir } from "../../src/prove/prove.js";
import { verifyDir } from "../../src/verify/verify.js";
import { readModelMeta } from "../../src/artifacts.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { mapInitializer } from "../../src/model/onnx.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";
import { zkinfer } from "../helpers/cli.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-vis-"));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});
const samples = loadSamples("cancer_logreg");
const f = (name: string) => path.join(root, name);
writeFileSync(f("in0.json"), JSON.stringify({ input: samples.inputs[0] }));
writeFileSync(f("in1.json"), JSON.stringify({ input: samples.inputs[1] }));

async function build(name: string, opts: Partial<CompileModelOptions>) {
  const dir = f(name);
  await compileToDir(fixture("cancer_logreg", "model.onnx"), fixture("cancer_logreg", "calibration.json"), dir, {
    ...DEFAULT_COMPILE,
    ...opts,
  });
  await setupDir(dir);
  const p = await proveDir(dir, f("in0.json"), { check: true });
  return { dir, p, meta: await readModelMeta(dir) };
}

describe("visibility and commitments", () => {
  it("hashed input: the proof carries only a salted commitment, and --input with its salt checks it", async () => {
    const { dir, meta } = await build("in-hashed", { inputVisibility: "hashed" });
    expect(meta.publicSignals.layout.map((e) => e.role)).toEqual(["output", "input_hash"]);
    expect(meta.publicSignals.layout[1]!.salt).toBe("input");
    expect(meta.publicSignals.count).toBe(2);
    const salt = path.join(dir, "input_salt.json");
    const ok = await verifyDir(dir, { input: f("in0.json"), inputSalt: salt });
    expect(ok.valid).toBe(true);
    expect(ok.checks).toEqual([expect.objectContaining({ what: "input", match: true })]);
    const bad = await verifyDir(dir, { input: f("in1.json"), inputSalt: salt });
    expect(bad.valid).toBe(true);
    expect(bad.checks[0]!.match).toBe(false);
    // the right input under another salt is not the commitment either: the salt is what hides it
    writeFileSync(f("other-salt.json"), JSON.stringify({ salt: "12345" }));
    expect((await verifyDir(dir, { input: f("in0.json"), inputSalt: f("other-salt.json") })).checks[0]!.match).toBe(
      false,
    );
    // without the salt there is nothing to check against: a clear error, not a silent mismatch
    await expect(verifyDir(dir, { input: f("in0.json") })).rejects.toThrow(/salted: give its salt/);
    // the CLI exits 1 when a check fails, 0 when all match
    expect(zkinfer(["verify", dir, "--input", f("in1.json"), "--input-salt", salt]).code).toBe(1);
    expect(zkinfer(["verify", dir, "--input", f("in0.json"), "--input-salt", salt]).code).toBe(0);
  });

  it("hashed input with --no-salt: a deterministic commitment anyone holding the input recomputes", async () => {
    const { dir, meta } = await build("in-hashed-nosalt", { inputVisibility: "hashed", salt: false });
    expect(meta.publicSignals.layout[1]!.salt).toBeUndefined();
    expect((await verifyDir(dir, { input: f("in0.json") })).checks[0]!.match).toBe(true);
    expect((await verifyDir(dir, { input: f("in1.json") })).checks[0]!.match).toBe(false);
  });

  it("an input outside the accepted range is reported as not the committed one, with the reason", async () => {
    const { dir, meta } = await build("in-range", { inputVisibility: "public" });
    writeFileSync(
      f("huge.json"),
      JSON.stringify({ input: new Array(meta.input.shape.reduce((a, b) => a * b, 1)).fill(1000) }),
    );
    const r = await verifyDir(dir, { input: f("huge.json") });
    expect(r.checks[0]!.match).toBe(false);
    expect(r.checks[0]!.detail).toMatch(/outside the accepted input range/);
  });

  it("public input: --input compares the published values", async () => {
    const { dir } = await build("in-public", { inputVisibility: "public" });
    expect((await verifyDir(dir, { input: f("in0.json") })).checks[0]!.match).toBe(true);
    expect((await verifyDir(dir, { input: f("in1.json") })).checks[0]!.match).toBe(false);
  });

  it("hashed params: a secret model whose commitment is public; --params accepts it and rejects another", async () => {
    const { dir, meta } = await build("params-hashed", { paramVisibility: "hashed" });
    expect(meta.publicSignals.layout.map((e) => e.role)).toEqual(["output", "params_hash"]);
    expect(meta.params.map((p) => `${p.node}:${p.part}`)).toEqual(["/fc/Gemm:weight", "/fc/Gemm:bias"]);
    // the weights are not in the verifier's files
    expect(readFileSync(path.join(dir, "circuit.r1cs")).length).toBeGreaterThan(0);
    const model = readFileSync(fixture("cancer_logreg", "model.onnx"));
    writeFileSync(f("same.onnx"), model);
    writeFileSync(
      f("other.onnx"),
      mapInitializer(model, "fc.weight", (w) => (w[3] = w[3]! + 0.05)),
    );
    const ok = await verifyDir(dir, { params: f("same.onnx") });
    expect(ok.valid && ok.checks[0]!.match).toBe(true);
    expect((await verifyDir(dir, { params: f("other.onnx") })).checks[0]!.match).toBe(false);
  });

  it("private params: proves without any commitment; --params explains why it cannot check", async () => {
    const { dir, meta } = await build("params-private", { paramVisibility: "private" });
    expect(meta.publicSignals.layout.map((e) => e.role)).toEqual(["output"]);
    expect((await verifyDir(dir)).valid).toBe(true);
    await expect(verifyDir(dir, { params: fixture("cancer_logreg", "model.onnx") })).rejects.toThrow(
      /private and uncommitted/,
    );
  });

  it("hashed output: prove hands over output.json, and --output checks a claim", async () => {
    const { dir, p } = await build("out-hashed", { outputVisibility: "hashed", inputVisibility: "hashed" });
    const opening = JSON.parse(readFileSync(path.join(dir, "output.json"), "utf8")) as { salt?: string };
    expect(opening.salt).toMatch(/^[0-9]+$/);
    const r = await verifyDir(dir, {
      output: path.join(dir, "output.json"),
      input: f("in0.json"),
      inputSalt: path.join(dir, "input_salt.json"),
    });
    expect(r.valid).toBe(true);
    expect(r.output).toEqual([]); // nothing but commitments is public
    expect(r.checks.map((c) => c.match)).toEqual([true, true]);
    const wrong = { output: [p.values[0]![0]! > 0.5 ? 0.1 : 0.9], salt: opening.salt };
    writeFileSync(f("wrong.json"), JSON.stringify(wrong));
    expect((await verifyDir(dir, { output: f("wrong.json") })).checks[0]!.match).toBe(false);
  });

  it("fixed params: --params checks the model file is the one compiled into the key", async () => {
    const { dir } = await build("fixed", {});
    expect((await verifyDir(dir, { params: fixture("cancer_logreg", "model.onnx") })).checks[0]!.match).toBe(true);
    writeFileSync(
      f("other2.onnx"),
      mapInitializer(readFileSync(fixture("cancer_logreg", "model.onnx")), "fc.weight", (w) => (w[0] = 1)),
    );
    expect((await verifyDir(dir, { params: f("other2.onnx") })).checks[0]!.match).toBe(false);
    await expect(verifyDir(dir, { input: f("in0.json") })).rejects.toThrow(/input is private/);
  });
});
