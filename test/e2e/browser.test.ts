/**
 * The verifier page in a real browser: headless Chromium (Debian's package, driven by
 * playwright-core) loads dist/verifier/ from a local server and verifies a real proof, a
 * tampered one, and the broken inputs `zkinfer verify` also refuses. Screenshots go to
 * test/artifacts/. Without /usr/bin/chromium these tests are skipped, unless
 * ZKINFER_REQUIRE_BROWSER=1 (set by .ci/run, which installs it) makes that a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
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
  const mlp = f("mlp"),
    cancer = f("cancer"),
    hidden = f("hidden");

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
});
