/**
 * A piscina worker of the witness pool: builds one single-threaded generator for the plan it
 * was started with, then turns inputs into whole witnesses, handing the bytes back.
 */
import { workerData } from "node:worker_threads";
import type { Salts, WitnessPlan } from "../circuit/plan.js";
import type { IntTensor } from "../quantize/qgraph.js";
import { witnessGenerator, type Backend, type WitnessGenerator } from "./witness.js";
import { isZkError } from "../errors.js";

const { plan, backend } = workerData as { plan: WitnessPlan; backend: Backend };
let generator: Promise<WitnessGenerator> | null = null;

export default async function witness({ input, salts }: { input: IntTensor; salts: Salts }) {
  generator ??= witnessGenerator(plan, { backend, threads: 1 });
  try {
    const r = await (await generator).witness(input, salts);
    // r.wtns is a view into the kernels' whole memory, which a structured clone would copy
    // entire (weights, tensors, scratch): copy out just the .wtns bytes
    return { wtns: r.wtns.slice(), outputs: r.outputs.map((t) => ({ shape: t.shape, data: t.data })) };
  } catch (e) {
    // a ZkError's code does not survive the thread boundary: send it as data
    if (isZkError(e)) return { error: { code: e.code, message: e.message } };
    throw e;
  }
}
