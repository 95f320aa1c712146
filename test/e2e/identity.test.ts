/**
 * Model identity: model.json records the architecture, circuit and verification-key hashes;
 * verify refuses a key that is not the model's and says which model a proof is for.
 */
import { afterAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { setupDir } from "../../src/prove/setup.js";
import { proveDir } from "../../src/prove/prove.js";
import { verifyDir } from "../../src/verify/verify.js";
import { readModelMeta } from "../../src/artifacts.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { mapInitializer } from "../../src/model/onnx.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";
import { zkinfer } from "../helpers/cli.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-id-"));
const f = (...p: string[]) => path.join(root, ...p);
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

describe("model identity", () => {
  it("records the hashes, refuses another model's key, and reports which model a proof is for", async () => {
    const model = fixture("cancer_logreg", "model.onnx"),
      cal = fixture("cancer_logreg", "calibration.json");
    writeFileSync(f("in.json"), JSON.stringify({ input: loadSamples("cancer_logreg").inputs[0] }));
    await compileToDir(model, cal, f("a"), { ...DEFAULT_COMPILE, paramVisibility: "hashed" });
    expect((await readModelMeta(f("a"))).identity.verificationKeySha256).toBeNull();
    await setupDir(f("a"));
    const meta = await readModelMeta(f("a"));
    expect(meta.identity.verificationKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.identity.circuitSha256).toBe(meta.circuit.r1csSha256);
    expect(JSON.parse(readFileSync(f("a", "setup.json"), "utf8")).verificationKeySha256).toBe(
      meta.identity.verificationKeySha256,
    );
    await proveDir(f("a"), f("in.json"));
    const ok = await verifyDir(f("a"));
    expect(ok.valid).toBe(true);
    expect(ok.model).toEqual({
      name: "model.onnx",
      onnxSha256: meta.model.sha256,
      architectureSha256: meta.identity.architectureSha256,
      circuitSha256: meta.circuit.r1csSha256,
      verificationKeySha256: meta.identity.verificationKeySha256,
    });
    const cli = zkinfer(["verify", f("a")]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`architecture ${meta.identity.architectureSha256}`);

    // the same architecture with slightly other weights (same scales): same architecture hash, another key
    writeFileSync(
      f("other.onnx"),
      mapInitializer(readFileSync(model), "fc.weight", (w) => (w[3] = w[3]! + 0.001)),
    );
    await compileToDir(f("other.onnx"), cal, f("b"), { ...DEFAULT_COMPILE, paramVisibility: "hashed" });
    await setupDir(f("b"));
    const metaB = await readModelMeta(f("b"));
    expect(metaB.identity.architectureSha256).toBe(meta.identity.architectureSha256);
    expect(metaB.identity.verificationKeySha256).not.toBe(meta.identity.verificationKeySha256);

    // A's circuit proves with B's weights (prove --params), and the proof commits to them
    await proveDir(f("a"), f("in.json"), { params: f("other.onnx"), outDir: f("a-with-b") });
    const withB = await verifyDir(f("a"), {
      proof: f("a-with-b", "proof.json"),
      public: f("a-with-b", "public.json"),
      params: f("other.onnx"),
    });
    expect(withB.valid && withB.checks[0]!.match).toBe(true);
    const notA = await verifyDir(f("a"), {
      proof: f("a-with-b", "proof.json"),
      public: f("a-with-b", "public.json"),
      params: model,
    });
    expect(notA.checks[0]!.match).toBe(false);

    // B's key with A's model.json (same public-signal count): refused, not verified against
    cpSync(f("a"), f("mixed"), { recursive: true });
    cpSync(f("b", "verification_key.json"), f("mixed", "verification_key.json"));
    await expect(verifyDir(f("mixed"))).rejects.toThrow(/the verification key is not this model's/);
    const r = zkinfer(["verify", f("mixed")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not this model's/);

    // a recompile of the same model rewrites model.json; setup (skipped: same circuit) records the key again
    await compileToDir(model, cal, f("a"), { ...DEFAULT_COMPILE, paramVisibility: "hashed" });
    expect((await readModelMeta(f("a"))).identity.verificationKeySha256).toBeNull();
    expect((await setupDir(f("a"))).skipped).toBe(true);
    expect((await readModelMeta(f("a"))).identity.verificationKeySha256).toBe(meta.identity.verificationKeySha256);
  });
});
