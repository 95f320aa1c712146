/**
 * Many inputs, one plan: whole witnesses computed side by side in a piscina pool, one
 * single-threaded generator per worker (so a batch uses every core even when each witness
 * is too small to split). One input at a time is better served by `witnessGenerator`, whose
 * threads split a big layer into row tiles instead.
 */
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { Piscina } from "piscina";
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import type { IntTensor } from "../quantize/qgraph.js";
import { packageRoot } from "../util/paths.js";
import { ZkError, type ZkErrorCode } from "../errors.js";
import { witnessGenerator, type Backend, type WitnessGenerator, type WitnessResult } from "./witness.js";

/** Like a WitnessGenerator, but calls may overlap and each result owns its bytes. */
export type WitnessPool = WitnessGenerator;

export async function witnessPool(plan: WitnessPlan, opts: { backend?: Backend; workers: number }): Promise<WitnessPool> {
  const backend = opts.backend ?? "wasm";
  if (opts.workers <= 1) {
    // one generator, calls serialised (its wtns buffer is reused between calls)
    const g = await witnessGenerator(plan, { backend, threads: 1 });
    let last: Promise<unknown> = Promise.resolve();
    return {
      witness(input, salts) {
        const r = last.then(async () => {
          const w = await g.witness(input, salts);
          return { wtns: w.wtns.slice(), outputs: w.outputs } as WitnessResult;
        });
        last = r.catch(() => undefined);
        return r;
      },
      close: () => g.close(),
    };
  }
  // workers run compiled JavaScript (dist/), whichever way this module was loaded
  const filename = pathToFileURL(path.join(packageRoot(), "dist", "src", "witness", "pool-worker.js")).href;
  const pool = new Piscina({ filename, minThreads: opts.workers, maxThreads: opts.workers, workerData: { plan, backend }, idleTimeout: 60_000 });
  return {
    async witness(input: IntTensor, salts: Salts = {}) {
      const r = (await pool.run({ input: { shape: input.shape, data: input.data }, salts })) as WitnessResult | { error: { code: ZkErrorCode; message: string } };
      if ("error" in r) throw new ZkError(r.error.code, r.error.message);
      return r;
    },
    close: () => pool.destroy(),
  };
}
