/**
 * Split proving (compile --segments / --max-constraints): where the graph may be cut, digits_mlp
 * in 3 segments in every visibility of its ends (compile, setup, run, prove, verify; plain
 * snarkjs verifies each segment's files; every segment circuit passes the soundness audits),
 * and each way of tampering with a chain rejected with an error naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compileSplitToDir, compileToDir, readModelMeta, readPlan, type CompiledDir } from "../../src/artifacts.js";
import { DEFAULT_COMPILE, compileModel, prepareModel } from "../../src/circuit/compile-model.js";
import { cutCandidates, planSplit, segmentGraph, type Cut } from "../../src/circuit/split.js";
import { compileSplit, type CompiledSplit } from "../../src/circuit/compile-split.js";
import { compileCircuit } from "../../src/circuit/compile.js";
import { auditDeterminacy, auditOpenings } from "../../src/circuit/audit.js";
import { importOnnx } from "../../src/model/import.js";
import { calibrate } from "../../src/quantize/calibration.js";
import { quantize, DEFAULT_QUANTIZE } from "../../src/quantize/quantize.js";
import { proveSplit, runSplit, setupSplit } from "../../src/prove/chain.js";
import { verifySplitDir } from "../../src/verify/verify.js";
import { verifyChainFiles } from "../../src/verify/browser.js";
import { runPlan } from "../../src/witness/witness.js";
import { loadInput } from "../../src/prove/prove.js";
import { releaseCurve } from "../../src/prove/curve.js";
import type { InputVisibility, OutputVisibility } from "../../src/meta/model.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";
import { encodeOnnx, randomTensor, rng } from "../helpers/onnx.js";
import { snarkjsCli, zkinfer } from "../helpers/cli.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-split-"));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

const model = fixture("digits_mlp", "model.onnx");
const calibration = fixture("digits_mlp", "calibration.json");
const inputFile = path.join(root, "input.json");
writeFileSync(inputFile, JSON.stringify({ input: loadSamples("digits_mlp").inputs[3] }));
const readJson = (f: string) => JSON.parse(readFileSync(f, "utf8")) as Record<string, unknown>;

async function split(name: string, input: InputVisibility, output: OutputVisibility, segments = 3) {
  const dir = path.join(root, name);
  const opts = { ...DEFAULT_COMPILE, inputVisibility: input, outputVisibility: output };
  const c = await compileSplitToDir(model, calibration, dir, opts, { segments });
  return { dir, c: c as Extract<CompiledDir, { kind: "split" }> };
}

/** MatMul/ReLU layers, wide and narrow by turns (8, 48, 4, 48, 4, 48, 4, 3), and the seeded rng that drew them. */
function stackModel(): { onnx: Uint8Array; r: () => number } {
  const r = rng(11);
  const widths = [8, 48, 4, 48, 4, 48, 4, 3];
  const onnx = encodeOnnx({
    inputs: [{ name: "x", shape: [1, widths[0]!] }],
    initializers: widths.slice(1).map((w, i) => randomTensor(`W${i}`, [widths[i]!, w], r)),
    nodes: widths
      .slice(1)
      .flatMap((_, i) => [
        { opType: "MatMul", inputs: [i === 0 ? "x" : `a${i - 1}`, `W${i}`], outputs: [`m${i}`] },
        ...(i < widths.length - 2 ? [{ opType: "Relu", inputs: [`m${i}`], outputs: [`a${i}`] }] : []),
      ]),
    outputs: [{ name: `m${widths.length - 2}` }],
  });
  return { onnx, r };
}

describe("where a graph is cut", () => {
  it("only where one tensor crosses: never inside a residual block", () => {
    const r = rng(7);
    const onnx = encodeOnnx({
      inputs: [{ name: "x", shape: [1, 6] }],
      initializers: [randomTensor("W1", [6, 6], r), randomTensor("W2", [6, 6], r), randomTensor("W3", [6, 3], r)],
      nodes: [
        { opType: "MatMul", inputs: ["x", "W1"], outputs: ["m1"] },
        { opType: "Relu", inputs: ["m1"], outputs: ["a"] },
        { opType: "MatMul", inputs: ["a", "W2"], outputs: ["m2"] },
        { opType: "Relu", inputs: ["m2"], outputs: ["b"] },
        { opType: "Add", inputs: ["a", "b"], outputs: ["c"] },
        { opType: "Relu", inputs: ["c"], outputs: ["d"] },
        { opType: "MatMul", inputs: ["d", "W3"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    });
    const graph = importOnnx(onnx, "residual").graph;
    const samples = Array.from({ length: 8 }, () => ({ shape: [1, 6], data: Float64Array.from({ length: 6 }, r) }));
    const q = quantize(graph, calibrate(graph, samples), DEFAULT_QUANTIZE);
    const crossing = cutCandidates(q).map((c) => c.value.name);
    // the block's input `a` is alive beside its branch until the Add: no cut between them
    expect(crossing).toContain("a");
    const inside = q.nodes.slice(
      q.nodes.findIndex((n) => n.output === "a") + 1,
      q.nodes.findIndex((n) => n.output === "c"),
    );
    for (const n of inside) expect(crossing).not.toContain(n.output);
    expect(
      crossing.some((name) => q.nodes.findIndex((n) => n.output === name) > q.nodes.findIndex((n) => n.output === "c")),
    ).toBe(true);
  });

  it("--max-constraints takes the fewest segments under the limit, and of those the cuts adding the fewest constraints", () => {
    // wide and narrow layers by turns: an even split would cut a wide tensor, the cheapest a narrow one
    const { onnx, r } = stackModel();
    const graph = importOnnx(onnx, "stack").graph;
    const samples = Array.from({ length: 8 }, () => ({ shape: [1, 8], data: Float64Array.from({ length: 8 }, r) }));
    const q = quantize(graph, calibrate(graph, samples), DEFAULT_QUANTIZE);
    const after: number[] = [];
    const total = compileCircuit(q, { ...DEFAULT_COMPILE, dry: true, onNode: (i, c) => (after[i] = c) }).nConstraints;
    const cands = cutCandidates(q);
    const estimates = (cuts: readonly Cut[]) =>
      [null, ...cuts].map((a, i) => {
        const b = cuts[i] ?? null;
        return (b ? after[b.after]! + b.cost.out : total) - (a ? after[a.after]! - a.cost.in : 0);
      });
    // every set of cuts, by brute force
    const subsets = (from: number, k: number): Cut[][] =>
      k === 0 ? [[]] : cands.slice(from).flatMap((c, i) => subsets(from + i + 1, k - 1).map((rest) => [c, ...rest]));
    const sum = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);
    for (const limit of [0.45, 0.6, 0.8].map((f) => Math.round(f * total))) {
      const plan = planSplit(q, DEFAULT_COMPILE, { maxConstraints: limit })!;
      const k =
        [...Array(cands.length).keys()].find((n) =>
          subsets(0, n + 1).some((c) => Math.max(...estimates(c)) <= limit),
        )! + 1;
      const fitting = subsets(0, k).filter((c) => Math.max(...estimates(c)) <= limit);
      const least = Math.min(...fitting.map((c) => sum(estimates(c))));
      expect(plan.cuts.length, `limit ${limit}`).toBe(k);
      expect(Math.max(...plan.estimates)).toBeLessThanOrEqual(limit);
      expect(sum(plan.estimates), `limit ${limit}`).toBe(least);
      // and the even split of that many segments would have cost more here
      const even = planSplit(q, DEFAULT_COMPILE, { segments: k + 1 })!;
      expect(sum(even.estimates)).toBeGreaterThanOrEqual(least);
      for (const c of plan.cuts) expect(c.value.shape, c.value.name).toEqual([1, 4]);
    }
  });

  it("--max-constraints: a segment whose estimate fell short of what it compiles to is reported, with its estimate", () => {
    const { onnx, r } = stackModel();
    const calib = { inputs: Array.from({ length: 8 }, () => Array.from({ length: 8 }, r)) };
    const names = { model: "stack.onnx", calibration: "calibration.json" };
    const prepared = prepareModel(onnx, calib, DEFAULT_COMPILE, names);
    const total = compileCircuit(prepared.q, DEFAULT_COMPILE).r1cs.constraints.length;
    const sizesOf = (c: CompiledSplit) => c.segments.map((x) => x.meta.circuit.constraints);
    // a limit the first plan's estimates meet but its compiled segments do not
    let found: { limit: number } | null = null;
    for (let f = 0.3; f < 0.9 && !found; f += 0.02) {
      const plan = planSplit(prepared.q, DEFAULT_COMPILE, { maxConstraints: Math.round(f * total) })!;
      const asPlanned = compileSegmentsFor(plan.cuts);
      const est = Math.max(...plan.estimates);
      if (Math.max(...asPlanned) > est) found = { limit: est };
    }
    expect(found, "a limit where the estimate falls short").not.toBeNull();
    const c = compileSplit(onnx, calib, DEFAULT_COMPILE, names, { maxConstraints: found!.limit }) as CompiledSplit;
    const over = sizesOf(c).flatMap((n, i) => (n > found!.limit ? [i] : []));
    expect(over.length).toBeGreaterThan(0);
    expect(c.warnings).toEqual(
      over.map((i) =>
        expect.stringMatching(
          new RegExp(
            `^segment ${i} has \\d+ constraints, over --max-constraints ${found!.limit}: it was planned at \\d+, and its input's slot costs more than estimated; compile again with a lower limit$`,
          ),
        ),
      ),
    );

    function compileSegmentsFor(cuts: readonly Cut[]): number[] {
      const out: number[] = [];
      let slot: { lo: number; bits: number } | null = null;
      for (let i = 0; i <= cuts.length; i++) {
        const x = compileCircuit(segmentGraph(prepared.q, cuts, i, slot), {
          ...DEFAULT_COMPILE,
          inputVisibility: i === 0 ? DEFAULT_COMPILE.inputVisibility : "hashed",
          outputVisibility: i === cuts.length ? DEFAULT_COMPILE.outputVisibility : "hashed",
          boundary: { ...(slot ? { input: slot } : {}), output: i < cuts.length },
        });
        out.push(x.r1cs.constraints.length);
        const part = x.publicTensors.find((t) => t.role === "output_hash")?.packing?.[0];
        slot = part ? { lo: part.lo, bits: part.bits } : null;
      }
      return out;
    }
  });

  it("keeps a model under --max-constraints one circuit, and refuses more segments than cut points allow", async () => {
    const opts = DEFAULT_COMPILE;
    const c = await compileSplitToDir(model, calibration, path.join(root, "under"), opts, { maxConstraints: 1e6 });
    expect(c.kind).toBe("single");
    const one = compileModel(readFileSync(model), readJson(calibration), opts, { model, calibration });
    expect(c.kind === "single" && c.compiled.meta.circuit.r1csSha256).toBe(one.meta.circuit.r1csSha256);
    await expect(
      compileSplitToDir(model, calibration, path.join(root, "many"), opts, { segments: 40 }),
    ).rejects.toThrow(/--segments 40: this model has \d+ cut points, so at most \d+ segments/);
  });

  it("digits_mlp in 3: each segment passes the determinacy and opening audits; the chain's cost is reported", async () => {
    const { c } = await split("audit", "hashed", "hashed");
    expect(c.manifest.segments).toHaveLength(3);
    for (const s of c.split.segments) {
      expect(auditDeterminacy(s.circuit.r1cs, s.circuit.audit).undetermined).toEqual([]);
      expect(auditOpenings(s.circuit.r1cs, s.circuit.audit).failures).toEqual([]);
    }
    const total = c.manifest.segments.reduce((a, s) => a + s.constraints, 0);
    console.log(
      `digits_mlp in 3 segments: ${c.manifest.segments.map((s) => s.constraints).join(" + ")} = ${total} constraints, unsplit ${c.manifest.unsplitConstraints}`,
    );
    // every cut is a salted commitment on both sides, and the consumer accepts exactly the producer's slot
    for (const [i, cut] of c.manifest.cuts.entries()) {
      const out = c.split.segments[i]!.meta.publicSignals.layout.find((e) => e.role === "output_hash")!;
      const into = c.split.segments[i + 1]!.meta.publicSignals.layout.find((e) => e.role === "input_hash")!;
      expect(out.salt).toBe("output");
      expect(into.salt).toBe("input");
      expect(out.packing).toEqual(into.packing);
      expect(out.packing![0]).toMatchObject(cut.slot);
    }
  });
});

const COMBOS: [InputVisibility, OutputVisibility][] = [
  ["private", "public"],
  ["public", "public"],
  ["hashed", "public"],
  ["private", "hashed"],
  ["public", "hashed"],
  ["hashed", "hashed"],
];

describe.each(COMBOS)("digits_mlp in 3 segments, input %s, output %s", (iv, ov) => {
  let dir: string;
  beforeAll(async () => {
    dir = (await split(`${iv}-${ov}`, iv, ov)).dir;
    await setupSplit(dir);
  });

  it("runs as the unsplit model, proves, and verifies (and plain snarkjs verifies each segment)", async () => {
    const oneDir = path.join(root, `one-${iv}-${ov}`);
    await compileToDir(model, calibration, oneDir, { ...DEFAULT_COMPILE, inputVisibility: iv, outputVisibility: ov });
    const meta = await readModelMeta(oneDir);
    const unsplit = await runPlan(await readPlan(oneDir, meta), (await loadInput(meta, inputFile, false)).tensor);
    const chained = await runSplit(dir, inputFile);
    expect([...chained.outputs[0]!.data]).toEqual([...unsplit[0]!.data]);

    const p = path.join(root, `proof-${iv}-${ov}`);
    const r = await proveSplit(dir, inputFile, { outDir: p });
    expect(r.segments).toHaveLength(3);
    const v = await verifySplitDir(dir, {
      proof: r.proofFile,
      public: r.publicFile,
      ...(iv === "hashed" ? { input: inputFile, inputSalt: path.join(p, "input_salt.json") } : {}),
      ...(ov === "hashed" ? { output: path.join(p, "output.json") } : {}),
    });
    expect(v.reason).toBeUndefined();
    expect(v.valid).toBe(true);
    expect(v.checks.every((c) => c.match)).toBe(true);
    expect(v.checks).toHaveLength((iv === "hashed" ? 1 : 0) + (ov === "hashed" ? 1 : 0));
    if (ov === "public") expect(v.output).toEqual(r.values[0]);
    else expect(v.outputs.find((o) => o.role === "output_hash")?.hash).toBeTruthy();
    for (let i = 0; i < 3; i++) {
      const seg = path.join(p, "segments", String(i));
      const vk = path.join(dir, "segments", String(i), "verification_key.json");
      const s = snarkjsCli(["groth16", "verify", vk, path.join(seg, "public.json"), path.join(seg, "proof.json")]);
      expect(s.stdout).toMatch(/OK!/);
    }
  });
});

describe("a batch on a split model", () => {
  it("proves a chain per input with each segment's key opened once, and every chain verifies with its own output", async () => {
    const dir = path.join(root, "private-public");
    const samples = loadSamples("digits_mlp").inputs;
    const jsonl = path.join(root, "batch.jsonl");
    writeFileSync(jsonl, [5, 6].map((i) => JSON.stringify({ input: samples[i] })).join("\n") + "\n");
    const out = path.join(root, "batch-proofs");
    const r = zkinfer(["prove", dir, "--input", inputFile, "--input", jsonl, "-o", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as { proofs: { id: string; proof: string; public: string; output: number[] }[] };
    expect(res.proofs.map((p) => p.id)).toEqual(["input", "batch-1", "batch-2"]);
    const batch = readJson(path.join(out, "batch.json")) as { segments: number; proofs: { id: string }[] };
    expect(batch.segments).toBe(3);
    expect(batch.proofs.map((p) => p.id)).toEqual(["input", "batch-1", "batch-2"]);
    const outputs = new Set<string>();
    for (const p of res.proofs) {
      const v = await verifySplitDir(dir, { proof: p.proof, public: p.public });
      expect(v.valid, p.id).toBe(true);
      expect(v.output, p.id).toEqual(p.output);
      outputs.add(JSON.stringify(p.output));
    }
    expect(outputs.size, "three inputs, three outputs").toBe(3);
    // the first input's chain says what the single prove of it (above) says
    const single = path.join(root, "proof-private-public");
    const v = await verifySplitDir(dir, {
      proof: path.join(single, "proof.json"),
      public: path.join(single, "public.json"),
    });
    expect(res.proofs[0]!.output).toEqual(v.output);
  });
});

describe("a tampered chain is rejected, naming the problem", () => {
  let dir: string, other: string, p: string;
  beforeAll(async () => {
    // the first combination's chain, and another split of the same model (its middle segment is the same circuit, another key)
    dir = path.join(root, "private-public");
    other = path.join(root, "hashed-hashed");
    p = path.join(root, "proof-private-public");
  });
  const files = (name: string) => ({
    proof: path.join(root, name, "proof.json"),
    public: path.join(root, name, "public.json"),
  });
  const tamper = (edit: (proof: Record<string, unknown>, pub: Record<string, unknown>) => void) => {
    const name = `tamper-${Math.random().toString(36).slice(2)}`;
    cpSync(p, path.join(root, name), { recursive: true });
    const f = files(name);
    const proof = readJson(f.proof),
      pub = readJson(f.public);
    edit(proof, pub);
    writeFileSync(f.proof, JSON.stringify(proof));
    writeFileSync(f.public, JSON.stringify(pub));
    return f;
  };
  type Seg = { index: number; verificationKeySha256: string; proof: unknown };

  it("the honest chain verifies, in zkinfer verify and in the browser module (zkinfer/verify)", async () => {
    expect(
      (await verifySplitDir(dir, { proof: path.join(p, "proof.json"), public: path.join(p, "public.json") })).valid,
    ).toBe(true);
    const text = (f: string) => readFileSync(f, "utf8");
    const r = await verifyChainFiles({
      manifest: text(path.join(dir, "manifest.json")),
      segments: [0, 1, 2].map((i) => ({
        model: text(path.join(dir, "segments", String(i), "model.json")),
        vkey: text(path.join(dir, "segments", String(i), "verification_key.json")),
      })),
      proof: text(path.join(p, "proof.json")),
      publicSignals: text(path.join(p, "public.json")),
    });
    expect(r.valid).toBe(true);
    expect(r.segments).toBe(3);
    expect(r.output).toHaveLength(10);
  });

  it("swapped segment proofs", async () => {
    const f = tamper((proof) => {
      const s = proof.segments as Seg[];
      [s[0]!.proof, s[1]!.proof] = [s[1]!.proof, s[0]!.proof];
    });
    const v = await verifySplitDir(dir, f);
    expect(v.valid).toBe(false);
    expect(v.reason).toMatch(/segment 0's proof does not verify/);
    const g = tamper((proof) => (proof.segments as Seg[]).reverse());
    await expect(verifySplitDir(dir, g)).rejects.toThrow(
      /entry 0 is segment 2's proof: the segments' proofs are out of order/,
    );
  });

  it("a changed intermediate commitment, on one side or on both", async () => {
    const meta = readJson(path.join(dir, "manifest.json")) as { segments: { chainOut: number | null }[] };
    const counts = [0, 1, 2].map(
      (i) =>
        (readJson(path.join(dir, "segments", String(i), "model.json")) as { publicSignals: { count: number } })
          .publicSignals.count,
    );
    const at = meta.segments[0]!.chainOut!;
    const bump = (s: string) => (BigInt(s) + 1n).toString();
    const one = tamper((_proof, pub) => {
      const s = pub.signals as string[];
      s[at] = bump(s[at]!);
    });
    const v1 = await verifySplitDir(dir, one);
    expect(v1.valid).toBe(false);
    expect(v1.reason).toMatch(
      /the chain is broken between segments 0 and 1: segment 0's output commitment \d+ is not segment 1's input commitment \d+/,
    );
    const both = tamper((_proof, pub) => {
      const s = pub.signals as string[];
      const into = counts[0]! + (meta.segments[1] as unknown as { chainIn: number }).chainIn;
      s[at] = bump(s[at]!);
      s[into] = bump(s[into]!);
    });
    const v2 = await verifySplitDir(dir, both);
    expect(v2.valid).toBe(false);
    expect(v2.reason).toMatch(/segment 0's proof does not verify against its key/);
  });

  it("a segment's proof from another split, and a whole proof of another split", async () => {
    const theirs = readJson(path.join(root, "proof-hashed-hashed", "proof.json")).segments as Seg[];
    const f = tamper((proof) => ((proof.segments as Seg[])[1] = theirs[1]!));
    await expect(verifySplitDir(dir, f)).rejects.toThrow(
      /segment 1's proof was made with another key .*: a proof from another model or split/,
    );
    // with our key's hash written over theirs, the pairing check refuses it
    const g = tamper((proof) => {
      const s = proof.segments as Seg[];
      s[1] = { ...theirs[1]!, verificationKeySha256: s[1]!.verificationKeySha256 };
    });
    const v = await verifySplitDir(dir, g);
    expect(v.valid).toBe(false);
    expect(v.reason).toMatch(/segment 1's proof does not verify/);
    await expect(verifySplitDir(dir, files("proof-hashed-hashed"))).rejects.toThrow(/is for another split model/);
    // a segment directory swapped for another split's: its key is not the manifest's
    const mixed = path.join(root, "mixed");
    cpSync(dir, mixed, { recursive: true });
    rmSync(path.join(mixed, "segments", "1"), { recursive: true });
    cpSync(path.join(other, "segments", "1"), path.join(mixed, "segments", "1"), { recursive: true });
    await expect(verifySplitDir(mixed, files(path.relative(root, p)))).rejects.toThrow(
      /segment 1's model.json (is for another circuit than the manifest's|records another key than the manifest)/,
    );
  });

  it("a reordered manifest", async () => {
    const reordered = path.join(root, "reordered");
    cpSync(dir, reordered, { recursive: true });
    const file = path.join(reordered, "manifest.json");
    const m = readJson(file) as { segments: { index: number }[] };
    m.segments.reverse();
    writeFileSync(file, JSON.stringify(m));
    await expect(verifySplitDir(reordered, files(path.relative(root, p)))).rejects.toThrow(
      /the segments are out of order: entry 0 is segment 2/,
    );
    m.segments.forEach((s, i) => (s.index = i));
    writeFileSync(file, JSON.stringify(m));
    await expect(verifySplitDir(reordered, files(path.relative(root, p)))).rejects.toThrow(
      /segment 0 is first but takes a chained input/,
    );
    // an edit that keeps the manifest's shape: a cut's slot widened
    const edited = readJson(path.join(dir, "manifest.json")) as { cuts: { slot: { bits: number } }[] };
    edited.cuts[0]!.slot.bits++;
    writeFileSync(file, JSON.stringify(edited));
    await expect(verifySplitDir(reordered, files(path.relative(root, p)))).rejects.toThrow(
      /does not hash to its split id .*: edited or reordered/,
    );
  });

  it("the CLI: compile --json reports the segments; verify exits 1 on a broken chain and 2 on a foreign proof", () => {
    const out = path.join(root, "cli");
    const c = zkinfer(["compile", model, "-c", calibration, "-o", out, "--segments", "2", "--json"]);
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).segments).toBe(2);
    // prove on a split model without keys sets it up first, as on one circuit, and says so
    const pr = zkinfer(["prove", out, "--input", inputFile, "-o", path.join(out, "p")]);
    expect(pr.code, pr.stderr).toBe(0);
    expect(pr.stderr).toMatch(
      /is a split model without keys: running `zkinfer setup .*` first, with development keys \(development only/,
    );
    const ok = zkinfer([
      "verify",
      out,
      "--proof",
      path.join(out, "p", "proof.json"),
      "--public",
      path.join(out, "p", "public.json"),
    ]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const bad = zkinfer(["compile", model, "-c", calibration, "-o", out, "--segments", "2", "--max-constraints", "5"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-constraints or --segments, not both/);
    const f = tamper((_proof, pub) => {
      const s = pub.signals as string[];
      s[s.length - 1] = (BigInt(s[s.length - 1]!) + 1n).toString();
    });
    const v = zkinfer(["verify", dir, "--proof", f.proof, "--public", f.public]);
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/chain of 3 proofs is INVALID/);
    const w = zkinfer([
      "verify",
      dir,
      ...["--proof", path.join(root, "proof-hashed-hashed", "proof.json")],
      ...["--public", f.public],
    ]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/another split model/);
  });
});
