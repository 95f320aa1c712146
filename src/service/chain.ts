/**
 * The seam where split models slot in: how a proof request becomes tasks, one per circuit, and
 * how the checked proofs of those tasks become one answer.
 *
 *   planTasks      request → tasks. A single model: one task, the quantized input with the
 *                  request's salts. A split model: the service runs the segments' witnesses
 *                  (cheap next to proving), draws the salts of every boundary commitment, and
 *                  makes one task per segment with its own input, so all segments prove at once.
 *   assembleChain  every task's checked proof → the result. A single model: its proof. A split
 *                  model: the chain, each segment's input commitment equal to the previous
 *                  segment's output commitment, the first input and the last output those of
 *                  the request.
 *
 * STUB: only single-circuit models exist today; the split-proving issue (compile
 * --max-constraints, a manifest of segment directories chained by salted Poseidon commitments)
 * has not landed. Both functions refuse a split model with an error saying so; the job model
 * (one child job per task in a BullMQ flow, per-task attempts and rejections) already carries
 * any number of tasks.
 */
import type { Groth16Proof } from "snarkjs";
import type { ServedModel } from "./registry.js";
import type { TaskSpec } from "./jobs.js";
import type { SaltStrings } from "./circuit.js";
import type { IntTensor } from "../quantize/qgraph.js";
import { ZkError } from "../errors.js";

/** A task whose returned proof the service has verified, with the outputs of its own witness. */
export interface CheckedTask {
  readonly spec: TaskSpec;
  readonly proof: Groth16Proof;
  readonly public: readonly string[];
  /** the circuit's outputs on this task's input, from the service's own witness */
  readonly outputs: readonly IntTensor[];
}

export interface Chain {
  /** the proof and public signals a verifier checks against the model's key (single models) */
  readonly proof: Groth16Proof;
  readonly public: readonly string[];
  /** the model's outputs (the last segment's, for a split model) */
  readonly outputs: readonly IntTensor[];
}

function refuseSplit(model: ServedModel): never {
  throw new ZkError(
    "BAD_OPTION",
    `${model.name} is a split model; proving split models through the service waits for the split-proving issue`,
  );
}

export async function planTasks(model: ServedModel, input: IntTensor, salts: SaltStrings): Promise<TaskSpec[]> {
  if (model.kind !== "single" || model.circuits.length !== 1) refuseSplit(model);
  return [{ circuit: model.circuits[0]!.id, input: Array.from(input.data), salts }];
}

/** Combines checked tasks (in plan order) into the answer; a broken link would be an error naming the segments. */
export function assembleChain(model: ServedModel, tasks: readonly CheckedTask[]): Chain {
  if (model.kind !== "single" || tasks.length !== 1) refuseSplit(model);
  const t = tasks[0]!;
  return { proof: t.proof, public: t.public, outputs: t.outputs };
}
