/**
 * The verifier page in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) loads dist/verifier/ from a local server and verifies a real proof, a
 * tampered one, and the broken inputs `zkinfer verify` also refuses; and a split model's chain
 * (3 segments of digits_mlp), real and tampered, its files in one drop or several. Screenshots go to
 * test/artifacts/. Without /usr/bin/chromium these tests are skipped, unless
 * ZKINFER_REQUIRE_BROWSER=1 (set by .ci/run, which installs it) makes that a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileSplitToDir, compileToDir } from "../../src/artifacts.js";
import { proveSplit, setupSplit } from "../../src/prove/chain.js";
import { setupDir } from "../../src/prove/setup.js";
import { proveDir } from "../../src/prove/prove.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";
import { serve, type Served } from "../helpers/serve.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.ZKINFER_REQUIRE_BROWSER === "1")
  throw new Error(`${CHROMIUM} is missing and ZKINFER_REQUIRE_BROWSER=1: install Debian's chromium package`);

const site = path.resolve("dist/verifier");
const artifacts = path.resolve("test/artifacts");
const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-browser-"));
const f = (...p: string[]) => path.join(root, ...p);

describe.skipIf(!haveChromium)("verifier page in Chromium", () => {
  let browser: Browser;
  let server: Served;
  let expectedArgmax = -1;
  let chainArgmax = -1;
  const mlp = f("mlp"),
    cancer = f("cancer"),
    hidden = f("hidden"),
    split = f("split"),
    chainProof = f("chain");

  beforeAll(async () => {
    expect(existsSync(path.join(site, "index.html")), "dist/verifier/index.html (npm run build:verifier)").toBe(true);
    mkdirSync(artifacts, { recursive: true });
    await compileToDir(
      fixture("digits_mlp", "model.onnx"),
      fixture("digits_mlp", "calibration.json"),
      mlp,
      DEFAULT_COMPILE,
    );
    await setupDir(mlp, {});
    writeFileSync(f("input.json"), JSON.stringify({ input: loadSamples("digits_mlp").inputs[4] }));
    const p = await proveDir(mlp, f("input.json"), {});
    expectedArgmax = p.values[0]!.indexOf(Math.max(...p.values[0]!));
    // a second circuit, for "a key for a different circuit"
    await compileToDir(
      fixture("cancer_logreg", "model.onnx"),
      fixture("cancer_logreg", "calibration.json"),
      cancer,
      DEFAULT_COMPILE,
    );
    await setupDir(cancer, {});
    // everything committed: a salted input, hashed params, a salted output
    await compileToDir(fixture("cancer_logreg", "model.onnx"), fixture("cancer_logreg", "calibration.json"), hidden, {
      ...DEFAULT_COMPILE,
      inputVisibility: "hashed",
      paramVisibility: "hashed",
      outputVisibility: "hashed",
    });
    await setupDir(hidden, {});
    writeFileSync(f("cancer-in.json"), JSON.stringify({ input: loadSamples("cancer_logreg").inputs[0] }));
    writeFileSync(f("cancer-other.json"), JSON.stringify({ input: loadSamples("cancer_logreg").inputs[1] }));
    await proveDir(hidden, f("cancer-in.json"), {});
    // digits_mlp in 3 segments, for the chain's path
    await compileSplitToDir(
      fixture("digits_mlp", "model.onnx"),
      fixture("digits_mlp", "calibration.json"),
      split,
      DEFAULT_COMPILE,
      { segments: 3 },
    );
    await setupSplit(split);
    const c = await proveSplit(split, f("input.json"), { outDir: chainProof });
    chainArgmax = c.values[0]!.indexOf(Math.max(...c.values[0]!));
    server = await serve(site);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
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
    rmSync(root, { recursive: true, force: true });
    await releaseCurve();
  });

  /** Opens a fresh page, gives it these files, and waits for a verdict or an error. */
  async function check(files: string[]): Promise<{ page: Page; status: string; error: string }> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.setInputFiles("#files", files);
    await page.waitForFunction(
      () => {
        const s = document.getElementById("status")!.dataset.state;
        return (
          s === "valid" ||
          s === "invalid" ||
          !document.getElementById("error")!.hidden ||
          document.querySelector("#received .missing") !== null
        );
      },
      null,
      { timeout: 60_000 },
    );
    expect(errors, "uncaught errors in the page").toEqual([]);
    const visible = async (sel: string) =>
      (await page.isVisible(sel)) ? ((await page.textContent(sel)) ?? "").trim() : "";
    return { page, status: await visible("#status"), error: await visible("#error") };
  }

  const files = (dir: string, proofDir = dir) => [
    path.join(dir, "verification_key.json"),
    path.join(proofDir, "proof.json"),
    path.join(proofDir, "public.json"),
    path.join(dir, "model.json"),
  ];

  it("shows VALID, the argmax and the time for a real proof, computed in the page", async () => {
    const { page, status } = await check(files(mlp));
    expect(status).toBe("VALID");
    expect((await page.textContent("#argmax"))?.trim()).toBe(String(expectedArgmax));
    expect(await page.locator("#chart .bar").count()).toBe(10);
    expect(await page.locator("#chart .bar.top").count()).toBe(1);
    expect((await page.textContent("#sha"))?.trim()).toBe(
      JSON.parse(readFileSync(path.join(mlp, "model.json"), "utf8")).model.sha256,
    );
    const ms = Number((await page.textContent("#time"))!.replace(/ ms$/, ""));
    expect(ms).toBeGreaterThan(0);
    console.log(`verifier page: proof verified in Chromium in ${ms} ms`);
    await page.screenshot({ path: path.join(artifacts, "verifier-valid.png"), fullPage: true });
    // the page fetched only its own files: no proof data left the browser
    expect(server.requests.every((r) => r.startsWith("GET "))).toBe(true);
    await page.close();
  });

  it("shows INVALID for a proof with one public signal changed", async () => {
    const pub = JSON.parse(readFileSync(path.join(mlp, "public.json"), "utf8")) as string[];
    pub[expectedArgmax] = (BigInt(pub[expectedArgmax]!) + 1n).toString();
    mkdirSync(f("tampered"), { recursive: true });
    writeFileSync(f("tampered", "public.json"), JSON.stringify(pub));
    writeFileSync(f("tampered", "proof.json"), readFileSync(path.join(mlp, "proof.json")));
    const { page, status } = await check(files(mlp, f("tampered")));
    expect(status).toBe("INVALID");
    await page.screenshot({ path: path.join(artifacts, "verifier-invalid.png"), fullPage: true });
    await page.close();
  });

  it("checks the openings it is given (input + salt, the ONNX model, output.json) against the commitments", async () => {
    const openings = [
      f("cancer-in.json"),
      path.join(hidden, "input_salt.json"),
      path.join(hidden, "output.json"),
      fixture("cancer_logreg", "model.onnx"),
    ];
    let { page, status } = await check([...files(hidden), ...openings]);
    expect(status).toBe("VALID");
    const checks = async () =>
      page.$$eval("#checks li", (els) => els.map((e) => `${(e as HTMLElement).dataset.what}:${e.className}`));
    expect(await checks()).toEqual(["input:match", "params:match", "output:match"]);
    expect((await page.textContent("#vkhash"))?.trim()).toBe(
      JSON.parse(readFileSync(path.join(hidden, "model.json"), "utf8")).identity.verificationKeySha256,
    );
    await page.close();
    // another input under the same salt is not the committed one
    ({ page, status } = await check([...files(hidden), f("cancer-other.json"), path.join(hidden, "input_salt.json")]));
    expect(status).toBe("VALID");
    expect(await checks()).toEqual(["input:mismatch"]);
    await page.close();
  });

  it("refuses broken inputs with a message naming the problem", async () => {
    // a missing file: the page says which one it still needs
    let r = await check(files(mlp).slice(0, 3));
    expect(r.status).toBe("");
    expect(await r.page.textContent("#received")).toMatch(/model\.json: still needed/);
    await r.page.close();
    // malformed JSON
    mkdirSync(f("bad"), { recursive: true });
    writeFileSync(f("bad", "proof.json"), '{"pi_a": [');
    r = await check([...files(mlp).filter((x) => !x.endsWith("proof.json")), f("bad", "proof.json")]);
    expect(r.error).toMatch(/proof\.json is not valid JSON/);
    await r.page.close();
    // a key for a different circuit
    r = await check([path.join(cancer, "verification_key.json"), ...files(mlp).slice(1)]);
    expect(r.error).toMatch(/the verification key is not this model's/);
    await r.page.close();
    // a proof point that is not on the curve
    const proof = JSON.parse(readFileSync(path.join(mlp, "proof.json"), "utf8")) as { pi_a: string[] };
    proof.pi_a[1] = (BigInt(proof.pi_a[1]!) + 1n).toString();
    writeFileSync(f("bad", "proof.json"), JSON.stringify(proof));
    r = await check([...files(mlp).filter((x) => !x.endsWith("proof.json")), f("bad", "proof.json")]);
    expect(r.status).toBe("INVALID");
    expect(await r.page.textContent("#reason")).toMatch(/pi_a is not on the curve/);
    await r.page.close();
  });

  const segmentFiles = (i: number) => [
    path.join(split, "segments", String(i), "model.json"),
    path.join(split, "segments", String(i), "verification_key.json"),
  ];
  /** a split model's files, the segments' in reverse order: the page matches them by their hashes, not their order */
  const chainFiles = (proofDir = chainProof) => [
    path.join(split, "manifest.json"),
    ...[2, 1, 0].flatMap(segmentFiles),
    path.join(proofDir, "proof.json"),
    path.join(proofDir, "public.json"),
  ];
  const tamperChain = (name: string, edit: (signals: string[]) => void) => {
    const pub = JSON.parse(readFileSync(path.join(chainProof, "public.json"), "utf8")) as { signals: string[] };
    edit(pub.signals);
    mkdirSync(f(name), { recursive: true });
    writeFileSync(f(name, "public.json"), JSON.stringify(pub));
    writeFileSync(f(name, "proof.json"), readFileSync(path.join(chainProof, "proof.json")));
    return f(name);
  };

  it("verifies a split model's chain: VALID, the segments, the split id and the model's outputs", async () => {
    const { page, status, error } = await check(chainFiles());
    expect(error).toBe("");
    expect(status).toBe("VALID");
    const manifest = JSON.parse(readFileSync(path.join(split, "manifest.json"), "utf8")) as {
      splitId: string;
      model: { sha256: string };
    };
    expect((await page.textContent("#segments"))?.trim()).toBe("3");
    expect((await page.textContent("#splitid"))?.trim()).toBe(manifest.splitId);
    expect((await page.textContent("#sha"))?.trim()).toBe(manifest.model.sha256);
    expect((await page.textContent("#argmax"))?.trim()).toBe(String(chainArgmax));
    expect(await page.locator("#chart .bar").count()).toBe(10);
    // one key per segment: the single circuit's key row is not shown
    expect(await page.isVisible("#vkhash")).toBe(false);
    expect(await page.locator("#received .got").count()).toBe(9);
    const ms = Number((await page.textContent("#time"))!.replace(/ ms$/, ""));
    console.log(`verifier page: a 3-segment chain verified in Chromium in ${ms} ms`);
    await page.screenshot({ path: path.join(artifacts, "verifier-chain-valid.png"), fullPage: true });
    await page.close();
  });

  it("shows INVALID with the reason for a chain with a changed signal or a broken link", async () => {
    const segment = (i: number) =>
      JSON.parse(readFileSync(path.join(split, "segments", String(i), "model.json"), "utf8")) as {
        publicSignals: { count: number; layout: { role: string; offset: number }[] };
      };
    const counts = [0, 1, 2].map((i) => segment(i).publicSignals.count);
    const manifest = JSON.parse(readFileSync(path.join(split, "manifest.json"), "utf8")) as {
      segments: { chainIn: number | null; chainOut: number | null }[];
    };
    const bump = (s: string) => (BigInt(s) + 1n).toString();
    // one of the model's outputs, in the last segment's signals
    const output = counts[0]! + counts[1]! + segment(2).publicSignals.layout.find((e) => e.role === "output")!.offset;
    const changed = tamperChain("chain-signal", (s) => (s[output + 3] = bump(s[output + 3]!)));
    let { page, status } = await check(chainFiles(changed));
    expect(status).toBe("INVALID");
    expect(await page.textContent("#reason")).toMatch(/segment 2's proof does not verify against its key/);
    await page.screenshot({ path: path.join(artifacts, "verifier-chain-invalid.png"), fullPage: true });
    await page.close();
    const into = counts[0]! + manifest.segments[1]!.chainIn!;
    const broken = tamperChain("chain-link", (s) => (s[into] = bump(s[into]!)));
    ({ page, status } = await check(chainFiles(broken)));
    expect(status).toBe("INVALID");
    expect(await page.textContent("#reason")).toMatch(/the chain is broken between segments 0 and 1/);
    await page.close();
  });

  it("takes a chain's files over several drops, and refuses a segment file of another model by name", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    // the segments' files before the manifest: held until it says which segment each is
    await page.setInputFiles("#files", segmentFiles(1));
    await page.setInputFiles("#files", [path.join(split, "manifest.json"), path.join(chainProof, "proof.json")]);
    await page.waitForFunction(() => document.querySelector("#received [data-role='manifest'].got") !== null);
    expect(await page.textContent("#received")).toMatch(/segments\/0\/model\.json: still needed/);
    expect(await page.locator("#received [data-role='model:1'].got").count()).toBe(1);
    // a model.json of another model (the single digits_mlp circuit) fits no segment
    await page.setInputFiles("#files", [path.join(mlp, "model.json")]);
    await page.waitForFunction(() => !document.getElementById("error")!.hidden);
    expect(await page.textContent("#error")).toMatch(/model\.json belongs to no segment of this split model/);
    await page.setInputFiles("#files", [...segmentFiles(0), ...segmentFiles(2), path.join(chainProof, "public.json")]);
    await page.waitForFunction(() => document.getElementById("status")!.dataset.state === "valid", null, {
      timeout: 60_000,
    });
    expect(errors).toEqual([]);
    await page.close();
  });
});
