/**
 * Wide values: a circuit whose values pass 2^53 (where doubles stop being exact), 2^60 (the
 * wasm i64 kernels' range) and 2^120 still gets its exact witness from every backend, byte for
 * byte, satisfying its R1CS; a witness one off in a wide wire is refused. The bundled models at
 * 32-bit weights and activations (accumulators near 2^66) agree with the float model, prove and
 * verify; their byte-for-byte runs across backends are in backends.test.ts and webgpu.test.ts
 * (witness-cases.ts), their tamper tests in soundness/ops.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileCircuit } from "../../src/circuit/compile.js";
import {
  compileModel,
  DEFAULT_COMPILE,
  type CompiledModel,
  type CompileModelOptions,
} from "../../src/circuit/compile-model.js";
import { isWide } from "../../src/circuit/plan.js";
import type { QGraph, QNode, QValue } from "../../src/quantize/qgraph.js";
import { slackOf } from "../../src/quantize/context.js";
import { rescaleBig } from "../../src/quantize/layout.js";
import { quantizeInput, qinputOf, dequantize } from "../../src/quantize/input.js";
import { checkR1cs, toSparse } from "../../src/witness/check.js";
import { readWtns, witnessValues } from "../../src/formats/wtns.js";
import { witnessGenerator, type WitnessGenerator } from "../../src/witness/witness.js";
import { nodeGpu } from "../../src/witness/backends/webgpu/node-gpu.js";
import { P } from "../../src/field.js";
import { fixture } from "../helpers/fixtures.js";
import { withWire } from "../helpers/tamper.js";
import { snarkjsCli, zkinfer, type Run } from "../helpers/cli.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const gpu = await nodeGpu();

// y = x @ W + b over x ∈ [0, 2000]^3: terms of 2^110, 2^100 and 2^99 next to a bias of 7, which
// doubles would lose; then a rescale by 2^98, a max and an argmax of the two wide values
const W = [2 ** 100, 1, 5, 2 ** 110, -(2 ** 99), 3]; // [K = 3][N = 2]
const B = [7, -11];
const X_HI = 2000;

function wideGraph(): QGraph {
  const v = (name: string, shape: number[], lo: number, hi: number, err: number | null = 0): QValue => ({
    name,
    shape,
    scale: 0,
    lo,
    hi,
    err,
  });
  const colLo = (n: number) => B[n]! + [0, 1, 2].reduce((a, k) => a + Math.min(0, W[k * 2 + n]! * X_HI), 0);
  const colHi = (n: number) => B[n]! + [0, 1, 2].reduce((a, k) => a + Math.max(0, W[k * 2 + n]! * X_HI), 0);
  const reach = Math.max(-colLo(0), -colLo(1), colHi(0), colHi(1));
  const lo = Math.min(colLo(0), colLo(1)) - slackOf(reach),
    hi = Math.max(colHi(0), colHi(1)) + slackOf(reach);
  const input = { ...v("x", [1, 3], 0, X_HI), floatLo: 0, floatHi: X_HI };
  const acc = v("acc", [1, 2], lo, hi);
  const y = { ...v("y", [1, 2], Number(rescaleBig(BigInt(lo), 98)), Number(rescaleBig(BigInt(hi), 98))), scale: -98 };
  const mx = v("mx", [1, 1], lo, hi);
  const am = v("am", [1, 1], 0, 1, null);
  const groups = { start: Int32Array.of(0, 2), indices: Int32Array.of(0, 1) };
  const nodes: QNode[] = [
    {
      name: "gemm",
      source: "Gemm",
      op: {
        kind: "gemm",
        weight: { shape: [3, 2], data: Float64Array.from(W) },
        bias: { shape: [2], data: Float64Array.from(B) },
      },
      inputs: ["x"],
      output: "acc",
    },
    {
      name: "rescale",
      source: "",
      op: { kind: "requant", shift: 98, act: { kind: "none" }, window: null },
      inputs: ["acc"],
      output: "y",
    },
    { name: "max", source: "ReduceMax", op: { kind: "max", groups }, inputs: ["acc"], output: "mx" },
    { name: "argmax", source: "ArgMax", op: { kind: "argmax", groups }, inputs: ["acc"], output: "am" },
  ];
  return {
    input,
    outputs: [acc, y, mx, am],
    nodes,
    values: new Map([input, acc, y, mx, am].map((x) => [x.name, x])),
  };
}

/** What the circuit's outputs must be, in BigInt. */
function expected(x: readonly number[]) {
  const acc = [0, 1].map(
    (n) => BigInt(B[n]!) + [0, 1, 2].reduce((a, k) => a + BigInt(x[k]!) * BigInt(W[k * 2 + n]!), 0n),
  );
  const mx = acc[0]! >= acc[1]! ? acc[0]! : acc[1]!;
  return { acc, y: acc.map((a) => Number(rescaleBig(a, 98))), mx, am: acc[1]! > acc[0]! ? 1 : 0 };
}

describe("values past 2^53, 2^60 and 2^120", () => {
  const circuit = compileCircuit(wideGraph(), DEFAULT_COMPILE);
  const plan = circuit.plan;
  const r1cs = toSparse(circuit.r1cs);

  it("are wide in the plan, and every backend gives the same exact witness, which satisfies the R1CS", async () => {
    const abs = plan.tensors.map((t) => Math.max(Math.abs(t.lo), Math.abs(t.hi)));
    expect(Math.max(...abs)).toBeGreaterThan(2 ** 120);
    expect(plan.tensors.filter(isWide).length).toBeGreaterThanOrEqual(2);
    const gens: [string, WitnessGenerator][] = [
      ["js", await witnessGenerator(plan, { backend: "js" })],
      ["wasm", await witnessGenerator(plan, { backend: "wasm", threads: 1 })],
      ["wasm ×2", await witnessGenerator(plan, { backend: "wasm", threads: 2, splitAbove: 0 })],
    ];
    if (gpu.adapters.length > 0) gens.push(["webgpu", await witnessGenerator(plan, { backend: "webgpu" })]);
    try {
      for (const x of [
        [0, 0, 0],
        [2000, 2000, 2000],
        [1, 0, 2000],
        [0, 0, 1],
        [1999, 1, 2000],
        [3, 997, 500],
      ]) {
        const want = expected(x);
        const input = { shape: [1, 3], data: Float64Array.from(x) };
        let ref: Uint8Array | null = null;
        for (const [name, g] of gens) {
          const r = await g.witness(input, {});
          const [acc, y, mx, am] = r.outputs.map((t) => [...t.data]);
          expect(acc, `${name}: acc for ${x}`).toEqual(want.acc);
          expect(y, name).toEqual(want.y);
          expect(mx, name).toEqual([want.mx]);
          expect(am, name).toEqual([want.am]);
          const bytes = r.wtns.slice();
          if (ref) expect(Buffer.compare(Buffer.from(bytes), Buffer.from(ref)), `${name} against js for ${x}`).toBe(0);
          else ref = bytes;
        }
        const w = witnessValues(readWtns(ref!));
        expect(checkR1cs(r1cs, w).ok).toBe(true);
        // the public outputs are the exact values, as field elements (a negative one is p − |v|)
        const mod = (v: bigint) => ((v % P) + P) % P;
        expect(w.slice(1, 3)).toEqual(want.acc.map(mod));
      }
    } finally {
      await Promise.all(gens.map(([, g]) => g.close()));
    }
  });

  it("a witness off by one (or by 2^53) in a wide wire is refused", async () => {
    const g = await witnessGenerator(plan, { backend: "wasm", threads: 1 });
    try {
      const w = witnessValues(readWtns((await g.witness({ shape: [1, 3], data: Float64Array.of(7, 8, 9) }, {})).wtns));
      const emits = plan.steps.filter((s) => s.kind === "emit");
      expect(emits.length).toBeGreaterThan(0);
      for (const s of emits)
        for (const d of [1n, -1n, 2n ** 53n, 2n ** 98n])
          expect(checkR1cs(r1cs, withWire(w, s.wire, (w[s.wire]! + d) % P)).ok, `wire ${s.wire} moved by ${d}`).toBe(
            false,
          );
      // and the max's running maximum, a wide wire of its own
      const max = plan.steps.find((s) => s.kind === "max")!;
      if (max.kind !== "max") throw new Error("no max step");
      const at = max.wire + max.nBits;
      expect(checkR1cs(r1cs, withWire(w, at, (w[at]! + 1n) % P)).ok).toBe(false);
    } finally {
      await g.close();
    }
  });
});

// digits_mlp at 32-bit weights and activations: accumulators near 2^65
const MLP = { onnx: fixture("digits_mlp", "model.onnx"), calibration: fixture("digits_mlp", "calibration.json") };
const SAMPLES = JSON.parse(readFileSync(fixture("digits_mlp", "samples.json"), "utf8")) as {
  inputs: number[][];
  outputs: number[][];
};
const WIDE_FLAGS = ["--activation-bits", "32", "--weight-bits", "32"];

function compileMlp32(opts: Partial<CompileModelOptions> = {}): CompiledModel {
  return compileModel(
    readFileSync(MLP.onnx),
    JSON.parse(readFileSync(MLP.calibration, "utf8")),
    { ...DEFAULT_COMPILE, activationBits: 32, weightBits: 32, ...opts },
    { model: "digits_mlp", calibration: "c" },
  );
}

/** A scratch directory with sample k as in.json, and the CLI, each command required to succeed. */
function cliScratch(prefix: string, k: number): { dir: string; input: string; ok: (args: string[]) => Run } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const input = path.join(dir, "in.json");
  writeFileSync(input, JSON.stringify({ input: SAMPLES.inputs[k] }));
  const ok = (args: string[]) => {
    const r = zkinfer(args);
    expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    return r;
  };
  return { dir, input, ok };
}

/** compile (32-bit, with `flags`), setup and prove of sample k: the model and proof directories. */
function proveMlp32(prefix: string, k: number, flags: string[] = []) {
  const c = cliScratch(prefix, k);
  const m = path.join(c.dir, "m"),
    p = path.join(c.dir, "p");
  c.ok(["compile", MLP.onnx, "--calibration", MLP.calibration, ...WIDE_FLAGS, ...flags, "-o", m]);
  c.ok(["setup", m]);
  c.ok(["prove", m, "--input", c.input, "-o", p]);
  return { ...c, m, p, proofArgs: ["--proof", path.join(p, "proof.json"), "--public", path.join(p, "public.json")] };
}

describe("a bundled model at 32-bit weights and activations", () => {
  it("agrees with the float model, its witness satisfies its R1CS on every backend's bytes", async () => {
    const compiled = compileMlp32();
    const plan = compiled.circuit.plan;
    const wide = plan.tensors.filter(isWide);
    expect(wide.some((t) => Math.max(-t.lo, t.hi) > 2 ** 60)).toBe(true);
    const r1cs = toSparse(compiled.circuit.r1cs);
    const g = await witnessGenerator(plan, { backend: "wasm", threads: 1 });
    const js = await witnessGenerator(plan, { backend: "js" });
    try {
      let worst = 0;
      for (const [i, x] of SAMPLES.inputs.slice(0, 8).entries()) {
        const q = quantizeInput(x, qinputOf(compiled.meta.input), false).tensor;
        const r = await g.witness(q, {});
        expect(Buffer.compare(Buffer.from(r.wtns), Buffer.from((await js.witness(q, {})).wtns))).toBe(0);
        expect(checkR1cs(r1cs, witnessValues(readWtns(r.wtns))).ok).toBe(true);
        const out = dequantize(r.outputs[0]!, compiled.meta.outputs[0]!.scale);
        const want = SAMPLES.outputs[i]!;
        const argmax = (v: readonly number[]) => v.indexOf(Math.max(...v));
        expect(argmax(out)).toBe(argmax(want));
        worst = Math.max(worst, ...out.map((v, k) => Math.abs(v - want[k]!)));
      }
      // 32 bits keep the float model's outputs to float32 rounding
      expect(worst).toBeLessThan(1e-4);
    } finally {
      await g.close();
      await js.close();
    }
  });

  it("proves and verifies through the CLI, snarkjs verifying the proof of its wide public outputs", () => {
    const { m, p, ok, proofArgs } = proveMlp32("zk-wide-", 0);
    const pub = JSON.parse(readFileSync(path.join(p, "public.json"), "utf8")) as string[];
    // the logits are public and past 2^53: each as its exact field element
    expect(
      pub.some((s) => {
        const v = BigInt(s);
        return v > 2n ** 53n && v < P - 2n ** 53n;
      }),
    ).toBe(true);
    expect(ok(["verify", m, ...proofArgs]).stdout).toMatch(/proof is VALID/);
    const s = snarkjsCli([
      "groth16",
      "verify",
      path.join(m, "verification_key.json"),
      path.join(p, "public.json"),
      path.join(p, "proof.json"),
    ]);
    expect(s.stdout).toMatch(/OK/);
  }, 120_000);

  it("hashed and private parameters past 2^53: range checks exactly their slots, exact witness on every backend", async () => {
    for (const paramVisibility of ["hashed", "private"] as const) {
      const compiled = compileMlp32({ paramVisibility });
      const plan = compiled.circuit.plan;
      const params = compiled.circuit.params;
      // a bias at the accumulator's scale is wide: its slot holds 2^bits values, and its range
      // check must allow exactly those (one bit more, past 2^53 by rounding, let a value carry
      // into its neighbour's slot and open a hashed commitment to other weights)
      expect(params.some((p) => p.bits > 53 || Math.abs(p.lo) > 2 ** 53)).toBe(true);
      const steps = plan.steps.filter((st) => st.kind === "param");
      expect(steps.length).toBe(params.length);
      steps.forEach((st, i) => {
        if (st.kind !== "param") throw new Error("not a param step");
        expect(st.range.nBits, `${params[i]!.node} ${params[i]!.part}`).toBe(params[i]!.bits);
        expect(st.range.offset).toBe(-params[i]!.lo);
      });
      for (const st of plan.steps)
        if (st.kind === "commit") for (const part of st.parts) if (part.check) expect(part.check.nBits).toBe(part.bits);
      const r1cs = toSparse(compiled.circuit.r1cs);
      const x = quantizeInput(SAMPLES.inputs[1]!, qinputOf(compiled.meta.input), false).tensor;
      const salts = { input: 5n, output: 7n };
      const wtns: Buffer[] = [];
      for (const backend of ["js", "wasm"]) {
        const g = await witnessGenerator(plan, { backend, threads: 1 });
        try {
          wtns.push(Buffer.from((await g.witness(x, salts)).wtns));
        } finally {
          await g.close();
        }
      }
      expect(Buffer.compare(wtns[0]!, wtns[1]!), paramVisibility).toBe(0);
      expect(checkR1cs(r1cs, witnessValues(readWtns(wtns[0]!))).ok, paramVisibility).toBe(true);
    }
  });

  it("a split never cuts at a wide tensor, and the chain runs as the whole model", () => {
    const { dir, input, ok } = cliScratch("zk-wide-split-", 0);
    const split = path.join(dir, "m"),
      whole = path.join(dir, "whole");
    const compile = ["compile", MLP.onnx, "--calibration", MLP.calibration, ...WIDE_FLAGS];
    // every cut point left (the wide accumulators are none)
    ok([...compile, "--segments", "4", "-o", split]);
    ok([...compile, "-o", whole]);
    const run = (d: string) =>
      (JSON.parse(ok(["run", d, "--input", input, "--json"]).stdout) as { output: number[] }).output;
    const a = run(split),
      b = run(whole);
    expect(a.length).toBe(10);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
  }, 120_000);

  it("a hashed wide output opens exactly: output.json's integers, and a changed one is no opening", () => {
    const { dir, m, p, proofArgs } = proveMlp32("zk-wide-hashed-", 2, ["--output-visibility", "hashed"]);
    const file = path.join(p, "output.json");
    const opening = JSON.parse(readFileSync(file, "utf8")) as { integers: string[][] };
    expect(opening.integers[0]!.some((s) => BigInt(s) > 2n ** 53n || BigInt(s) < -(2n ** 53n))).toBe(true);
    const verify = (f: string) => zkinfer(["verify", m, ...proofArgs, "--output", f]);
    const ok = verify(file);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/MATCH output: .* is the committed output/);
    // one more in a value no double tells apart from its neighbour: still not the committed output
    opening.integers[0]![0] = (BigInt(opening.integers[0]![0]!) + 1n).toString();
    const forged = path.join(dir, "forged.json");
    writeFileSync(forged, JSON.stringify(opening));
    expect(verify(forged).stdout).toMatch(/MISMATCH output: .* does not match the proof's output commitment/);
  }, 120_000);
});
