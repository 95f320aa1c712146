/**
 * The CLI as users run it (bin/zkinfer.js over dist/): --json results, exit codes
 * (0 ok, 1 invalid proof, 2 error), one-line errors without stack traces, and no output file
 * left behind by a failed command.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { zkinfer } from "../helpers/cli.js";
import { fixture, flat, loadSamples } from "../helpers/fixtures.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dir = path.join(root, "mlp");
const f = (name: string) => path.join(root, name);

function expectCleanError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe("zkinfer CLI", () => {
  const samples = loadSamples("digits_mlp");

  beforeAll(() => {
    writeFileSync(f("in.json"), JSON.stringify({ input: samples.inputs[5] }));
  });

  it("compile --json reports the circuit", () => {
    const r = zkinfer([
      "compile",
      fixture("digits_mlp", "model.onnx"),
      "--calibration",
      fixture("digits_mlp", "calibration.json"),
      "-o",
      dir,
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.constraints).toBeGreaterThan(1000);
    expect(j.wires).toBeGreaterThan(1000);
    expect(j.ptauPower).toBe(11);
    expect(j.publicSignals).toBe(10);
    expect(typeof j.scales.input).toBe("number");
    expect(j.accuracy.argmaxAgreement).toBe(1);
    for (const file of ["model.json", "circuit.r1cs", "circuit.sym", "plan.json"])
      expect(existsSync(path.join(dir, file))).toBe(true);
  });

  it("compiling the same model twice gives identical files", () => {
    const again = path.join(root, "mlp-again");
    expect(
      zkinfer([
        "compile",
        fixture("digits_mlp", "model.onnx"),
        "-c",
        fixture("digits_mlp", "calibration.json"),
        "-o",
        again,
      ]).code,
    ).toBe(0);
    for (const file of ["model.json", "circuit.r1cs", "circuit.sym", "plan.json"]) {
      expect(readFileSync(path.join(again, file)).equals(readFileSync(path.join(dir, file))), file).toBe(true);
    }
  });

  it("setup, prove, verify --json, and run agrees with the proof", () => {
    const s = zkinfer(["setup", dir, "--json"]);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout).ptau.development).toBe(true);
    const p = zkinfer(["prove", dir, "--input", f("in.json"), "-o", f("proof1"), "--check", "--json"]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).outputs[0].values).toHaveLength(10);
    const v = zkinfer([
      "verify",
      dir,
      "--proof",
      f("proof1/proof.json"),
      "--public",
      f("proof1/public.json"),
      "--json",
    ]);
    expect(v.code, v.stderr).toBe(0);
    const vj = JSON.parse(v.stdout);
    expect(vj.valid).toBe(true);
    const run = JSON.parse(zkinfer(["run", dir, "--input", f("in.json"), "--json"]).stdout);
    expect(run.output).toEqual(vj.output);
    expect(run.argmax).toBe(vj.output.indexOf(Math.max(...vj.output)));
  });

  it("info names the backends and auto's choice; run and prove take --backend webgpu and auto", () => {
    const i = zkinfer(["info", dir, "--json"]);
    expect(i.code, i.stderr).toBe(0);
    const ij = JSON.parse(i.stdout);
    expect(ij.backends.map((b: { name: string }) => b.name)).toEqual(["wasm", "webgpu", "js"]);
    // a small plan never even looks for a GPU
    expect(ij.auto).toMatchObject({ backend: "wasm", reason: expect.stringMatching(/^the plan is small/) });
    expect(zkinfer(["info"]).stdout).toMatch(/WebGPU adapters/);
    const wasm = JSON.parse(zkinfer(["run", dir, "--input", f("in.json"), "--backend", "wasm", "--json"]).stdout);
    const auto = JSON.parse(zkinfer(["run", dir, "--input", f("in.json"), "--backend", "auto", "--json"]).stdout);
    expect(auto.output).toEqual(wasm.output);
    expectCleanError(
      zkinfer(["run", dir, "--input", f("in.json"), "--backend", "cuda"]),
      /available: auto, wasm, webgpu, js/,
    );
    if (!ij.webgpu.adapters.length && process.env.ZKINFER_REQUIRE_WEBGPU !== "1") return;
    const gpu = zkinfer(["run", dir, "--input", f("in.json"), "--backend", "webgpu", "--json"]);
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(JSON.parse(gpu.stdout).output).toEqual(wasm.output);
    const p = zkinfer(["prove", dir, "--input", f("in.json"), "-o", f("proof-gpu"), "--backend", "webgpu", "--check"]);
    expect(p.code, p.stderr).toBe(0);
    expect(readFileSync(f("proof-gpu/witness.wtns"))).toEqual(readFileSync(f("proof1/witness.wtns")));
  });

  it("proves a batch (JSONL and repeated --input) with one folder per input, each proof verifying to its own output", () => {
    const ins = [0, 1, 2].map((i) => JSON.stringify({ input: samples.inputs[i] }));
    writeFileSync(f("batch.jsonl"), `${ins[0]}\n\n${ins[1]}\n${ins[2]}\n`);
    writeFileSync(f("b.json"), JSON.stringify({ input: samples.inputs[3] }));
    const p = zkinfer([
      "prove",
      dir,
      "--input",
      f("batch.jsonl"),
      "--input",
      f("b.json"),
      "-o",
      f("batch-out"),
      "--threads",
      "2",
      "--json",
    ]);
    expect(p.code, p.stderr).toBe(0);
    const j = JSON.parse(p.stdout);
    // blank lines are skipped, line numbers kept
    expect(j.proofs.map((x: { id: string }) => x.id)).toEqual(["batch-1", "batch-3", "batch-4", "b"]);
    const listed = JSON.parse(readFileSync(f("batch-out/batch.json"), "utf8"));
    expect(listed.proofs).toHaveLength(4);
    for (const [k, item] of (j.proofs as { id: string; output: number[] }[]).entries()) {
      const v = zkinfer([
        "verify",
        dir,
        "--proof",
        f(`batch-out/${item.id}/proof.json`),
        "--public",
        f(`batch-out/${item.id}/public.json`),
        "--json",
      ]);
      expect(v.code, v.stderr).toBe(0);
      expect(JSON.parse(v.stdout).output).toEqual(item.output);
      // the same input proved alone gives the same output
      writeFileSync(f(`one-${k}.json`), JSON.stringify({ input: samples.inputs[k] }));
      expect(JSON.parse(zkinfer(["run", dir, "--input", f(`one-${k}.json`), "--json"]).stdout).output).toEqual(
        item.output,
      );
    }
    // a bad line anywhere stops the batch before any proof is written, naming file and line
    writeFileSync(f("bad.jsonl"), `${ins[0]}\n{"input": [1, 2]}\n`);
    expectCleanError(
      zkinfer(["prove", dir, "--input", f("bad.jsonl"), "-o", f("bad-batch")]),
      /bad\.jsonl line 2: "input" has 2 numbers/,
    );
    expect(existsSync(f("bad-batch"))).toBe(false);
    expectCleanError(
      zkinfer(["prove", dir, "-i", f("b.json"), "-i", f("b.json"), "-o", f("dup")]),
      /would both write to the folder "b"/,
    );
  });

  it("verify exits 1 for a tampered public signal and 2 for broken files", () => {
    const pub = JSON.parse(readFileSync(f("proof1/public.json"), "utf8")) as string[];
    pub[0] = (BigInt(pub[0]!) + 1n).toString();
    writeFileSync(f("pub-bad.json"), JSON.stringify(pub));
    const bad = zkinfer(["verify", dir, "--proof", f("proof1/proof.json"), "--public", f("pub-bad.json"), "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).valid).toBe(false);
    expectCleanError(
      zkinfer(["verify", dir, "--proof", f("nope.json"), "--public", f("proof1/public.json")]),
      /proof not found: .*nope\.json/,
    );
    writeFileSync(f("garbage.json"), "{ not json");
    expectCleanError(
      zkinfer(["verify", dir, "--proof", f("garbage.json"), "--public", f("proof1/public.json")]),
      /garbage\.json is not valid JSON/,
    );
    writeFileSync(f("short.json"), JSON.stringify(pub.slice(0, 3)));
    expectCleanError(
      zkinfer(["verify", dir, "--proof", f("proof1/proof.json"), "--public", f("short.json")]),
      /3 signals but the verification key expects 10/,
    );
  });

  it("prove refuses bad inputs with exit 2 and writes nothing", () => {
    const cases: [string, RegExp][] = [
      [JSON.stringify({ input: [1, 2, 3] }), /has 3 numbers but the model input \[1, 64\] needs 64/],
      [JSON.stringify({ input: "x" }), /"input" must be an array/],
      [JSON.stringify({ nope: 1 }), /no "input" field/],
      ["not json", /is not valid JSON/],
      [JSON.stringify({ input: [...flat(samples.inputs[0]).slice(1), "NaN"] }), /expected a number, got string/],
    ];
    for (const [i, [content, msg]] of cases.entries()) {
      const out = f(`bad-out-${i}`);
      writeFileSync(f("bad.json"), content);
      expectCleanError(zkinfer(["prove", dir, "--input", f("bad.json"), "-o", out]), msg);
      expect(existsSync(path.join(out, "proof.json"))).toBe(false);
    }
    // out of the calibrated range: refused with --strict, clamped with a warning without
    writeFileSync(f("far.json"), JSON.stringify({ input: flat(samples.inputs[0]).map((v, i) => (i === 0 ? 1e6 : v)) }));
    expectCleanError(
      zkinfer(["prove", dir, "--input", f("far.json"), "-o", f("far-out"), "--strict"]),
      /outside the accepted range/,
    );
    expect(existsSync(f("far-out/proof.json"))).toBe(false);
    const clamped = zkinfer(["run", dir, "--input", f("far.json")]);
    expect(clamped.code).toBe(0);
    expect(clamped.stderr).toMatch(/warning: 1 of 64 input values lie outside/);
  });

  it("compile refuses a missing, truncated or mismatched model and leaves no model.json", () => {
    const model = readFileSync(fixture("digits_mlp", "model.onnx"));
    writeFileSync(f("trunc.onnx"), model.subarray(0, 300));
    const cases: [string[], RegExp][] = [
      [[f("missing.onnx"), "-c", fixture("digits_mlp", "calibration.json")], /model not found/],
      [[f("trunc.onnx"), "-c", fixture("digits_mlp", "calibration.json")], /trunc\.onnx: not a valid ONNX model/],
      [
        [fixture("digits_mlp", "model.onnx"), "-c", fixture("cancer_logreg", "calibration.json")],
        /inputs\[0\] has 30 numbers but the model input \[1, 64\] needs 64/,
      ],
      [[fixture("digits_mlp", "model.onnx"), "-c", f("missing-cal.json")], /calibration file not found/],
      [
        [fixture("digits_mlp", "model.onnx"), "-c", fixture("digits_mlp", "calibration.json"), "--weight-bits", "40"],
        /weight bits must be an integer in 2\.\.32, got 40/,
      ],
    ];
    for (const [i, [args, msg]] of cases.entries()) {
      const out = f(`cout-${i}`);
      expectCleanError(zkinfer(["compile", ...args, "-o", out]), msg);
      expect(existsSync(path.join(out, "model.json"))).toBe(false);
    }
  });

  it("prove on a directory without keys sets it up first (development keys, said), then proves", () => {
    const d = f("no-keys");
    const c = loadSamples("cancer_logreg");
    expect(
      zkinfer([
        "compile",
        fixture("cancer_logreg", "model.onnx"),
        "-c",
        fixture("cancer_logreg", "calibration.json"),
        "-o",
        d,
      ]).code,
    ).toBe(0);
    writeFileSync(f("cancer-in.json"), JSON.stringify({ input: c.inputs[0] }));
    const r = zkinfer(["prove", d, "--input", f("cancer-in.json"), "-o", path.join(d, "p"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no proving key: running `zkinfer setup .*` first, with development keys/);
    expect(existsSync(path.join(d, "circuit.zkey"))).toBe(true);
    const v = zkinfer([
      "verify",
      d,
      "--proof",
      path.join(d, "p", "proof.json"),
      "--public",
      path.join(d, "p", "public.json"),
    ]);
    expect(v.code, v.stderr).toBe(0);
    // a second proof uses the key it made: no second setup
    const again = zkinfer(["prove", d, "--input", f("cancer-in.json"), "-o", path.join(d, "p2")]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/no proving key/);
  });

  it("explains usage errors", () => {
    expectCleanError(zkinfer(["compile", fixture("digits_mlp", "model.onnx")]), /--calibration is required/);
    expectCleanError(zkinfer(["prove", dir, "--inptu", "x"]), /Unknown option '--inptu'/);
    expect(zkinfer(["frobnicate"]).code).toBe(2);
    expect(zkinfer(["--help"]).stdout).toMatch(/compile .*setup/s);
    expect(zkinfer(["verify", "--help"]).stdout).toMatch(/exit 0 valid, 1 invalid, 2 error/);
  });
});
