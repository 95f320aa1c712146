/**
 * The Ethereum verifier for real: `zkinfer export-verifier` writes the contract, solc compiles
 * it, an in-process EVM deploys it, and `verifyProof` called with `zkinfer calldata`'s
 * arguments returns true for a real proof and false for a tampered proof or public signal.
 * Gas is measured with signed transactions and printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { setupDir } from "../../src/prove/setup.js";
import { proveDir } from "../../src/prove/prove.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { P } from "../../src/field.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";
import { zkinfer } from "../helpers/cli.js";
import { chain, compileSolidity, encodeCall, type Chain } from "../helpers/evm.js";
import type { Address } from "@ethereumjs/util";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-evm-"));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

interface Args {
  a: string[];
  b: string[][];
  c: string[];
  input: string[];
}
const words = (x: Args) => [...x.a, ...x.b.flat(), ...x.c, ...x.input];

describe("Solidity verifier in an EVM", () => {
  const dir = path.join(root, "mlp");
  let evm: Chain;
  let address: Address;
  let selector: string;
  let args: Args;

  beforeAll(async () => {
    await compileToDir(
      fixture("digits_mlp", "model.onnx"),
      fixture("digits_mlp", "calibration.json"),
      dir,
      DEFAULT_COMPILE,
    );
    await setupDir(dir, {});
    const input = path.join(root, "input.json");
    writeFileSync(input, JSON.stringify({ input: loadSamples("digits_mlp").inputs[2] }));
    await proveDir(dir, input, { backend: "wasm" });
    const exp = zkinfer(["export-verifier", dir, "-o", path.join(root, "Verifier.sol")]);
    expect(exp.code, exp.stderr).toBe(0);
    const compiled = compileSolidity(readFileSync(path.join(root, "Verifier.sol"), "utf8"), "Groth16Verifier");
    selector = compiled.selectors["verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[10])"]!;
    expect(selector).toMatch(/^[0-9a-f]{8}$/);
    evm = await chain();
    const d = await evm.deploy(compiled.bytecode);
    address = d.address;
    console.log(
      `Groth16Verifier (10 public signals): ${compiled.bytecode.length / 2} bytes of init code, deployed for ${d.gas} gas`,
    );
    const cd = zkinfer(["calldata", dir, "--json"]);
    expect(cd.code, cd.stderr).toBe(0);
    args = JSON.parse(cd.stdout) as Args;
  });

  const verify = async (x: Args) => {
    const r = await evm.call(address, encodeCall(selector, words(x)));
    expect(r.reverted).toBe(false);
    expect(r.ret).toHaveLength(32);
    return { ok: BigInt(`0x${Buffer.from(r.ret).toString("hex")}`) === 1n, gas: r.gas };
  };

  it("accepts the real proof", async () => {
    const r = await verify(args);
    expect(r.ok).toBe(true);
    console.log(`verifyProof with 10 public signals: ${r.gas} gas (including the 21,000 of the transaction)`);
    expect(r.gas).toBeGreaterThan(200_000n);
  });

  it("the calldata text form is the same numbers", () => {
    const text = zkinfer(["calldata", dir]).stdout.trim();
    const parsed = JSON.parse(`[${text}]`) as [string[], string[][], string[], string[]];
    expect(parsed.flat(2).map((h) => BigInt(h).toString())).toEqual(words(args));
  });

  it("a circuit with one public signal costs less to verify (cancer_logreg)", async () => {
    const one = path.join(root, "cancer");
    await compileToDir(
      fixture("cancer_logreg", "model.onnx"),
      fixture("cancer_logreg", "calibration.json"),
      one,
      DEFAULT_COMPILE,
    );
    await setupDir(one, {});
    const input = path.join(root, "cancer-input.json");
    writeFileSync(input, JSON.stringify({ input: loadSamples("cancer_logreg").inputs[0] }));
    await proveDir(one, input, {});
    expect(zkinfer(["export-verifier", one, "-o", path.join(root, "V1.sol")]).code).toBe(0);
    const compiled = compileSolidity(readFileSync(path.join(root, "V1.sol"), "utf8"), "Groth16Verifier");
    const sel = compiled.selectors["verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[1])"]!;
    const { address: at } = await evm.deploy(compiled.bytecode);
    const x = JSON.parse(zkinfer(["calldata", one, "--json"]).stdout) as Args;
    const r = await evm.call(at, encodeCall(sel, words(x)));
    expect(BigInt(`0x${Buffer.from(r.ret).toString("hex")}`)).toBe(1n);
    const ten = await verify(args);
    console.log(`verifyProof with 1 public signal: ${r.gas} gas; each further signal ≈ ${(ten.gas - r.gas) / 9n} gas`);
    expect(r.gas).toBeLessThan(ten.gas);
  });

  it("rejects a changed public signal, a changed proof point and a swapped pair of points", async () => {
    const pub = { ...args, input: args.input.map((s, i) => (i === 3 ? ((BigInt(s) + 1n) % P).toString() : s)) };
    expect((await verify(pub)).ok).toBe(false);
    const a = { ...args, a: [args.a[0]!, (BigInt(args.a[1]!) + 1n).toString()] };
    expect((await verify(a)).ok).toBe(false);
    const swapped = { ...args, a: args.c, c: args.a };
    expect((await verify(swapped)).ok).toBe(false);
    // a public signal at or above the field modulus is refused, not reduced
    const wrapped = { ...args, input: args.input.map((s, i) => (i === 0 ? (BigInt(s) + P).toString() : s)) };
    expect((await verify(wrapped)).ok).toBe(false);
  });
});
