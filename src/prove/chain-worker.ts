/**
 * A prover process of the segment pool (chain.ts): sets up one segment of a split model, or
 * proves it for every input of a batch with its key opened once, so segments run side by side,
 * one process per core, each with its own memory. It
 * takes one typed task over IPC and answers it with a typed reply (witness/protocol.ts), an
 * error included, then exits.
 *
 * Processes, not worker threads (piscina): snarkjs's curve library (ffjavascript, through the
 * web-worker shim), which setup with --ptau uses, takes any thread that is not the main one for
 * one of its own workers, and fails on import there. A proof's threads (groth16.ts) are this
 * process's own: when its neighbour finishes first, they have both cores.
 */
import type { Groth16Proof } from "snarkjs";
import { readFileOrFail } from "../util/fsx.js";
import { Groth16Prover } from "./groth16.js";
import { errReply, type Reply } from "../witness/protocol.js";
import { releaseCurve } from "./curve.js";
import { setupDir, type SetupResult } from "./setup.js";

export type SegmentTask =
  | { readonly kind: "setup"; readonly dir: string; readonly ptau?: string; readonly force?: boolean }
  /** proofs of these witnesses (.wtns files) in order, with the key opened once for all of them */
  | { readonly kind: "prove"; readonly zkey: string; readonly wtns: readonly string[] };

export type SegmentReply = Reply<{
  readonly setup?: SetupResult;
  readonly proofs?: readonly {
    readonly proof: Groth16Proof;
    readonly publicSignals: string[];
    /** wall seconds of this proof alone */
    readonly seconds: number;
  }[];
  readonly seconds: number;
  /** this process's peak resident memory, in bytes */
  readonly peakRss: number;
  /** CPU seconds this process used (its threads included): over wall time, how busy the cores were */
  readonly cpuSeconds: number;
}>;

async function proveAll(zkey: string, wtns: readonly string[]) {
  const prover = await Groth16Prover.open(zkey);
  try {
    const out = [];
    for (const file of wtns) {
      const t = performance.now();
      const { proof, publicSignals } = await prover.prove(await readFileOrFail(file, "witness"), file);
      out.push({ proof, publicSignals, seconds: (performance.now() - t) / 1000 });
    }
    return out;
  } finally {
    await prover.close();
  }
}

async function segmentTask(task: SegmentTask): Promise<SegmentReply> {
  const t0 = performance.now();
  try {
    const out =
      task.kind === "setup"
        ? { setup: await setupDir(task.dir, { ptau: task.ptau, force: task.force }) }
        : { proofs: await proveAll(task.zkey, task.wtns) };
    const seconds = (performance.now() - t0) / 1000;
    const u = process.resourceUsage();
    const cpuSeconds = (u.userCPUTime + u.systemCPUTime) / 1e6;
    return { type: "ok", ...out, seconds, peakRss: u.maxRSS * 1024, cpuSeconds };
  } catch (e) {
    return errReply(e);
  } finally {
    await releaseCurve();
  }
}

process.once("message", (task: SegmentTask) => {
  void segmentTask(task).then((reply) => process.send!(reply, () => process.exit(0)));
});
