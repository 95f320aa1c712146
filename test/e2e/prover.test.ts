/**
 * The proving page in a real browser: headless Chromium (Debian's, driven by playwright-core,
 * WebGPU on SwiftShader with --enable-unsafe-webgpu) loads dist/prover/ from a local server
 * (a secure context, which WebGPU needs) and, for every bundled model, computes the witness,
 * proves and verifies in the page: the witness is the js reference's, byte for byte (by its
 * SHA-256), on WebGPU and on the wasm Worker. The WebGPU kernels also give js's bytes in the
 * page on every op model and fixture plan of the Node equality tests. Proving times are printed;
 * screenshots go to test/artifacts/. Without /usr/bin/chromium these tests are skipped, unless
 * ZKINFER_REQUIRE_BROWSER=1 (set by .ci/run) makes that a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { parsePlan, serializePlan } from "../../src/circuit/plan-json.js";
import { parseModelMeta } from "../../src/meta/model.js";
import { parseInputJson, qinputOf, quantizeInput } from "../../src/quantize/input.js";
import { sizeOf } from "../../src/model/shapes.js";
import { computeWitness } from "../../src/witness/witness.js";
import type { WitnessPlan } from "../../src/circuit/plan.js";
import { asNarrow, type IntTensor } from "../../src/quantize/qgraph.js";
import { serve, type Served } from "../helpers/serve.js";
import { witnessCases } from "../helpers/witness-cases.js";
import { rng } from "../helpers/onnx.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.ZKINFER_REQUIRE_BROWSER === "1")
  throw new Error(`${CHROMIUM} is missing and ZKINFER_REQUIRE_BROWSER=1: install Debian's chromium package`);

const site = path.resolve("dist/prover");
const artifacts = path.resolve("test/artifacts");
const MODELS = ["digits_cnn", "digits_mlp", "cancer_logreg"] as const;

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The js reference's witness of a bundled model for one of its samples, as the page would make it. */
async function expected(id: string, sample: number): Promise<{ sha: string; argmax: number }> {
  const dir = path.join(site, "models", id);
  const meta = parseModelMeta(JSON.parse(readFileSync(path.join(dir, "model.json"), "utf8")), id);
  const plan = parsePlan(readFileSync(path.join(dir, "plan.json"), "utf8"), id);
  const samples = JSON.parse(readFileSync(path.join(dir, "samples.json"), "utf8")) as { inputs: unknown[][] };
  const input = (samples.inputs[sample] as unknown[]).flat(4);
  const q = quantizeInput(parseInputJson({ input }, meta.input.shape, id), qinputOf(meta.input), false, id);
  const w = await computeWitness(plan, q.tensor, { backend: "js" });
  const out = Array.from(asNarrow(w.outputs[0]!, "output").data);
  return { sha: sha256(w.wtns), argmax: out.indexOf(Math.max(...out)) };
}

describe.skipIf(!haveChromium)("proving page in Chromium", () => {
  let browser: Browser;
  let server: Served;

  beforeAll(async () => {
    expect(existsSync(path.join(site, "models", "index.json")), "dist/prover/models (npm run build:prover)").toBe(true);
    mkdirSync(artifacts, { recursive: true });
    server = await serve(site);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--enable-unsafe-webgpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  async function open(query: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${server.url}?${query}`);
    await page.waitForFunction(() => document.body.dataset.ready, null, { timeout: 60_000 });
    expect(await page.getAttribute("body", "data-ready")).toBe("1");
    return { page, errors };
  }

  /** Selects a model and a sample, proves, and waits for the verdict. */
  async function proveIn(page: Page, id: string, sample: number | null): Promise<Record<string, string>> {
    if ((await page.inputValue("#model")) !== id) {
      await page.selectOption("#model", id);
      await page.waitForFunction(
        (m) =>
          document.querySelector(`#samples button[data-sample="0"]`) &&
          (document.getElementById("model") as HTMLSelectElement).value === m &&
          !(document.getElementById("prove") as HTMLButtonElement).disabled,
        id,
      );
    }
    if (sample !== null) await page.click(`#samples button[data-sample="${sample}"]`);
    await page.click("#prove");
    await page.waitForFunction(
      () => ["valid", "invalid", "error"].includes(document.getElementById("status")!.dataset.state ?? ""),
      null,
      { timeout: 120_000 },
    );
    const text = async (sel: string) => ((await page.textContent(sel)) ?? "").trim();
    return {
      status: await text("#status"),
      error: await text("#error"),
      backend: (await page.getAttribute("#witness-time", "data-backend")) ?? "",
      sha: await text("#wtns-sha"),
      argmax: await text("#argmax"),
      prove: await text("#prove-time"),
      witness: await text("#witness-time"),
      steps: await text("#steps"),
    };
  }

  it("proves and verifies every bundled model with the WebGPU witness, the js reference's bytes", async () => {
    const { page, errors } = await open("backend=webgpu");
    expect(await page.textContent("#gpu")).toMatch(/swiftshader|\(browser\)/i);
    for (const id of MODELS) {
      const r = await proveIn(page, id, 3);
      expect(r.error).toBe("");
      expect(r.status).toBe("VALID");
      expect(r.backend).toBe("webgpu");
      const want = await expected(id, 3);
      expect(r.sha).toBe(want.sha);
      if (id !== "cancer_logreg") expect(r.argmax).toBe(String(want.argmax));
      console.log(`proving page, ${id}: witness ${r.witness}, proof ${r.prove} in Chromium`);
      await page.screenshot({ path: path.join(artifacts, `prover-${id}.png`), fullPage: true });
    }
    expect(errors, "uncaught errors in the page").toEqual([]);
    await page.close();
  });

  it("proves on the wasm Worker too (auto on a software adapter), from a drawn digit, with the key from the cache the second time", async () => {
    const { page, errors } = await open("backend=auto");
    let r = await proveIn(page, "digits_cnn", 5);
    expect(r.status).toBe("VALID");
    expect(r.backend).toBe("wasm"); // SwiftShader is a software adapter: auto takes wasm
    expect(r.sha).toBe((await expected("digits_cnn", 5)).sha);
    expect(r.steps).toMatch(/proving key (downloaded|from the cache)/);
    // draw a "1": a vertical stroke down the middle of the pad
    await page.click("#clear");
    const box = (await page.locator("#pad").boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.1);
    await page.mouse.down();
    for (let k = 1; k <= 8; k++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.1 + k * 0.1));
    await page.mouse.up();
    r = await proveIn(page, "digits_cnn", null);
    expect(r.status).toBe("VALID");
    expect(r.steps).toMatch(/proving key from the cache/);
    await page.screenshot({ path: path.join(artifacts, "prover-drawn.png"), fullPage: true });
    expect(errors).toEqual([]);
    // the page asked only for its own files: nothing was sent anywhere
    expect(server.requests.every((q) => q.startsWith("GET /"))).toBe(true);
    await page.close();
  });

  it("the WebGPU kernels in the page give js's .wtns on every op model and fixture plan", async () => {
    const { page } = await open("backend=webgpu");
    const cases = witnessCases();
    const r = rng(77);
    let refused = 0;
    for (const c of cases) {
      const n = sizeOf(c.shape);
      const data = Array.from({ length: n }, () => c.range[0] + Math.floor(r() * (c.range[1] - c.range[0] + 1)));
      const input: IntTensor = { shape: c.shape, data: Float64Array.from(data) };
      // a witness, or for an input outside a rescale's window the same refusal (in the reference's words)
      const want = await computeWitness(c.plan, input, { backend: "js" }, { input: 1n, output: 2n }).then(
        (w) => ({ sha: sha256(w.wtns), refusal: null }),
        (e: Error) => ({ sha: null, refusal: e.message }),
      );
      const got = await page
        .evaluate(
          ([text, values]) =>
            (
              window as unknown as {
                zkinferProver: {
                  witness(p: string, v: number[], b: string): Promise<{ sha256: string; backend: string }>;
                };
              }
            ).zkinferProver.witness(text, values, "webgpu"),
          [serializePlan(c.plan as WitnessPlan), data] as const,
        )
        .then(
          (g) => ({ ...g, refusal: null }),
          (e: Error) => ({ sha256: null, backend: "webgpu", refusal: e.message }),
        );
      expect(got.backend, c.name).toBe("webgpu");
      if (want.refusal === null) expect(got.sha256, c.name).toBe(want.sha);
      else {
        expect(want.refusal, c.name).toMatch(/the window the circuit holds it to/);
        expect(got.refusal, c.name).toContain(want.refusal);
        refused++;
      }
    }
    console.log(
      `proving page: WebGPU in Chromium matched js on ${cases.length} plans (${refused} inputs refused by both)`,
    );
    await page.close();
  });
});
