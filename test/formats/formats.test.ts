import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import { readR1cs, writeR1cs } from "../../src/formats/r1cs.js";
import { allocWtns, readWtns, witnessValues } from "../../src/formats/wtns.js";
import { readBinFile, BinFileWriter } from "../../src/formats/binfile.js";
import { LinearCombination } from "../../src/circuit/lc.js";
import { P, toSigned, writeSignedField, readBigField } from "../../src/field.js";
import { compileCircuit } from "../../src/circuit/compile.js";
import { ZkError } from "../../src/errors.js";
import { loadModel } from "../helpers/fixtures.js";

const L = LinearCombination;

describe("iden3 binary formats", () => {
  it("writes .r1cs that snarkjs reads, and reads it back", async () => {
    const { q } = loadModel("digits_cnn");
    const c = compileCircuit(q, { inputVisibility: "public" });
    const bytes = writeR1cs(c.r1cs);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "r1cs-")), "c.r1cs");
    writeFileSync(file, bytes);
    const info = await snarkjs.r1cs.info(file, { info() {}, warn() {}, error() {}, debug() {} });
    expect(info.nConstraints).toBe(c.r1cs.constraints.length);
    expect(info.nVars).toBe(c.r1cs.nWires);
    expect(info.nOutputs).toBe(10);
    expect(info.nPubInputs).toBe(64);
    expect(info.nPrvInputs).toBe(0);
    const back = readR1cs(bytes);
    expect(back.constraints.length).toBe(c.r1cs.constraints.length);
    const [a] = back.constraints[7]!;
    const orig = c.r1cs.constraints[7]!.a;
    expect(a.wires.length).toBe(orig.size);
  });

  it("round-trips signed values through the .wtns encoding", () => {
    const values = [0, 1, -1, 2 ** 52, -(2 ** 52), 123456789, -987654321, 2 ** 32, -(2 ** 32) - 1];
    const { bytes, dataOffset } = allocWtns(values.length);
    const view = new DataView(bytes.buffer);
    values.forEach((v, i) => writeSignedField(view, dataOffset + 32 * i, v));
    const w = witnessValues(readWtns(bytes));
    expect(w.map((v) => Number(toSigned(v)))).toEqual(values);
    expect(readBigField(view, dataOffset + 32 * 2)).toBe(P - 1n);
  });

  it("rejects truncated, padded, foreign and inconsistent files with a named error", () => {
    const r1cs = writeR1cs({
      nWires: 3,
      nPubOut: 1,
      nPubIn: 0,
      nPrvIn: 1,
      constraints: [{ a: L.wire(1), b: L.wire(2), c: L.wire(2) }],
    });
    expect(readR1cs(r1cs).nWires).toBe(3);
    const bad = (b: Uint8Array, re: RegExp) => {
      expect(() => readR1cs(b, "x.r1cs")).toThrow(ZkError);
      expect(() => readR1cs(b, "x.r1cs")).toThrow(re);
    };
    bad(r1cs.subarray(0, r1cs.length - 5), /claims \d+ bytes but only \d+ remain/);
    bad(new Uint8Array([...r1cs, 0, 0]), /trailing bytes/);
    bad(new TextEncoder().encode("wtns\x02\x00\x00\x00\x00\x00\x00\x00"), /not a r1cs file/);
    bad(r1cs.subarray(0, 8), /too short/);
    const w = new BinFileWriter("r1cs", 1, 1);
    w.section(1, (s) => {
      s.u32(32);
      s.fieldLE(P, 32);
      s.u32(1);
      s.u32(5);
      s.u32(0);
      s.u32(0);
      s.u64(1);
      s.u32(0);
    });
    bad(w.finish(), /6 signal wires but only 1 wires/);
    const wt = allocWtns(4).bytes;
    expect(() => readWtns(wt.subarray(0, wt.length - 32))).toThrow(/claims|header says/);
    expect(() => readBinFile(new Uint8Array(0), "wtns", 2, "empty.wtns")).toThrow(/too short/);
  });
});
