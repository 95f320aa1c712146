/**
 * What a ptau file must pass before setup uses it: a good file passes, each kind of tampering
 * is refused with a message naming the file and the failed section, a file whose hash is in
 * the known table is accepted without the point checks, a cached development file is accepted
 * on the hash recorded when it was made, and one that fails is made again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import type { Curve } from "ffjavascript";
import { checkUserPtau, devPtauRecordPath, ensureDevPtau, generateDevPtau } from "../../src/prove/ptau.js";
import { KNOWN_PTAU } from "../../src/prove/ptau-known.js";
import { getCurve, releaseCurve } from "../../src/prove/curve.js";
import { PTAU_SECTION as S, readPtauLayout, type PtauLayout } from "../../src/formats/ptau.js";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { artifact } from "../../src/artifacts.js";
import { setupDir } from "../../src/prove/setup.js";
import { fileDigestHex } from "../../src/util/hash.js";
import { ZkError } from "../../src/errors.js";
import { fixture } from "../helpers/fixtures.js";
import { zkinfer } from "../helpers/cli.js";

const POWER = 8;
const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-ptau-check-"));
let curve: Curve;
let good: string;
let layout: PtauLayout;

beforeAll(async () => {
  curve = await getCurve();
  good = path.join(root, "good.ptau");
  await generateDevPtau(POWER, good);
  layout = await readPtauLayout(good);
});
afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

type Group = "G1" | "G2";
const size = (g: Group) => (g === "G1" ? 64 : 128);
/** Byte offset of point `index` of a section in `l`'s file. */
const at = (l: PtauLayout, section: number, group: Group, index: number) =>
  l.sections.get(section)!.start + index * size(group);
/** k·[1], a valid point in the right subgroup: tampering that only the relations can catch. */
const multiple = (group: Group, k: number) =>
  curve[group].toAffine(curve[group].timesScalar(curve[group].oneAffine, new Uint8Array([k])));
/** The first point of level p of a Lagrange section. */
const level = (p: number) => 2 ** p - 1;

function setPoint(b: Uint8Array, l: PtauLayout, section: number, group: Group, index: number, point: Uint8Array): void {
  b.set(point, at(l, section, group, index));
}
function swapPoints(b: Uint8Array, l: PtauLayout, section: number, group: Group, i: number, j: number): void {
  const pi = b.slice(at(l, section, group, i), at(l, section, group, i + 1));
  b.copyWithin(at(l, section, group, i), at(l, section, group, j), at(l, section, group, j + 1));
  b.set(pi, at(l, section, group, j));
}
function scalePoint(b: Uint8Array, l: PtauLayout, section: number, group: Group, index: number, k: number): void {
  const p = b.slice(at(l, section, group, index), at(l, section, group, index + 1));
  setPoint(b, l, section, group, index, curve[group].toAffine(curve[group].timesScalar(p, new Uint8Array([k]))));
}

/** A copy of the good file with one edit. */
function tampered(name: string, edit: (b: Uint8Array) => void, from = good): string {
  const b = new Uint8Array(readFileSync(from));
  edit(b);
  const file = path.join(root, `${name}.ptau`);
  writeFileSync(file, b);
  return file;
}

describe("the ptau consistency check", () => {
  it("passes a good development file, for its own power and smaller circuits", async () => {
    expect((await checkUserPtau(good, POWER)).verdict).toEqual({ method: "consistency", power: POWER });
    const copy = path.join(root, "good-copy.ptau");
    copyFileSync(good, copy);
    expect((await checkUserPtau(copy, POWER - 3)).verdict).toEqual({ method: "consistency", power: POWER - 3 });
  });

  it("passes a file snarkjs made (new, one contribution, prepare phase2)", async () => {
    const c0 = path.join(root, "snark0.ptau"),
      c1 = path.join(root, "snark1.ptau"),
      prepared = path.join(root, "snark-final.ptau");
    await snarkjs.powersOfTau.newAccumulator(curve, 4, c0);
    await snarkjs.powersOfTau.contribute(c0, c1, "test", "some entropy");
    await snarkjs.powersOfTau.preparePhase2(c1, prepared);
    expect((await checkUserPtau(prepared, 4)).verdict.method).toBe("consistency");
  });

  it("refuses the uncontributed accumulator: tau = 1 is a root of unity", async () => {
    const c0 = path.join(root, "init0.ptau"),
      prepared = path.join(root, "init-final.ptau");
    await snarkjs.powersOfTau.newAccumulator(curve, 4, c0);
    await snarkjs.powersOfTau.preparePhase2(c0, prepared);
    await expect(checkUserPtau(prepared, 4)).rejects.toThrow(/section 2 \(tau powers, G1\): tau\^16 is 0 or ±1/);
  });

  const lastTau = 2 ** (POWER + 1) - 2;
  const cases: [string, (b: Uint8Array) => void, RegExp][] = [
    [
      "one G1 tau power replaced by another valid point",
      (b) => setPoint(b, layout, S.TAU_G1, "G1", 5, multiple("G1", 7)),
      /section 2 \(tau powers, G1\) is not a sequence of powers of the tau in section 3/,
    ],
    [
      "the last G1 tau power (read for the H query)",
      (b) => setPoint(b, layout, S.TAU_G1, "G1", lastTau, multiple("G1", 7)),
      /section 2 \(tau powers, G1\) is not a sequence of powers/,
    ],
    [
      "a G2 tau power replaced",
      (b) => setPoint(b, layout, S.TAU_G2, "G2", 7, multiple("G2", 9)),
      /section 3 \(tau powers, G2\) is not consistent with the tau powers in G1 \(section 2\)/,
    ],
    [
      "one alphaTau power scaled",
      (b) => scalePoint(b, layout, S.ALPHA_TAU_G1, "G1", 3, 2),
      /section 4 \(alpha tau powers, G1\) is not alpha times the powers of the tau in section 3/,
    ],
    [
      "one betaTau power scaled",
      (b) => scalePoint(b, layout, S.BETA_TAU_G1, "G1", POWER, 3),
      /section 5 \(beta tau powers, G1\) is not beta times/,
    ],
    [
      "beta in G2 replaced",
      (b) => setPoint(b, layout, S.BETA_G2, "G2", 0, multiple("G2", 5)),
      /section 6 \(beta, G2\) is not the beta of section 5/,
    ],
    [
      "two tau Lagrange points swapped",
      (b) => swapPoints(b, layout, S.LAGRANGE_TAU_G1, "G1", level(POWER) + 3, level(POWER) + 4),
      /section 12 \(tau Lagrange, G1\) is not consistent with the tau powers \(section 2\)/,
    ],
    [
      "a point of the top Lagrange level (the H query)",
      (b) => scalePoint(b, layout, S.LAGRANGE_TAU_G1, "G1", level(POWER + 1) + 11, 2),
      /section 12 \(tau Lagrange, G1\) is not consistent/,
    ],
    [
      "two G2 Lagrange points swapped",
      (b) => swapPoints(b, layout, S.LAGRANGE_TAU_G2, "G2", level(POWER) + 1, level(POWER) + 2),
      /section 13 \(tau Lagrange, G2\) is not consistent with section 12/,
    ],
    [
      "an alphaTau Lagrange point scaled",
      (b) => scalePoint(b, layout, S.LAGRANGE_ALPHA_TAU_G1, "G1", level(3) + 2, 2),
      /section 14 \(alpha tau Lagrange, G1\) is not consistent with the alpha tau powers \(section 4\)/,
    ],
    [
      "a betaTau Lagrange point replaced",
      (b) => setPoint(b, layout, S.LAGRANGE_BETA_TAU_G1, "G1", level(POWER), multiple("G1", 3)),
      /section 15 \(beta tau Lagrange, G1\) is not consistent with the beta tau powers \(section 5\)/,
    ],
    [
      "a point off the curve",
      (b) => {
        b[at(layout, S.TAU_G1, "G1", 3) + 5]! ^= 1;
      },
      /section 2 \(tau powers, G1\) point 3 is not on the curve/,
    ],
  ];
  it.each(cases)("refuses %s", async (name, edit, message) => {
    const file = tampered(name.replace(/\W+/g, "-"), edit);
    const err = await checkUserPtau(file, POWER).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZkError);
    expect((err as ZkError).code).toBe("BAD_FILE");
    expect((err as ZkError).message.startsWith(`${file}: `)).toBe(true);
    expect((err as ZkError).message).toMatch(message);
    expect((err as ZkError).message).toMatch(/: not a valid prepared powers-of-tau file$/);
  });

  it("checks a file again once it has changed on disk", async () => {
    const file = path.join(root, "changes.ptau");
    copyFileSync(good, file);
    await checkUserPtau(file, POWER);
    const bytes = new Uint8Array(readFileSync(file));
    swapPoints(bytes, layout, S.LAGRANGE_TAU_G1, "G1", level(POWER), level(POWER) + 1);
    writeFileSync(file, bytes);
    utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a distinct mtime, however coarse the clock
    await expect(checkUserPtau(file, POWER)).rejects.toThrow(/section 12/);
  });
});

describe("the known-ceremony table", () => {
  it("holds snarkjs's published hashes for powers 8–28", () => {
    expect(KNOWN_PTAU.map((k) => k.power)).toEqual(Array.from({ length: 21 }, (_, i) => i + 8));
    for (const k of KNOWN_PTAU) {
      expect(k.blake2b512).toMatch(/^[0-9a-f]{128}$/);
      expect(k.name).toBe(
        k.power === 28
          ? "powersOfTau28_hez_final.ptau"
          : `powersOfTau28_hez_final_${String(k.power).padStart(2, "0")}.ptau`,
      );
    }
  });

  it("accepts a file whose blake2b matches an entry, without the point checks", async () => {
    // a file the point checks refuse, so acceptance can only come from the hash
    const file = tampered("listed", (b) => scalePoint(b, layout, S.ALPHA_TAU_G1, "G1", 3, 2));
    const hash = await fileDigestHex(file, "blake2b512");
    const known = [{ power: POWER, name: "test-ceremony.ptau", blake2b512: hash }];
    expect((await checkUserPtau(file, POWER, { known })).verdict).toEqual({
      method: "blake2b",
      known: "test-ceremony.ptau",
    });
    // the same entry at another power, or another file at this power, is no match
    const other = tampered("unlisted", (b) => scalePoint(b, layout, S.ALPHA_TAU_G1, "G1", 4, 2));
    await expect(checkUserPtau(other, POWER, { known })).rejects.toThrow(/section 4/);
    const elsewhere = tampered("listed-wrong-power", (b) => scalePoint(b, layout, S.ALPHA_TAU_G1, "G1", 3, 2));
    await expect(checkUserPtau(elsewhere, POWER, { known: [{ ...known[0]!, power: POWER + 1 }] })).rejects.toThrow(
      /section 4/,
    );
  });
});

describe("the development cache", () => {
  const inCache = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const saved = process.env.ZKINFER_CACHE;
    process.env.ZKINFER_CACHE = path.join(root, name);
    try {
      return await body();
    } finally {
      if (saved === undefined) delete process.env.ZKINFER_CACHE;
      else process.env.ZKINFER_CACHE = saved;
    }
  };
  const corrupt = async (file: string) => {
    const bytes = new Uint8Array(readFileSync(file));
    const l = await readPtauLayout(file);
    swapPoints(bytes, l, S.LAGRANGE_TAU_G1, "G1", level(POWER) + 1, level(POWER) + 2);
    writeFileSync(file, bytes);
    utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a new identity: the process's verdict no longer applies
  };

  it("records a generated file's hash, accepts it unchanged, and makes it again with a warning when it changed", () =>
    inCache("cache", async () => {
      const first = await ensureDevPtau(POWER);
      expect(first).toMatchObject({ generated: true, verdict: { method: "generated", power: POWER } });
      const record = JSON.parse(readFileSync(devPtauRecordPath(first.file), "utf8")) as Record<string, unknown>;
      expect(record).toEqual({
        power: POWER,
        size: statSync(first.file).size,
        blake2b: await fileDigestHex(first.file, "blake2b512"),
      });
      utimesSync(first.file, new Date(), new Date(Date.now() + 2000)); // as if another process: hashed, not remembered
      expect((await ensureDevPtau(POWER)).verdict).toEqual({
        method: "recorded",
        power: POWER,
        blake2b: record.blake2b,
      });

      await corrupt(first.file);
      const again = await ensureDevPtau(POWER);
      expect(again.generated).toBe(true);
      expect(again.warning).toMatch(
        /the cached development ptau failed its check and was generated again \(.*: changed since it was generated \(blake2b-512 [0-9a-f]{16}…, [0-9a-f]{16}… recorded\)\)/,
      );
      // made again, not restored: a new tau, a new record
      const newRecord = JSON.parse(readFileSync(devPtauRecordPath(again.file), "utf8")) as Record<string, unknown>;
      expect(newRecord.blake2b).not.toBe(record.blake2b);
      expect(newRecord.blake2b).toBe(await fileDigestHex(again.file, "blake2b512"));
      utimesSync(again.file, new Date(), new Date(Date.now() + 7000)); // forget "generated": check it for real
      expect((await checkUserPtau(again.file, POWER)).verdict.method).toBe("consistency"); // a good file, too
      const third = await ensureDevPtau(POWER);
      expect(third.generated).toBe(false);
      expect(third.warning).toBeUndefined();

      // a truncated file is refused on its size, before any hashing
      const l = await readPtauLayout(again.file);
      writeFileSync(devPtauRecordPath(again.file), JSON.stringify({ ...newRecord, size: l.size + 64 }));
      utimesSync(again.file, new Date(), new Date(Date.now() + 9000));
      expect((await ensureDevPtau(POWER)).warning).toMatch(
        /changed since it was generated \(\d+ bytes, \d+ recorded\)/,
      );
    }));

  it("checks a file with no record the long way once, refusing a bad one, then records a good one", () =>
    inCache("cache-old", async () => {
      const first = await ensureDevPtau(POWER);
      rmSync(devPtauRecordPath(first.file)); // as an older zkinfer left it
      await corrupt(first.file);
      const again = await ensureDevPtau(POWER);
      expect(again.generated).toBe(true);
      expect(again.warning).toMatch(
        /the cached development ptau failed its check and was generated again \(.*section 12 \(tau Lagrange, G1\)/,
      );
      rmSync(devPtauRecordPath(again.file));
      utimesSync(again.file, new Date(), new Date(Date.now() + 5000));
      expect((await ensureDevPtau(POWER)).verdict).toEqual({ method: "consistency", power: POWER });
      expect(JSON.parse(readFileSync(devPtauRecordPath(again.file), "utf8"))).toMatchObject({
        power: POWER,
        blake2b: await fileDigestHex(again.file, "blake2b512"),
      });
    }));
});

describe("zkinfer setup --ptau", () => {
  it("exits 2 on a bad file, naming the file and the failed check, and writes nothing", async () => {
    const dir = path.join(root, "circuit");
    const meta = (
      await compileToDir(
        fixture("cancer_logreg", "model.onnx"),
        fixture("cancer_logreg", "calibration.json"),
        dir,
        DEFAULT_COMPILE,
      )
    ).meta;
    const power = meta.circuit.ptauPower;
    const source = (await ensureDevPtau(power)).file; // from the test cache
    const l = await readPtauLayout(source);
    const bad = tampered(
      "for-setup",
      (b) => swapPoints(b, l, S.LAGRANGE_TAU_G1, "G1", level(power) + 5, level(power) + 6),
      source,
    );
    const r = zkinfer(["setup", dir, "--ptau", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${bad}: section 12 (tau Lagrange, G1) is not consistent with the tau powers (section 2): not a valid prepared powers-of-tau file`,
    );
    for (const name of ["zkey", "vkey", "setup"] as const) expect(existsSync(artifact(dir, name)), name).toBe(false);

    // with a good file it sets up; again, it skips; keys recorded without a ptau check are made again
    expect((await setupDir(dir, { ptau: source })).info.ptau.check?.method).toBe("consistency");
    expect((await setupDir(dir, { ptau: source })).skipped).toBe(true);
    const record = JSON.parse(readFileSync(artifact(dir, "setup"), "utf8")) as { ptau: Record<string, unknown> };
    delete record.ptau.check;
    writeFileSync(artifact(dir, "setup"), JSON.stringify(record));
    expect((await setupDir(dir, { ptau: source })).skipped).toBe(false);
  });
});
