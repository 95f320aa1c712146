import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import { generateDevPtau, checkUserPtau, ensureDevPtau } from "../../src/prove/ptau.js";
import { withFixedBase } from "../../src/prove/fixedbase.js";
import { getCurve, releaseCurve } from "../../src/prove/curve.js";
import { readBinFile } from "../../src/formats/binfile.js";
import { inspectPtau, PTAU_SECTION } from "../../src/formats/ptau.js";
import { ZkError } from "../../src/errors.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-ptau-"));
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

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

  it("fixed-base multiplication agrees with the curve's own scalar multiplication", async () => {
    const curve = await getCurve();
    const scalars = new Uint8Array(32 * 50);
    for (let i = 0; i < scalars.length; i++) scalars[i] = (i * 97 + 13) & 255;
    for (let i = 0; i < 50; i++) scalars[i * 32 + 31]! &= 0x1f; // below 2^253
    scalars.fill(0, 0, 32); // the zero scalar
    scalars.fill(255, 32, 63); // a wide one
    scalars[63] = 0x1f;
    for (const group of ["G1", "G2"] as const) {
      const G = curve[group];
      const out = await withFixedBase(curve, group, async (mul) => mul(scalars));
      const size = out.length / 50;
      for (let i = 0; i < 50; i++) {
        const want = G.toAffine(G.timesScalar(G.oneAffine, scalars.slice(i * 32, i * 32 + 32)));
        expect(G.eq(want, out.slice(i * size, (i + 1) * size)), `${group} #${i}`).toBe(true);
      }
    }
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
