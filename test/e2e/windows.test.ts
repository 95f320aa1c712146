/**
 * Rescale windows: each rescale holds its input to the calibrated range widened by
 * --activation-margin, so interval bounds stop compounding. An input that drives an activation
 * outside its window has no witness: every backend refuses it with the same message naming the
 * node, prove and run exit 2, and nothing is written; inputs inside prove as before.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compileModel, DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { runPlan } from "../../src/witness/witness.js";
import { auditDeterminacy, auditOpenings } from "../../src/circuit/audit.js";
import { quantizeInput, qinputOf } from "../../src/quantize/input.js";
import { runQuantized } from "../../src/quantize/reference.js";
import { quantize } from "../../src/quantize/quantize.js";
import { calibrate } from "../../src/quantize/calibration.js";
import { importOnnx } from "../../src/model/import.js";
import { encodeOnnx } from "../helpers/onnx.js";
import { zkinfer } from "../helpers/cli.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-win-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// y = 2·relu(x0 + x1): calibrated on x0 ≈ -x1 (x0 + x1 ≈ 0), while inputs up to x0 = x1 = 1.25 are accepted
const model = encodeOnnx({
  inputs: [{ name: "x", shape: [1, 2] }],
  initializers: [
    { name: "W1", shape: [2, 1], data: [1, 1] },
    { name: "W2", shape: [1, 1], data: [2] },
  ],
  nodes: [
    { opType: "MatMul", inputs: ["x", "W1"], outputs: ["h"] },
    { opType: "Relu", inputs: ["h"], outputs: ["a"] },
    { opType: "MatMul", inputs: ["a", "W2"], outputs: ["y"] },
  ],
  outputs: [{ name: "y" }],
});
const calibration = {
  inputs: [
    [1, -1],
    [0.5, -0.5],
    [-1, 1],
    [0.9, -0.8],
    [0, 0],
  ],
};

describe("rescale windows", () => {
  const c = compileModel(model, calibration, DEFAULT_COMPILE, { model: "m.onnx", calibration: "c.json" });
  const open = compileModel(
    model,
    calibration,
    { ...DEFAULT_COMPILE, activationMargin: Infinity },
    { model: "m.onnx", calibration: "c.json" },
  );
  const q = (x: number[]) => quantizeInput(x, qinputOf(c.meta.input), false).tensor;

  it("narrow the circuit, and the windowed circuit is still sound", () => {
    expect(c.meta.options.activationMargin).toBe(1);
    expect(c.meta.circuit.constraints).toBeLessThan(open.meta.circuit.constraints);
    const windowed = c.circuit.plan.steps.filter((s) => s.kind === "requant" && s.window);
    expect(windowed.length).toBeGreaterThan(0);
    expect(auditDeterminacy(c.circuit.r1cs, c.circuit.audit).undetermined).toEqual([]);
    expect(auditOpenings(c.circuit.r1cs, c.circuit.audit).failures).toEqual([]);
  });

  it("an input inside every window runs on every backend; one outside is refused by all, naming the node", async () => {
    for (const backend of ["js", "wasm"]) {
      const ok = await runPlan(c.circuit.plan, q([0.5, -0.4]), { backend, threads: 1 });
      expect(ok[0]!.data.length).toBe(1);
      await expect(runPlan(c.circuit.plan, q([1.2, 1.2]), { backend, threads: 1 })).rejects.toThrow(
        /node "Relu_1" \(Relu\): this input drives element 0 of its input to \d+, outside \[-?\d+, \d+\], the window/,
      );
    }
    // the integer reference (what accuracy is measured with) refuses it in the same words
    const { graph } = importOnnx(model, "m.onnx");
    const qg = quantize(
      graph,
      calibrate(
        graph,
        calibration.inputs.map((x) => ({ shape: [1, 2], data: Float64Array.from(x) })),
      ),
    );
    expect(runQuantized(qg, q([0.5, -0.4])).size).toBeGreaterThan(0);
    expect(() => runQuantized(qg, q([1.2, 1.2]))).toThrow(/node "Relu_1" \(Relu\): this input drives element 0/);
    // without windows the same input runs
    expect((await runPlan(open.circuit.plan, q([1.2, 1.2]), { backend: "wasm", threads: 1 }))[0]!.data.length).toBe(1);
  });

  it("the CLI: run and prove exit 2 with the message, and prove writes no proof", () => {
    writeFileSync(path.join(root, "m.onnx"), model);
    writeFileSync(path.join(root, "c.json"), JSON.stringify(calibration));
    writeFileSync(path.join(root, "out.json"), JSON.stringify({ input: [1.2, 1.2] }));
    const dir = path.join(root, "circuit");
    expect(zkinfer(["compile", path.join(root, "m.onnx"), "-c", path.join(root, "c.json"), "-o", dir]).code).toBe(0);
    const r = zkinfer(["run", dir, "--input", path.join(root, "out.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/outside \[-?\d+, \d+\], the window the circuit holds it to .*--activation-margin/);
    expect(zkinfer(["setup", dir]).code).toBe(0);
    const p = zkinfer(["prove", dir, "--input", path.join(root, "out.json"), "-o", path.join(root, "p")]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/the window the circuit holds it to/);
    expect(existsSync(path.join(root, "p", "proof.json"))).toBe(false);
  });
});
