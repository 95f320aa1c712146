/**
 * The Ethereum verifier of a split model for real: digits_mlp in 3 segments, `zkinfer
 * export-verifier` on the split directory writes one file (a snarkjs verifier per segment and
 * ZkinferChainVerifier), solc compiles it, one transaction deploys it in an in-process EVM,
 * and verifyChain called with `zkinfer calldata`'s arguments returns true for the real chain
 * and false — never a revert — for every tampering a caller can try: a changed proof, a changed
 * signal, two segments' proofs swapped, a broken link (on one side, or moved on both sides), a
 * signal lifted by the field modulus. Gas is measured with signed transactions and printed:
 * verifyChain in all, and each segment's verifyProof alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Address } from "@ethereumjs/util";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileSplitToDir } from "../../src/artifacts.js";
import { proveSplit, setupSplit } from "../../src/prove/chain.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { estimatedCreationBytes, MAX_CREATION_BYTES } from "../../src/verify/solidity-chain.js";
import type { SplitManifest } from "../../src/meta/split.js";
import { BN254_Q, P } from "../../src/field.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";
import { zkinfer } from "../helpers/cli.js";
import { chain, compileSolidityAll, encodeCall, type Chain, type Compiled } from "../helpers/evm.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-evm-chain-"));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

/** calldata --json on a split model: segment i's proof at index i. */
interface ChainArgs {
  a: string[][];
  b: string[][][];
  c: string[][];
  input: string[];
}
const words = (x: ChainArgs) => [...x.a.flat(), ...x.b.flat(2), ...x.c.flat(), ...x.input];
const bump = (s: string, by = 1n) => (BigInt(s) + by).toString();
const EIP170 = 24_576;

describe("Solidity chain verifier of a split model in an EVM", () => {
  const dir = path.join(root, "split");
  const proofDir = path.join(root, "P");
  let evm: Chain;
  let contracts: Record<string, Compiled>;
  let chainAt: Address;
  let selector: string;
  let args: ChainArgs;
  let manifest: SplitManifest;
  /** where each segment's signals start in the flat list, and how many it has */
  let at: number[] = [];
  let counts: number[] = [];

  beforeAll(async () => {
    await compileSplitToDir(
      fixture("digits_mlp", "model.onnx"),
      fixture("digits_mlp", "calibration.json"),
      dir,
      DEFAULT_COMPILE,
      { segments: 3 },
    );
    manifest = (await setupSplit(dir)).manifest;
    const input = path.join(root, "input.json");
    writeFileSync(input, JSON.stringify({ input: loadSamples("digits_mlp").inputs[2] }));
    await proveSplit(dir, input, { outDir: proofDir });
    counts = manifest.segments.map(
      (s) =>
        (JSON.parse(readFileSync(path.join(dir, s.dir, "model.json"), "utf8")) as { publicSignals: { count: number } })
          .publicSignals.count,
    );
    at = counts.map((_n, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));
    const exp = zkinfer(["export-verifier", dir, "-o", path.join(root, "Chain.sol"), "--json"]);
    expect(exp.code, exp.stderr).toBe(0);
    const info = JSON.parse(exp.stdout) as { verifyChain: string; segments: number; publicSignals: number };
    expect(info.segments).toBe(3);
    contracts = compileSolidityAll(readFileSync(path.join(root, "Chain.sol"), "utf8"));
    expect(contracts.ZkinferChainVerifier!.warnings).toEqual([]);
    selector = contracts.ZkinferChainVerifier!.selectors[info.verifyChain]!;
    expect(selector).toMatch(/^[0-9a-f]{8}$/);
    evm = await chain();
    const d = await evm.deploy(contracts.ZkinferChainVerifier!.bytecode);
    chainAt = d.address;
    const sizes = Object.entries(contracts).map(([n, c]) => `${n} ${c.runtimeBytes}`);
    console.log(
      `ZkinferChainVerifier (3 segments, ${info.publicSignals} signals): ${contracts.ZkinferChainVerifier!.bytecode.length / 2} bytes of creation code, deployed with its segment verifiers in one transaction for ${d.gas} gas; runtime bytes: ${sizes.join(", ")}`,
    );
    const cd = zkinfer([
      "calldata",
      dir,
      ...["--proof", path.join(proofDir, "proof.json")],
      ...["--public", path.join(proofDir, "public.json")],
      "--json",
    ]);
    expect(cd.code, cd.stderr).toBe(0);
    args = JSON.parse(cd.stdout) as ChainArgs;
  });

  const ret = (r: { ret: Uint8Array }) => BigInt(`0x${Buffer.from(r.ret).toString("hex")}`);
  const verifyChain = async (x: ChainArgs, to = chainAt) => {
    const r = await evm.call(to, encodeCall(selector, words(x)));
    expect(r.reverted, "verifyChain reverted").toBe(false);
    expect(r.ret).toHaveLength(32);
    return { ok: ret(r) === 1n, gas: r.gas };
  };
  /** segment i's verifier, as the chain contract created it (its public getter segment<i>()) */
  const segmentAddress = async (i: number) => {
    const r = await evm.call(chainAt, encodeCall(contracts.ZkinferChainVerifier!.selectors[`segment${i}()`]!, []));
    return new Address(r.ret.slice(12));
  };

  it("fits the EVM's limits: every contract under 24,576 bytes, the creation code under EIP-3860's cap and export's estimate", () => {
    for (const [name, c] of Object.entries(contracts)) expect(c.runtimeBytes, name).toBeLessThan(EIP170);
    const creation = contracts.ZkinferChainVerifier!.bytecode.length / 2;
    expect(creation).toBeLessThan(MAX_CREATION_BYTES);
    const estimate = estimatedCreationBytes(
      counts.map((count) => ({ meta: { publicSignals: { count, layout: [] } } })),
    );
    expect(estimate).toBeGreaterThanOrEqual(creation);
    expect(estimate).toBeLessThan(creation * 1.5);
  });

  it("accepts the real chain, and reports the gas of verifyChain and of each segment's verifyProof", async () => {
    const r = await verifyChain(args);
    expect(r.ok).toBe(true);
    const per: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const sel =
        contracts[`ZkinferSegment${i}Verifier`]!.selectors[
          `verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[${counts[i]}])`
        ]!;
      const seg = args.input.slice(at[i], at[i]! + counts[i]!);
      const s = await evm.call(
        await segmentAddress(i),
        encodeCall(sel, [...args.a[i]!, ...args.b[i]!.flat(), ...args.c[i]!, ...seg]),
      );
      expect(ret(s)).toBe(1n);
      per.push(s.gas);
    }
    const sum = per.reduce((a, b) => a + b - 21_000n, 0n);
    console.log(
      `verifyChain (3 segments, ${args.input.length} signals): ${r.gas} gas including the 21,000 of the transaction; ` +
        `each segment's verifyProof alone: ${per.map((g, i) => `segment ${i} (${counts[i]} signals) ${g}`).join(", ")} (each including 21,000); ` +
        `the chain's own cost (links, calls, copying) ${r.gas - 21_000n - sum}`,
    );
    expect(r.gas).toBeGreaterThan(sum);
  });

  it("rejects a changed proof: a point moved off the curve, or negated (still on the curve)", async () => {
    const off = structuredClone(args);
    off.a[1]![1] = bump(off.a[1]![1]!);
    const r = await verifyChain(off);
    expect(r.ok).toBe(false);
    console.log(
      `verifyChain with an off-curve point: false, ${r.gas} gas (a failed precompile burns what it is given)`,
    );
    const neg = structuredClone(args);
    neg.c[2]![1] = (BN254_Q - BigInt(neg.c[2]![1]!)).toString();
    expect((await verifyChain(neg)).ok).toBe(false);
  });

  it("rejects a changed public signal of one segment (a model output)", async () => {
    const x = structuredClone(args);
    x.input[at[2]! + 3] = bump(x.input[at[2]! + 3]!);
    expect((await verifyChain(x)).ok).toBe(false);
  });

  it("rejects two segments' proofs swapped", async () => {
    const x = structuredClone(args);
    x.a = [x.a[1]!, x.a[0]!, x.a[2]!];
    x.b = [x.b[1]!, x.b[0]!, x.b[2]!];
    x.c = [x.c[1]!, x.c[0]!, x.c[2]!];
    expect((await verifyChain(x)).ok).toBe(false);
  });

  it("rejects a broken link, and a link moved on both sides (each segment's proof then fails)", async () => {
    const out0 = at[0]! + manifest.segments[0]!.chainOut!;
    const in1 = at[1]! + manifest.segments[1]!.chainIn!;
    expect(args.input[out0]).toBe(args.input[in1]);
    const one = structuredClone(args);
    one.input[in1] = bump(one.input[in1]!);
    const r = await verifyChain(one);
    expect(r.ok).toBe(false);
    console.log(`verifyChain with a broken link: false, ${r.gas} gas (the links are checked before any pairing)`);
    const both = structuredClone(args);
    both.input[out0] = bump(both.input[out0]!);
    both.input[in1] = bump(both.input[in1]!);
    expect((await verifyChain(both)).ok).toBe(false);
    // the same commitment lifted by the field modulus on both sides: equal words, refused, not reduced
    const wrapped = structuredClone(args);
    wrapped.input[out0] = bump(wrapped.input[out0]!, P);
    wrapped.input[in1] = bump(wrapped.input[in1]!, P);
    expect((await verifyChain(wrapped)).ok).toBe(false);
  });

  it("the calldata text form is the same numbers", () => {
    const text = zkinfer([
      "calldata",
      dir,
      ...["--proof", path.join(proofDir, "proof.json")],
      ...["--public", path.join(proofDir, "public.json")],
    ]).stdout.trim();
    const parsed = JSON.parse(`[${text}]`) as unknown[];
    expect((parsed.flat(3) as string[]).map((h) => BigInt(h).toString())).toEqual(words(args));
  });

  it("--separate: segment verifiers deployed one by one, the chain contract given their addresses", async () => {
    const file = path.join(root, "Separate.sol");
    const exp = zkinfer(["export-verifier", dir, "-o", file, "--separate"]);
    expect(exp.code, exp.stderr).toBe(0);
    const sep = compileSolidityAll(readFileSync(file, "utf8"));
    // the chain contract no longer carries the segments' code: a key's point is in the one-transaction contract only
    const vk = JSON.parse(readFileSync(path.join(dir, manifest.segments[2]!.dir, "verification_key.json"), "utf8")) as {
      IC: string[][];
    };
    const ic0 = BigInt(vk.IC[0]![0]!).toString(16).padStart(64, "0");
    expect(contracts.ZkinferChainVerifier!.bytecode).toContain(ic0);
    expect(sep.ZkinferChainVerifier!.bytecode).not.toContain(ic0);
    const addresses: Address[] = [];
    for (let i = 0; i < 3; i++) addresses.push((await evm.deploy(sep[`ZkinferSegment${i}Verifier`]!.bytecode)).address);
    const ctor = addresses.map((a) => a.toString().slice(2).padStart(64, "0")).join("");
    const d = await evm.deploy(sep.ZkinferChainVerifier!.bytecode + ctor);
    expect((await verifyChain(args, d.address)).ok).toBe(true);
    const x = structuredClone(args);
    x.input[at[2]! + 3] = bump(x.input[at[2]! + 3]!);
    expect((await verifyChain(x, d.address)).ok).toBe(false);
  });

  it("calldata refuses a chain proof that is not this split's, naming the file", () => {
    const pub = JSON.parse(readFileSync(path.join(proofDir, "public.json"), "utf8")) as { splitId: string };
    pub.splitId = "00".repeat(32);
    const file = path.join(root, "other-public.json");
    writeFileSync(file, JSON.stringify(pub));
    const r = zkinfer(["calldata", dir, "--proof", path.join(proofDir, "proof.json"), "--public", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/other-public\.json is for another split model/);
  });
});
