/**
 * Development keys written directly (dev-zkey.ts): with delta = 1 the file is snarkjs's
 * `zkey new` of a development ptau of the same secrets, byte for byte, every section; with a
 * random delta snarkjs's `zkey verify` against that ptau accepts it (and refuses a key of
 * other secrets), its proofs verify, a tampered public signal is refused, and the CLI's setup,
 * prove and verify go round.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import type { Groth16Proof, VerificationKey } from "snarkjs";
import { randomScalar, writeDevPtau } from "../../src/prove/ptau.js";
import { writeDevZkey } from "../../src/prove/dev-zkey.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { readBinFile } from "../../src/formats/binfile.js";
import { readR1cs } from "../../src/formats/r1cs.js";
import { openR1csStream } from "../../src/formats/r1cs-stream.js";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { artifact, compileToDir } from "../../src/artifacts.js";
import { setupDir, readSetupInfo } from "../../src/prove/setup.js";
import { proveDir } from "../../src/prove/prove.js";
import { P as R, readBigField } from "../../src/field.js";
import { ZkError } from "../../src/errors.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";
import { zkinfer } from "../helpers/cli.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-dev-zkey-"));
const secrets = { tau: 0x1234567890abcdefn ** 3n % R, alpha: 987654321987654321n, beta: R - 5555n };

async function compiled(name: string, as = name): Promise<{ dir: string; power: number }> {
  const dir = path.join(root, as);
  const { meta } = await compileToDir(
    fixture(name, "model.onnx"),
    fixture(name, "calibration.json"),
    dir,
    DEFAULT_COMPILE,
  );
  return { dir, power: meta.circuit.ptauPower };
}

function sections(file: string): Map<number, Uint8Array> {
  const f = readBinFile(readFileSync(file), "zkey", 1, file);
  const out = new Map<number, Uint8Array>();
  for (let t = 1; t <= 10; t++) {
    const r = f.section(t, `section ${t}`);
    out.set(t, r.bytes(r.remaining));
  }
  return out;
}

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

describe("writeDevZkey", () => {
  it("with delta = 1 writes snarkjs's zkey new of the same secrets' ptau byte for byte; with a random one, a key snarkjs's zkey verify accepts", async () => {
    const { dir, power } = await compiled("cancer_logreg");
    const r1cs = artifact(dir, "r1cs");
    const ptau = path.join(root, "known.ptau");
    await writeDevPtau(power, ptau, secrets);
    const theirs = path.join(root, "snarkjs.zkey");
    await snarkjs.zKey.newZKey(r1cs, ptau, theirs);
    const ours = path.join(root, "direct.zkey");
    // small chunks and three threads: chunk boundaries inside every section; the circuit read 100 bytes at a time
    await writeDevZkey(
      r1cs,
      ours,
      { ...secrets, delta: 1n },
      { threads: 3, chunkPoints: { G1: 50, G2: 17 }, readBytes: 100 },
    );
    const [a, b] = [sections(theirs), sections(ours)];
    for (let t = 1; t <= 10; t++) expect(Buffer.compare(b.get(t)!, a.get(t)!), `section ${t}`).toBe(0);
    expect(Buffer.compare(readFileSync(ours), readFileSync(theirs)), "the whole file").toBe(0);

    // with a random delta: what zkey new + one contribution would be, by snarkjs's own check
    const contributed = path.join(root, "contributed.zkey");
    await writeDevZkey(r1cs, contributed, { ...secrets, delta: randomScalar() }, { threads: 2 });
    expect(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, contributed), "a direct key with a random delta").toBe(true);
    const c = sections(contributed);
    for (const t of [1, 3, 4, 5, 6, 7]) expect(Buffer.compare(c.get(t)!, a.get(t)!), `section ${t}`).toBe(0);
    expect(Buffer.compare(c.get(10)!.subarray(0, 64), a.get(10)!.subarray(0, 64)), "csHash").toBe(0);
    // and one from other secrets is refused by the same check
    const other = path.join(root, "other.zkey");
    await writeDevZkey(r1cs, other, { ...secrets, tau: secrets.tau + 1n, delta: randomScalar() }, { threads: 2 });
    expect(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, other), "a key of another tau").toBe(false);
  });

  it("refuses secrets that cannot make a key, and a file that is not a circuit, naming it", async () => {
    const { dir } = await compiled("cancer_logreg", "refusals");
    const r1cs = artifact(dir, "r1cs");
    await expect(writeDevZkey(r1cs, path.join(root, "x.zkey"), { ...secrets, delta: R })).rejects.toThrow(
      /secret delta is zero/,
    );
    await expect(writeDevZkey(r1cs, path.join(root, "x.zkey"), { ...secrets, tau: 1n, delta: 2n })).rejects.toThrow(
      /tau lies on the domain/,
    );
    const junk = path.join(root, "junk.r1cs");
    writeFileSync(junk, "not a circuit at all");
    const e = await writeDevZkey(junk, path.join(root, "x.zkey"), { ...secrets, delta: 2n }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ZkError);
    expect((e as ZkError).message).toContain(junk);
  });
});

describe("openR1csStream", () => {
  it("gives every term readR1cs reads, in order, whatever its buffer, and names the file it refuses", async () => {
    const { dir } = await compiled("digits_mlp", "stream");
    const file = artifact(dir, "r1cs");
    const want: string[] = [];
    readR1cs(readFileSync(file)).constraints.forEach((abc, c) =>
      abc.forEach((lc, k) => lc.wires.forEach((w, i) => want.push(`${c} ${k} ${w} ${lc.coeffs[i]!}`))),
    );
    for (const size of [36, 37, 100, 4 << 20]) {
      const s = await openR1csStream(file, size);
      const got: string[] = [];
      await s.forEachTerm((c, k, w, b, at) => got.push(`${c} ${k} ${w} ${readBigField(new DataView(b.buffer), at)}`));
      await s.close();
      expect(got.length, `buffer ${size}`).toBe(want.length);
      expect(got, `buffer ${size}`).toEqual(want);
    }
    const bytes = readFileSync(file);
    const cut = path.join(root, "cut.r1cs");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 1000));
    await expect(openR1csStream(cut)).rejects.toThrow(`${cut}: section`);
  });
});

describe("a direct development setup", () => {
  it("proves and verifies two fixtures with snarkjs, and refuses a tampered public signal", async () => {
    for (const name of ["cancer_logreg", "digits_mlp"] as const) {
      const { dir, power } = await compiled(name, `${name}-setup`);
      const r = await setupDir(dir);
      expect(r.info.ptau).toMatchObject({ development: true, power, check: { method: "direct", power } });
      const input = path.join(dir, "input.json");
      writeFileSync(input, JSON.stringify({ input: loadSamples(name).inputs[0] }));
      const proved = await proveDir(dir, input, { check: true });
      const vkey = JSON.parse(readFileSync(artifact(dir, "vkey"), "utf8")) as VerificationKey;
      const pub = JSON.parse(readFileSync(proved.publicFile, "utf8")) as string[];
      const proof = JSON.parse(readFileSync(proved.proofFile, "utf8")) as Groth16Proof;
      expect(await snarkjs.groth16.verify(vkey, pub, proof), `${name}: a proof from zkinfer prove`).toBe(true);
      // snarkjs's own prover on the key and the witness
      const direct = await snarkjs.groth16.prove(artifact(dir, "zkey"), proved.witnessFile);
      expect(await snarkjs.groth16.verify(vkey, direct.publicSignals, direct.proof), `${name}: snarkjs prove`).toBe(
        true,
      );
      const tampered = [...pub];
      tampered[0] = ((BigInt(tampered[0]!) + 1n) % R).toString();
      expect(await snarkjs.groth16.verify(vkey, tampered, proof), `${name}: tampered public signal`).toBe(false);
      expect((await setupDir(dir)).skipped, `${name}: setup again skips`).toBe(true);
      expect((await readSetupInfo(dir)).zkeySha256).toBe(r.info.zkeySha256);
    }
  });

  it("goes round the CLI: setup, prove, verify", async () => {
    const { dir } = await compiled("cancer_logreg", "cli");
    const input = path.join(dir, "input.json");
    writeFileSync(input, JSON.stringify({ input: loadSamples("cancer_logreg").inputs[1] }));
    const setup = zkinfer(["setup", dir]);
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout + setup.stderr).toMatch(/direct/);
    const prove = zkinfer(["prove", dir, "--input", input]);
    expect(prove.code, prove.stderr).toBe(0);
    const verify = zkinfer(["verify", dir]);
    expect(verify.code, verify.stderr).toBe(0);
  });
});
