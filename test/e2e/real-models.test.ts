/**
 * Seven real architectures exported from PyTorch (test/fixtures/real/, made by
 * test/models/real/generate.py), each through zkinfer's stages in order:
 *
 *   onnx      onnxruntime reproduces PyTorch's recorded outputs (checks the fixture itself)
 *   import    zkinfer imports it and its float evaluator reproduces PyTorch
 *   quantize  the integer reference model meets the issue's bar: argmax agrees on ≥ 95 % of
 *             the samples, worst |error| ≤ 5 % of the output's scale (bench/harness/real-models.ts)
 *   run       compiled to a circuit (in a child process), `zkinfer run`'s path (the wasm
 *             witness plan) meets the same bar
 *   prove     setup, prove and verify one sample: tabular_mlp and cnn1d (PROVED_MODELS); the
 *             transformer too with ZKINFER_HEAVY=1 (its power-18 setup takes tens of minutes)
 *
 * Default run: every stage of the small models, and up to `quantize` for the big ones (their
 * circuits have 10^5–10^6+ constraints: ResNet-8 takes 100–340 s and 3.5 GB to compile). Set
 * ZKINFER_HEAVY=1 to run `run` for the big models too; otherwise those tests show as skipped.
 *
 * EXPECTED_FAILURES lists what does not work yet (diagnosed in docs/real-architectures-status.md):
 * from its stage on, a model's tests must fail with the error given. A test that passes when
 * it is expected to fail fails, saying so: then shrink the list.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ort from "onnxruntime-web";

ort.env.wasm.numThreads = 1; // the WebAssembly build in Node, one thread
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { setupDir } from "../../src/prove/setup.js";
import { proveDir } from "../../src/prove/prove.js";
import { verifyDir } from "../../src/verify/verify.js";
import { releaseCurve } from "../../src/prove/curve.js";
import {
  agreement,
  compileAndRunInChild,
  describeAgreement,
  importAndRunFloat,
  loadRealModel,
  meetsBar,
  quantizeModel,
  REAL_FIXTURES,
  REAL_MODELS,
  runReference,
  PROVED_MODELS,
  SMALL_MODELS,
  type RealModel,
  type RealModelName,
} from "../../bench/harness/real-models.js";

const HEAVY = process.env.ZKINFER_HEAVY === "1";
const STAGES = ["onnx", "import", "quantize", "run", "prove"] as const;
type Stage = (typeof STAGES)[number];

/** From `stage` on, every test of the model fails with `error` (today's state; shrink me). */
const EXPECTED_FAILURES: Partial<Record<RealModelName, { stage: Stage; error: RegExp }>> = {};

function expectation(model: RealModelName, stage: Stage): RegExp | null {
  const f = EXPECTED_FAILURES[model];
  return f && STAGES.indexOf(stage) >= STAGES.indexOf(f.stage) ? f.error : null;
}

/** A stage's test: as written, or, when listed in EXPECTED_FAILURES, it must fail with the listed error. */
function stage(
  model: RealModelName,
  name: Stage,
  title: string,
  body: () => Promise<void> | void,
  timeout?: number,
): void {
  const expected = expectation(model, name);
  if (!expected) {
    it(`${name}: ${title}`, body, timeout);
    return;
  }
  it(
    `${name}: ${title} [expected to fail today: ${expected.source.slice(0, 60)}]`,
    async () => {
      let failure: unknown = null;
      try {
        await body();
      } catch (e) {
        failure = e;
      }
      if (failure === null)
        throw new Error(`${model} ${name} now passes: remove it from EXPECTED_FAILURES (or move its stage on)`);
      expect((failure as Error).message).toMatch(expected);
    },
    timeout,
  );
}

function check(m: RealModel, got: number[][], what: string): void {
  const a = agreement(got, m.outputs);
  console.log(`${m.name} ${what}: ${describeAgreement(a)}`);
  if (!meetsBar(a)) throw new Error(`${m.name} ${what} misses the bar: ${describeAgreement(a)}`);
}

const work = mkdtempSync(path.join(os.tmpdir(), "zkinfer-real-"));
afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  await releaseCurve();
});

describe.each(REAL_MODELS)("real architecture %s", (name) => {
  const m = loadRealModel(name);
  const small = (SMALL_MODELS as readonly string[]).includes(name);
  const proved = (PROVED_MODELS as readonly string[]).includes(name);

  stage(name, "onnx", "onnxruntime reproduces PyTorch's outputs", async () => {
    const session = await ort.InferenceSession.create(m.onnx);
    const got: number[][] = [];
    for (const x of m.inputs) {
      const out = await session.run({
        [session.inputNames[0]!]: new ort.Tensor("float32", Float32Array.from(x), m.info.input_shape as number[]),
      });
      got.push(Array.from(out[session.outputNames[0]!]!.data as Float32Array));
    }
    expect(agreement(got, m.outputs).relError).toBeLessThan(1e-4);
  });

  stage(name, "import", "imports; zkinfer's float evaluator reproduces PyTorch", () => {
    const a = agreement(importAndRunFloat(m).outputs, m.outputs);
    expect(a.argmax).toBe(1);
    expect(a.relError).toBeLessThan(1e-4);
  });

  stage(name, "quantize", "the quantized (reference) model agrees with PyTorch", () => {
    check(m, runReference(quantizeModel(m), m.inputs), "quantized reference");
  });

  const runTitle = "compiles; `run` (the witness plan) agrees with PyTorch";
  if (small || HEAVY) {
    stage(
      name,
      "run",
      runTitle,
      async () => {
        // in a child process (dist/, built by the global setup): a compile of minutes would
        // block this worker's event loop and cost vitest its RPC link
        const r = await compileAndRunInChild(name);
        if (r.error) throw new Error(`${r.stage}: ${r.error}`);
        console.log(
          `${name}: ${r.constraints} constraints, ${r.wires} wires, compiled in ${r.compileSeconds!.toFixed(1)} s, ` +
            `peak RSS ${(r.peakRss / 2 ** 20).toFixed(0)} MB, error bound ${r.errorBound}`,
        );
        const a = r.agreement!;
        console.log(`${name} run: ${describeAgreement(a)}`);
        if (!meetsBar(a)) throw new Error(`${name} run misses the bar: ${describeAgreement(a)}`);
      },
      1_800_000,
    );
  } else {
    it.skip(`run: ${runTitle} (big model: set ZKINFER_HEAVY=1, or see bench/real-models.ts)`, () => undefined);
  }

  const proveTitle = "sets up, proves one sample and verifies";
  if (proved || (small && HEAVY)) {
    stage(
      name,
      "prove",
      proveTitle,
      async () => {
        const dir = path.join(work, name);
        await compileToDir(path.join(m.dir, "model.onnx"), path.join(m.dir, "calibration.json"), dir, DEFAULT_COMPILE);
        await setupDir(dir);
        const input = path.join(dir, "input.json");
        writeFileSync(input, JSON.stringify({ input: m.inputs[0] }));
        await proveDir(dir, input, { check: true });
        expect((await verifyDir(dir)).valid).toBe(true);
      },
      1_800_000,
    );
  } else if (small) {
    it.skip(`prove: ${proveTitle} (set ZKINFER_HEAVY=1)`, () => undefined);
  }
});

it("every model in test/fixtures/real/ is listed, once", () => {
  expect([...REAL_MODELS].sort()).toEqual(readdirSync(REAL_FIXTURES).sort());
  expect(new Set(REAL_MODELS).size).toBe(REAL_MODELS.length);
});
