/**
 * The whole pipeline on both fixture models, through the library: compile, setup, prove,
 * verify; plain snarkjs agrees; tampering with the proof, the public signals or the witness
 * is caught.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { setupDir } from "../../src/prove/setup.js";
import { proveDir } from "../../src/prove/prove.js";
import { verifyDir } from "../../src/verify/verify.js";
import { readModelMeta, readPlan } from "../../src/artifacts.js";
import { runPlan } from "../../src/witness/witness.js";
import { dequantize, quantizeInput } from "../../src/quantize/input.js";
import { qinputOf } from "../../src/quantize/input.js";
import { readR1cs } from "../../src/formats/r1cs.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { checkR1cs } from "../../src/witness/check.js";
import { mod, P } from "../../src/field.js";
import { releaseCurve } from "../../src/prove/curve.js";
import type { PlanStep } from "../../src/circuit/plan.js";
import { fixture, flat, loadSamples, MODELS } from "../helpers/fixtures.js";
import { snarkjsCli } from "../helpers/cli.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-e2e-"));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

describe.each(MODELS)("%s end to end", (name) => {
  const dir = path.join(root, name);
  const inputFile = path.join(dir, "input.json");
  const samples = loadSamples(name);

  beforeAll(async () => {
    await compileToDir(fixture(name, "model.onnx"), fixture(name, "calibration.json"), dir, DEFAULT_COMPILE);
    await setupDir(dir);
    writeFileSync(inputFile, JSON.stringify({ input: samples.inputs[3] }));
    await proveDir(dir, inputFile, { check: true });
  });

  it("verifies, and the public output is the quantized model's output", async () => {
    const r = await verifyDir(dir);
    expect(r.valid).toBe(true);
    expect(r.development).toBe(true);
    const meta = await readModelMeta(dir);
    const q = quantizeInput(flat(samples.inputs[3]), qinputOf(meta.input), false);
    const [out] = await runPlan(await readPlan(dir), q.tensor);
    expect(r.output).toEqual(dequantize(out!, meta.outputs[0]!.scale));
  });

  it("plain snarkjs accepts the proof and the witness", async () => {
    const v = snarkjsCli([
      "groth16",
      "verify",
      path.join(dir, "verification_key.json"),
      path.join(dir, "public.json"),
      path.join(dir, "proof.json"),
    ]);
    expect(v.stdout + v.stderr).toMatch(/OK/);
    expect(
      await snarkjs.wtns.check(path.join(dir, "circuit.r1cs"), path.join(dir, "witness.wtns"), {
        info() {},
        warn() {},
        error() {},
        debug() {},
      }),
    ).toBe(true);
  });

  it("rejects a changed public signal", async () => {
    const pub = JSON.parse(readFileSync(path.join(dir, "public.json"), "utf8")) as string[];
    for (const i of [0, pub.length - 1]) {
      const bad = [...pub];
      bad[i] = mod(BigInt(bad[i]!) + 1n).toString();
      const f = path.join(dir, `public-bad-${i}.json`);
      writeFileSync(f, JSON.stringify(bad));
      expect((await verifyDir(dir, { public: f })).valid).toBe(false);
    }
  });

  it("rejects a changed proof: swapped points, and a point off the curve", async () => {
    const proof = JSON.parse(readFileSync(path.join(dir, "proof.json"), "utf8")) as snarkjs.Groth16Proof;
    const swapped = { ...proof, pi_a: proof.pi_c, pi_c: proof.pi_a };
    const f1 = path.join(dir, "proof-swapped.json");
    writeFileSync(f1, JSON.stringify(swapped));
    expect((await verifyDir(dir, { proof: f1 })).valid).toBe(false);
    const off = { ...proof, pi_a: [proof.pi_a[0], (BigInt(proof.pi_a[1]!) + 1n).toString(), "1"] };
    const f2 = path.join(dir, "proof-off.json");
    writeFileSync(f2, JSON.stringify(off));
    const r = await verifyDir(dir, { proof: f2 });
    expect(r.valid).toBe(false);
    expect(r.reason).toMatch(/pi_a is not on the curve/);
  });

  it("the R1CS checker accepts the witness and rejects a changed remainder bit, sign bit or output", async () => {
    const r1cs = readR1cs(readFileSync(path.join(dir, "circuit.r1cs")));
    const w = witnessValues(readWtns(readFileSync(path.join(dir, "witness.wtns"))));
    expect(checkR1cs(r1cs, w).ok).toBe(true);
    const plan = await readPlan(dir);
    const requants = plan.steps.filter((s): s is Extract<PlanStep, { kind: "requant" }> => s.kind === "requant");
    expect(requants.length).toBeGreaterThan(0);
    const tampered: { what: string; wire: number; value: bigint }[] = [];
    for (const s of requants) {
      const { wire, nBits } = s.bits;
      // the lowest remainder bit of element 0, and the sign bit of the last element
      tampered.push({ what: "remainder bit", wire, value: 1n - w[wire]! });
      const last = wire + (plan.tensors[s.input]!.shape.reduce((a, b) => a * b, 1) - 1) * nBits + nBits - 1;
      tampered.push({ what: "sign bit", wire: last, value: 1n - w[last]! });
      // a remainder changed by one with the quotient's lowest bit compensating is still caught
      tampered.push({ what: "remainder + 2^k", wire, value: w[wire]! + 2n ** BigInt(s.shift) });
    }
    const nOut = (await readModelMeta(dir)).outputs[0]!.shape.reduce((a, b) => a * b, 1);
    for (let o = 1; o <= nOut; o++) tampered.push({ what: `output ${o}`, wire: o, value: mod(w[o]! + 1n) });
    tampered.push({ what: "output sign", wire: 1, value: mod(P - w[1]!) });
    for (const t of tampered) {
      const bad = [...w];
      bad[t.wire] = mod(t.value);
      expect(checkR1cs(r1cs, bad).ok, `${t.what} at wire ${t.wire}`).toBe(false);
    }
  });

  it("proves another input in the same directory with a fresh output dir", async () => {
    const other = path.join(dir, "p2");
    writeFileSync(path.join(dir, "in2.json"), JSON.stringify({ input_data: [flat(samples.inputs[7])] }));
    const p = await proveDir(dir, path.join(dir, "in2.json"), { outDir: other });
    const r = await verifyDir(dir, { proof: p.proofFile, public: p.publicFile });
    expect(r.valid).toBe(true);
    expect(r.output).toEqual(p.outputs[0]!.values);
  });

  it("verifies with nothing but verification_key.json and model.json", async () => {
    const only = path.join(root, `${name}-verifier`);
    const { mkdirSync, copyFileSync } = await import("node:fs");
    mkdirSync(only);
    for (const f of ["verification_key.json", "model.json"]) copyFileSync(path.join(dir, f), path.join(only, f));
    const r = await verifyDir(only, { proof: path.join(dir, "proof.json"), public: path.join(dir, "public.json") });
    expect(r.valid).toBe(true);
  });

  it("skips setup when the circuit has not changed", async () => {
    const again = await setupDir(dir);
    expect(again.skipped).toBe(true);
  });
});

describe("setup with a given ptau file", () => {
  it("uses it, checks it, and does not mark the keys development-only", async () => {
    const dir = path.join(root, "given-ptau");
    const meta = (
      await compileToDir(
        fixture("digits_mlp", "model.onnx"),
        fixture("digits_mlp", "calibration.json"),
        dir,
        DEFAULT_COMPILE,
      )
    ).meta;
    const { ensureDevPtau } = await import("../../src/prove/ptau.js");
    const ptau = (await ensureDevPtau(meta.circuit.ptauPower + 2)).file; // a bigger file works too
    const r = await setupDir(dir, { ptau });
    const { check, ...where } = r.info.ptau;
    expect(where).toEqual({ file: ptau, power: meta.circuit.ptauPower + 2, development: false });
    // checked at least at the circuit's power (more if this process already checked the file for a bigger circuit)
    expect(check?.method).toBe("consistency");
    expect(check?.method === "consistency" && check.power >= meta.circuit.ptauPower).toBe(true);
    expect(r.info.warning).toBeUndefined();
    const vk = JSON.parse(readFileSync(path.join(dir, "verification_key.json"), "utf8"));
    expect(vk.zkinfer).toBeUndefined();
    writeFileSync(path.join(dir, "in.json"), JSON.stringify({ input: loadSamples("digits_mlp").inputs[0] }));
    const p = await proveDir(dir, path.join(dir, "in.json"));
    expect(p.development).toBe(false);
    expect((await verifyDir(dir)).valid).toBe(true);
    await expect(setupDir(dir, { ptau: path.join(root, "missing.ptau") })).rejects.toThrow(/ptau file not found/);
  });
});
