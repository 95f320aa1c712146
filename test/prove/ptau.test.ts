import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import { randomBytes } from "node:crypto";
import type { Curve } from "ffjavascript";
import { generateDevPtau, checkUserPtau, ensureDevPtau, writeDevPtau } from "../../src/prove/ptau.js";
import { buildTable, multiply, readRows, signedDigits, windowCount } from "../../src/prove/fixedbase.js";
import { instantiateCurve } from "../../src/prove/wasm-curve.js";
import { powMod } from "../../src/prove/ptau-plan.js";
import { openChunkPool } from "../../src/prove/ptau-pool.js";
import type { ChunkTask } from "../../src/prove/ptau-chunk.js";
import { curveWasm, getCurve, releaseCurve } from "../../src/prove/curve.js";
import { P as R } from "../../src/field.js";
import { readBinFile } from "../../src/formats/binfile.js";
import { inspectPtau, PTAU_SECTION } from "../../src/formats/ptau.js";
import { ZkError } from "../../src/errors.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-ptau-"));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

/** 32-byte little-endian scalars. */
function scalarBytes(values: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(32 * values.length);
  values.forEach((v, i) => {
    for (let j = 0; j < 32; j++, v >>= 8n) out[i * 32 + j] = Number(v & 255n);
  });
  return out;
}

/**
 * Scalars below r whose top window's sum is a doubling (the accumulator equals the table
 * point there): s_low = e·2^b - r for the top digit e, so s = 2e·2^b - r. The batch-affine
 * formula divides by zero on them; the Jacobian path must take them.
 */
function topWindowDoublings(window: number): bigint[] {
  const b = BigInt(window * (windowCount(window) - 1));
  const out: bigint[] = [];
  for (const e of [R >> b, (R >> b) + 1n]) {
    const s = 2n * e * (1n << b) - R;
    if (s < 0n || s >= R) continue;
    const digits = new Int32Array(windowCount(window));
    signedDigits(scalarBytes([s]), 1, window, digits);
    if (BigInt(digits[digits.length - 1]!) === e) out.push(s);
  }
  return out;
}

/**
 * The reference for the Lagrange sections, straight from the definition in BigInt: level p
 * holds L_i(tau) for the domain of ffjavascript's root of order 2^p, times `times`; the level
 * power+1 of section 12 lacks each polynomial's tau^(m-1) term. Index k counts through the levels.
 */
function lagrangeAt(curve: Curve, tau: bigint, power: number, times: bigint, levels: number): (k: number) => bigint {
  const inv = (x: bigint) => powMod(((x % R) + R) % R, R - 2n, R);
  const table: bigint[] = [];
  for (let p = 0; p <= levels; p++) {
    const m = 2 ** p;
    const w = curve.Fr.toObject(curve.Fr.w[p]!);
    const roots = Array.from({ length: m }, (_, i) => powMod(w, BigInt(i), R));
    for (let i = 0; i < m; i++) {
      // L_i(X) = Π_{j≠i} (X - w^j)/(w^i - w^j): the product form, not the closed form the code uses
      let num = 1n,
        den = 1n;
      for (let j = 0; j < m; j++) {
        if (j === i) continue;
        num = (num * (tau - roots[j]! + R)) % R;
        den = (den * (roots[i]! - roots[j]! + R)) % R;
      }
      let v = (num * inv(den)) % R;
      if (p === power + 1) v = (v - ((((roots[i]! * powMod(tau, BigInt(m - 1), R)) % R) * inv(BigInt(m))) % R) + R) % R;
      table.push((v * times) % R);
    }
  }
  return (k) => table[k]!;
}

describe("development powers of tau", () => {
  it("computes the Lagrange sections exactly as snarkjs's own prepare phase2 does", async () => {
    const mine = path.join(root, "mine.ptau");
    const theirs = path.join(root, "theirs.ptau");
    await generateDevPtau(6, mine);
    // snarkjs recomputes sections 12-15 from our tau powers (sections 2-7) by point FFTs
    await snarkjs.powersOfTau.preparePhase2(mine, theirs);
    const a = readBinFile(readFileSync(mine), "ptau", 1, "mine");
    const b = readBinFile(readFileSync(theirs), "ptau", 1, "theirs");
    for (const s of Object.values(PTAU_SECTION)) {
      const [ra] = a.sections.get(s)!;
      const [rb] = b.sections.get(s)!;
      expect(
        Buffer.compare(
          a.bytes.subarray(ra!.start, ra!.start + ra!.size),
          b.bytes.subarray(rb!.start, rb!.start + rb!.size),
        ),
        `section ${s}`,
      ).toBe(0);
    }
    expect(inspectPtau(readFileSync(mine), "mine")).toEqual({
      power: 6,
      ceremonyPower: 6,
      prepared: true,
      contributions: 0,
    });
  });

  it("fixed-base multiplication agrees with the curve's own scalar multiplication, edge cases included", async () => {
    const curve = await getCurve();
    const { module, kernel, generators } = await curveWasm();
    expect(kernel, "the fixed-base kernel is built (kernels/wasm/build/bn254.wasm)").not.toBeNull();
    for (const [path, wc] of [
      ["kernel", instantiateCurve(module, kernel)],
      ["wasmcurves calls", instantiateCurve(module)],
    ] as const) {
      for (const [group, window] of [
        ["G1", 16],
        ["G1", 5],
        ["G2", 7],
      ] as const) {
        const G = curve[group];
        const scalars = [0n, 1n, 2n, R - 1n, R, R + 1n, 2n ** 254n - 1n, 12345678901234567890n];
        const doublings = topWindowDoublings(window);
        expect(doublings.length, `a doubling scalar for W=${window}`).toBeGreaterThan(0);
        scalars.push(...doublings);
        for (let i = 0; i < 40; i++) scalars.push(BigInt("0x" + randomBytes(32).toString("hex")) % R);
        const table = buildTable(wc, group, generators[group], window);
        const out = multiply(wc, table, scalarBytes(scalars));
        const size = out.length / scalars.length;
        scalars.forEach((s, i) => {
          const want = G.toAffine(G.timesScalar(G.oneAffine, scalarBytes([s])));
          expect(
            G.eq(want, out.slice(i * size, (i + 1) * size)),
            `${path}: ${group} W=${window} scalar #${i} (${s})`,
          ).toBe(true);
        });
        expect(() => multiply(wc, table, scalarBytes([2n ** 254n]))).toThrow(/not below 2\^254/);
      }
    }
  });

  it("the kernel's tables and points are the wasmcurves path's, byte for byte, over many batches", async () => {
    const { module, kernel, generators } = await curveWasm();
    const fast = instantiateCurve(module, kernel);
    const reference = instantiateCurve(module);
    for (const [group, window, count] of [
      ["G1", 9, 5000],
      ["G2", 6, 2300],
    ] as const) {
      const scalars = scalarBytes(
        Array.from({ length: count }, () => BigInt("0x" + randomBytes(32).toString("hex")) % R),
      );
      const a = buildTable(fast, group, generators[group], window);
      const b = buildTable(reference, group, generators[group], window);
      expect(
        Buffer.compare(readRows(fast, a, 0, a.windows), readRows(reference, b, 0, b.windows)),
        `${group} table`,
      ).toBe(0);
      expect(Buffer.compare(multiply(fast, a, scalars), multiply(reference, b, scalars)), `${group} points`).toBe(0);
    }
  });

  it("a file's points are [s]G of the scalars its secrets define, whatever the threads and chunk sizes", async () => {
    const curve = await getCurve();
    const power = 5;
    const secrets = { tau: 0x1234567890abcdefn ** 3n % R, alpha: 987654321987654321n, beta: R - 5555n };
    const files = [
      // chunk boundaries in every section; three threads share each table's rows unevenly
      { threads: 3, chunkPoints: { G1: 5, G2: 3 } },
      { threads: 1, chunkPoints: { G1: 7, G2: 16 } },
    ].map(async (opts, k) => {
      const file = path.join(root, `known-${k}.ptau`);
      await writeDevPtau(power, file, secrets, opts);
      return readFileSync(file);
    });
    const [three, one] = await Promise.all(files);
    expect(Buffer.compare(three!, one!), "the same file from 1 thread and from 3").toBe(0);
    const ptau = readBinFile(three!, "ptau", 1, "known");
    const { tau, alpha, beta } = secrets;
    const n = 2 ** power;
    const tauPow = (i: number) => powMod(tau, BigInt(i), R);
    // every index of a small file: the first and last of each chunk among them
    const expected: [number, "G1" | "G2", number, (i: number) => bigint][] = [
      [PTAU_SECTION.TAU_G1, "G1", 2 * n - 1, tauPow],
      [PTAU_SECTION.TAU_G2, "G2", n, tauPow],
      [PTAU_SECTION.ALPHA_TAU_G1, "G1", n, (i) => (alpha * tauPow(i)) % R],
      [PTAU_SECTION.BETA_TAU_G1, "G1", n, (i) => (beta * tauPow(i)) % R],
      [PTAU_SECTION.BETA_G2, "G2", 1, () => beta],
      [PTAU_SECTION.LAGRANGE_TAU_G1, "G1", 4 * n - 1, lagrangeAt(curve, tau, power, 1n, power + 1)],
      [PTAU_SECTION.LAGRANGE_TAU_G2, "G2", 2 * n - 1, lagrangeAt(curve, tau, power, 1n, power)],
      [PTAU_SECTION.LAGRANGE_ALPHA_TAU_G1, "G1", 2 * n - 1, lagrangeAt(curve, tau, power, alpha, power)],
      [PTAU_SECTION.LAGRANGE_BETA_TAU_G1, "G1", 2 * n - 1, lagrangeAt(curve, tau, power, beta, power)],
    ];
    for (const [section, group, count, scalar] of expected) {
      const G = curve[group];
      const size = group === "G1" ? 64 : 128;
      const [ref] = ptau.sections.get(section)!;
      expect(ref!.size, `section ${section} size`).toBe(count * size);
      for (let i = 0; i < count; i++) {
        const got = ptau.bytes.subarray(ref!.start + i * size, ref!.start + (i + 1) * size);
        const want = G.toAffine(G.timesScalar(G.oneAffine, scalarBytes([scalar(i)])));
        expect(G.eq(want, new Uint8Array(got)), `section ${section} point ${i}`).toBe(true);
      }
    }
  });

  it("a thread's error reaches the caller, the threads go on serving, and a failed file leaves nothing behind", async () => {
    const curve = await getCurve();
    const pool = openChunkPool(await curveWasm(), 2);
    const powers = (first: bigint): ChunkTask => ({
      group: "G1",
      window: 4,
      scalars: { kind: "powers", first, ratio: 1n, count: 2 },
    });
    try {
      await pool.tables({ G1: 4, G2: 4 });
      // tau = x0 = 1: L_0(tau) would be 0/0
      const onDomain: ChunkTask = {
        group: "G1",
        window: 4,
        scalars: { kind: "lagrange", x0: 1n, w: 1n, tau: 1n, c: 1n, last: 0n, count: 3 },
      };
      const [bad, good] = await Promise.allSettled([pool.run(onDomain), pool.run(powers(3n))]);
      expect(bad.status === "rejected" && String(bad.reason)).toMatch(
        /ptau thread \d failed on a chunk request: .*tau lies on the domain/,
      );
      const three = curve.G1.toAffine(curve.G1.timesScalar(curve.G1.oneAffine, scalarBytes([3n])));
      expect(good.status === "fulfilled" && curve.G1.eq(three, good.value.slice(0, 64))).toBe(true);
      expect(curve.G1.eq(three, (await pool.run(powers(3n))).slice(64, 128)), "after a failure").toBe(true);
    } finally {
      await pool.close();
    }
    await expect(pool.run(powers(1n))).rejects.toThrow(/closed/);

    const dir = mkdtempSync(path.join(root, "failed-"));
    await expect(
      writeDevPtau(4, path.join(dir, "bad.ptau"), { tau: 1n, alpha: 2n, beta: 3n }, { threads: 2 }),
    ).rejects.toThrow(/tau lies on the domain/);
    expect(readdirSync(dir), "no file, no temporary file").toEqual([]);
  });

  it("checks a user's ptau: prepared, BN254, big enough", async () => {
    const raw = path.join(root, "raw.ptau");
    await snarkjs.powersOfTau.newAccumulator(await getCurve(), 4, raw);
    await expect(checkUserPtau(raw, 4)).rejects.toThrow(/not prepared for phase 2/);
    const prepared = (await ensureDevPtau(11)).file;
    await expect(checkUserPtau(prepared, 12)).rejects.toThrow(/power 11 is too small; this circuit needs power 12/);
    expect((await checkUserPtau(prepared, 10)).info.power).toBe(11);
    const truncated = path.join(root, "trunc.ptau");
    writeFileSync(truncated, readFileSync(prepared).subarray(0, 5000));
    await expect(checkUserPtau(truncated, 4)).rejects.toBeInstanceOf(ZkError);
    writeFileSync(path.join(root, "notptau.ptau"), "hello world, not a ptau");
    await expect(checkUserPtau(path.join(root, "notptau.ptau"), 4)).rejects.toThrow(/not a ptau file/);
  });
});
