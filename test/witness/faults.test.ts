/**
 * A witness worker that throws or dies reaches the caller as an error carrying its message,
 * never as a hang: faults injected through the test-only hook (src/witness/fault.ts) at a
 * chosen kernel call, and workers killed from outside with terminate(). Both kinds of worker:
 * the threads of one witness (wasm/team.ts) and the batch pool (pool.ts). Times are asserted
 * loosely (a shared machine); what matters is that each promise settles, which `settles`
 * checks well before the test runner's own timeout.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { compileModel, DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { witnessGenerator, type WitnessGenerator } from "../../src/witness/witness.js";
import { witnessPool } from "../../src/witness/pool.js";
import { faultFromEnv, type Fault } from "../../src/witness/fault.js";
import type { WitnessPlan } from "../../src/circuit/plan.js";
import type { WorkerThread } from "../../src/witness/backend.js";
import type { IntTensor } from "../../src/quantize/qgraph.js";
import { sizeOf } from "../../src/model/shapes.js";
import { isZkError } from "../../src/errors.js";
import { fixture } from "../helpers/fixtures.js";

let plan: WitnessPlan;
let input: IntTensor;
let reference: Uint8Array;

beforeAll(async () => {
  const c = compileModel(
    readFileSync(fixture("digits_cnn", "model.onnx")),
    JSON.parse(readFileSync(fixture("digits_cnn", "calibration.json"), "utf8")),
    DEFAULT_COMPILE,
    { model: "digits_cnn", calibration: "c" },
  );
  plan = c.circuit.plan;
  const [lo, hi] = c.meta.input.range;
  input = {
    shape: c.meta.input.shape,
    data: Float64Array.from({ length: sizeOf(c.meta.input.shape) }, (_, i) => lo + ((i * 7) % (hi - lo + 1))),
  };
  const js = await witnessGenerator(plan, { backend: "js" });
  reference = (await js.witness(input)).wtns.slice();
});

/** Two threads, every kernel call split, so the worker takes part in every call. */
const threaded = (fault: Fault | null, onWorker?: (w: WorkerThread) => void) =>
  witnessGenerator(plan, { backend: "wasm", threads: 2, splitAbove: 0, fault, onWorker });

/** `p`'s rejection and how long it took; fails (instead of hanging) if it has not settled in 10 s. */
async function rejection(p: Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const t = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error("hung: not settled in 10 s")), 10_000)),
  );
  try {
    await Promise.race([p, hang]);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("hung:")) throw e;
    return { error: e as Error, ms: performance.now() - t };
  } finally {
    clearTimeout(timer);
  }
  throw new Error("expected a rejection, got a result");
}

async function expectSameWitness(g: WitnessGenerator): Promise<void> {
  expect(Buffer.compare(Buffer.from((await g.witness(input)).wtns), Buffer.from(reference))).toBe(0);
}

describe("threads of one witness", () => {
  it("a kernel that throws in a worker rejects with its message, and the generator still works", async () => {
    const g = await threaded({ kind: "throw", call: 3 });
    try {
      const { error, ms } = await rejection(g.witness(input));
      expect(isZkError(error) && error.code).toBe("WORKER");
      expect(error.message).toMatch(
        /^witness worker 1 failed while computing step \d+ \([a-z ]+\) in kernel \w+: injected fault: kernel call 3 \(\w+\) threw$/,
      );
      expect(ms).toBeLessThan(5000);
      await expectSameWitness(g);
    } finally {
      await g.close();
    }
  });

  it("an exception that kills a worker rejects with its message and the exit code; later calls reject at once", async () => {
    const g = await threaded({ kind: "crash", call: 3 });
    try {
      const { error, ms } = await rejection(g.witness(input));
      expect(error.message).toMatch(
        /^witness worker 1 died \(exit code 1\) while computing step \d+ \([a-z ]+\) in kernel \w+: injected crash at kernel call 3 \(\w+\)$/,
      );
      expect(ms).toBeLessThan(5000);
      expect((await rejection(g.witness(input))).error.message).toBe(error.message);
    } finally {
      await g.close();
    }
  });

  it("a worker that calls process.exit mid-witness rejects with its exit code", async () => {
    const g = await threaded({ kind: "exit", call: 5 });
    try {
      const { error } = await rejection(g.witness(input));
      expect(error.message).toMatch(
        /^witness worker 1 died \(exit code 3\) while computing step \d+ \([a-z ]+\) in kernel \w+$/,
      );
    } finally {
      await g.close();
    }
  });

  it("a worker killed from outside mid-witness (terminate) rejects, no hang", async () => {
    let worker: WorkerThread | undefined;
    // the worker wedges in its 4th call, so the witness is surely still running when it is killed
    const g = await threaded({ kind: "stall", call: 4 }, (w) => (worker = w));
    try {
      const p = g.witness(input);
      setTimeout(() => void worker!.terminate(), 200);
      const { error, ms } = await rejection(p);
      expect(error.message).toMatch(
        /^witness worker 1 died \(exit code 1\) while computing step \d+ \([a-z ]+\) in kernel \w+$/,
      );
      expect(ms).toBeLessThan(5000);
    } finally {
      await g.close();
    }
  });

  it("closing the generator under a running witness rejects it, no hang", async () => {
    const g = await threaded({ kind: "stall", call: 4 });
    const rejected = rejection(g.witness(input));
    await new Promise((r) => setTimeout(r, 100));
    await g.close();
    expect((await rejected).error.message).toBe("the witness threads have been closed");
  });

  it("a worker that dies between witnesses fails the next one at once", async () => {
    let worker: WorkerThread | undefined;
    const g = await threaded(null, (w) => (worker = w));
    try {
      await expectSameWitness(g);
      await worker!.terminate();
      await new Promise((r) => setImmediate(r)); // the 'exit' event
      expect((await rejection(g.witness(input))).error.message).toBe("witness worker 1 died (exit code 1) while idle");
    } finally {
      await g.close();
    }
  });
});

describe("the batch pool", () => {
  it("a worker that exits mid-witness rejects with where it was; the pool is torn down", async () => {
    const pool = await witnessPool(plan, { workers: 2, fault: { kind: "exit", call: 3 } });
    try {
      const { error, ms } = await rejection(pool.witness(input));
      expect(isZkError(error) && error.code).toBe("WORKER");
      expect(error.message).toMatch(
        /^witness worker \(thread \d+\) died while computing step \d+ \([a-z ]+\): worker exited with code: 3$/,
      );
      expect(ms).toBeLessThan(5000);
      expect((await rejection(pool.witness(input))).error.message).toBe(error.message);
    } finally {
      await pool.close();
    }
  });

  it("a kernel that throws rejects that witness with its message; the pool goes on", async () => {
    const pool = await witnessPool(plan, { workers: 2, fault: { kind: "throw", call: 3 } });
    try {
      const { error } = await rejection(pool.witness(input));
      expect(error.message).toMatch(
        /^witness worker \(thread \d+\) failed while computing step \d+ \([a-z ]+\): injected fault: kernel call 3 \(\w+\) threw$/,
      );
      // each worker strikes once, at its own third call: past that, witnesses are whole again
      const later = await Promise.allSettled([1, 2, 3].map(async () => (await pool.witness(input)).wtns));
      const ok = later.filter((r) => r.status === "fulfilled");
      expect(ok.length).toBeGreaterThanOrEqual(2);
      for (const r of ok) expect(Buffer.compare(Buffer.from(r.value), Buffer.from(reference))).toBe(0);
    } finally {
      await pool.close();
    }
  });
});

describe("ZKINFER_TEST_FAULT", () => {
  it("is KIND@CALL, and anything else is refused", () => {
    expect(faultFromEnv("exit@3")).toEqual({ kind: "exit", call: 3 });
    expect(faultFromEnv("")).toBeNull();
    for (const bad of ["exit", "boom@3", "exit@0", "exit@x"])
      expect(() => faultFromEnv(bad)).toThrow(/ZKINFER_TEST_FAULT must be KIND@CALL/);
  });
});
