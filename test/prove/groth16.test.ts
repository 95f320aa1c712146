/**
 * zkinfer's Groth16 prover (prove/groth16.ts) against snarkjs's verifier: its proofs of real
 * circuits verify, one opened key proves many witnesses (each proof fresh), however many threads
 * share the key; a witness that breaks one constraint, or a public signal changed after, gives
 * a proof snarkjs refuses; a wrong witness length or a damaged key is named before any work.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import type { VerificationKey } from "snarkjs";
import { artifact } from "../../src/artifacts.js";
import { proveDir } from "../../src/prove/prove.js";
import { Groth16Prover } from "../../src/prove/groth16.js";
import { readZkeyLayout, ZKEY_SECTION } from "../../src/formats/zkey.js";
import { allocWtns, readWtns } from "../../src/formats/wtns.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { P as R } from "../../src/field.js";
import { ZkError } from "../../src/errors.js";
import { loadSamples, setUpFixture } from "../helpers/fixtures.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-groth16-"));
let dir = "";
let vkey: VerificationKey;
/** .wtns files of two inputs, from zkinfer prove */
const wtns: Uint8Array[] = [];

beforeAll(async () => {
  dir = path.join(root, "mlp");
  await setUpFixture("digits_mlp", dir);
  vkey = JSON.parse(readFileSync(artifact(dir, "vkey"), "utf8")) as VerificationKey;
  for (const i of [0, 1]) {
    const input = path.join(root, `input${i}.json`);
    writeFileSync(input, JSON.stringify({ input: loadSamples("digits_mlp").inputs[i] }));
    const r = await proveDir(dir, input, { outDir: path.join(root, `p${i}`) });
    wtns.push(new Uint8Array(readFileSync(r.witnessFile)));
  }
}, 120_000);

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

/** The witness with wire `wire` moved by `delta` (mod r). */
function withWire(bytes: Uint8Array, wire: number, delta: bigint): Uint8Array {
  const w = readWtns(bytes);
  const out = allocWtns(w.nWires);
  out.bytes.set(w.data, out.dataOffset);
  const at = out.dataOffset + 32 * wire;
  let v = 0n;
  for (let b = 31; b >= 0; b--) v = (v << 8n) | BigInt(out.bytes[at + b]!);
  v = (v + delta + R) % R;
  for (let b = 0; b < 32; b++, v >>= 8n) out.bytes[at + b] = Number(v & 0xffn);
  return out.bytes;
}

describe("Groth16Prover", () => {
  it("proves two witnesses with one opened key, in one thread and in three, and snarkjs verifies every proof", async () => {
    for (const threads of [1, 3]) {
      const prover = await Groth16Prover.open(artifact(dir, "zkey"), { threads });
      try {
        expect(prover.threadCount).toBe(threads);
        const seen = new Set<string>();
        for (const [i, w] of [wtns[0]!, wtns[1]!, wtns[0]!].entries()) {
          const { proof, publicSignals } = await prover.prove(w);
          const want = JSON.parse(readFileSync(path.join(root, `p${i % 2}`, "public.json"), "utf8")) as string[];
          expect(publicSignals, `threads ${threads}, proof ${i}`).toEqual(want);
          expect(await snarkjs.groth16.verify(vkey, publicSignals, proof), `threads ${threads}, proof ${i}`).toBe(true);
          seen.add(JSON.stringify(proof.pi_a));
          const changed = [...publicSignals];
          changed[0] = ((BigInt(changed[0]!) + 1n) % R).toString();
          expect(await snarkjs.groth16.verify(vkey, changed, proof), "a changed public signal").toBe(false);
        }
        expect(seen.size, "every proof has fresh r and s").toBe(3);
        // asked for at once (a service worker running jobs side by side): each still its own proof
        const both = await Promise.all([prover.prove(wtns[0]!), prover.prove(wtns[1]!)]);
        for (const [i, { proof, publicSignals }] of both.entries())
          expect(await snarkjs.groth16.verify(vkey, publicSignals, proof), `threads ${threads}, at once ${i}`).toBe(
            true,
          );
      } finally {
        await prover.close();
      }
    }
  });

  it("gives no valid proof for a witness that breaks a constraint, whichever wire was changed", async () => {
    const prover = await Groth16Prover.open(artifact(dir, "zkey"), { threads: 2 });
    try {
      const { nWires } = readWtns(wtns[0]!);
      const nPublic = (JSON.parse(readFileSync(path.join(root, "p0", "public.json"), "utf8")) as string[]).length;
      // an output (public), the first private wire, one in the middle, the last
      for (const wire of [1, nPublic + 1, Math.floor(nWires / 2), nWires - 1]) {
        const { proof, publicSignals } = await prover.prove(withWire(wtns[0]!, wire, 1n));
        expect(await snarkjs.groth16.verify(vkey, publicSignals, proof), `wire ${wire} moved by 1`).toBe(false);
      }
    } finally {
      await prover.close();
    }
  });

  it("a thread that dies fails the proof with an error naming it, and says the prover is failed", async () => {
    const prover = await Groth16Prover.open(artifact(dir, "zkey"), { threads: 2 });
    try {
      expect(prover.failed).toBe(false);
      // as if the thread ran out of memory: end it from outside
      const inside = prover as unknown as { threads: { worker: { terminate(): Promise<number> } }[] };
      await inside.threads[1]!.worker.terminate();
      await expect(prover.prove(wtns[0]!)).rejects.toThrow(/prover thread 1 exited \(code \d+\) before answering/);
      expect(prover.failed).toBe(true);
      // every later proof fails the same way, never hangs (vitest would also report an unhandled rejection)
      await expect(prover.prove(wtns[1]!)).rejects.toThrow(ZkError);
    } finally {
      await prover.close();
    }
    expect(prover.failed, "a closed prover is not a failed one").toBe(false);
  });

  it("names a witness of the wrong length and a damaged key", async () => {
    const prover = await Groth16Prover.open(artifact(dir, "zkey"), { threads: 1 });
    try {
      const short = allocWtns(readWtns(wtns[0]!).nWires - 1).bytes;
      await expect(prover.prove(short, "short.wtns")).rejects.toThrow(
        /short\.wtns has \d+ wires, and the proving key .* was made for \d+/,
      );
      // a wire of r itself: not a field element (the sums would drop its top bits)
      const { nWires } = readWtns(wtns[0]!);
      const big = withWire(wtns[0]!, 7, 0n);
      const at = allocWtns(nWires).dataOffset + 32 * 7;
      let v = R;
      for (let b = 0; b < 32; b++, v >>= 8n) big[at + b] = Number(v & 0xffn);
      await expect(prover.prove(big, "big.wtns")).rejects.toThrow(
        "big.wtns: wire 7 is not below the field's modulus r",
      );
      // the prover still proves after refusing
      const ok = await prover.prove(wtns[0]!);
      expect(await snarkjs.groth16.verify(vkey, ok.publicSignals, ok.proof)).toBe(true);
    } finally {
      await prover.close();
    }
    const key = new Uint8Array(readFileSync(artifact(dir, "zkey")));
    const layout = await readZkeyLayout(artifact(dir, "zkey"));
    const cut = path.join(root, "cut.zkey");
    writeFileSync(cut, key.subarray(0, layout.sections.get(ZKEY_SECTION.H)!.start + 100));
    await expect(Groth16Prover.open(cut)).rejects.toThrow(ZkError);
    await expect(Groth16Prover.open(cut)).rejects.toThrow(/cut\.zkey: section \d+ overruns the file/);
    const other = path.join(root, "other.zkey");
    writeFileSync(other, readFileSync(artifact(dir, "r1cs")));
    await expect(Groth16Prover.open(other)).rejects.toThrow(/other\.zkey: magic "r1cs"/);
    await expect(Groth16Prover.open(path.join(root, "none.zkey"))).rejects.toThrow(/proving key not found/);
  });
});
