/**
 * How a proof request becomes tasks, one per circuit, and how the checked proofs of those tasks
 * become one answer. The service (trusted) does both; workers only prove tasks.
 *
 *   requestSalts   the salts a client sees and may reuse: the model input's (a salted hashed
 *                  input) and the model output's (a salted hashed output). A split model's cut
 *                  salts are not among them: they would open the intermediate tensors.
 *   planTasks      request → tasks. A single model: one task, the quantized input with the
 *                  request's salts. A split model: the service runs the segments' witnesses in
 *                  chain order (cheap next to proving: each segment's input is the previous one's
 *                  output), draws a fresh salt per cut, shared by the producer's output
 *                  commitment and the consumer's input commitment, and makes one task per segment
 *                  with its own input, so every segment proves at once on whichever workers are free.
 *   assembleChain  every task's checked proof → the result. A single model: its proof.json and
 *                  public.json. A split model: the chain files `zkinfer prove` writes for a split
 *                  directory (P/proof.json, P/public.json), checked link by link, so
 *                  `zkinfer verify DIR` and the `zkinfer/verify` module take them as they are.
 */
import type { Groth16Proof } from "snarkjs";
import type { ServedModel } from "./registry.js";
import type { TaskSpec } from "./jobs.js";
import { saltsFromStrings, saltsToStrings, type CircuitLoader, type SaltStrings } from "./circuit.js";
import { asNarrow, type IntTensor, type PlanValue } from "../quantize/qgraph.js";
import type { Salts } from "../circuit/plan.js";
import { chainSalts, saltsFor } from "../circuit/salts.js";
import {
  brokenLink,
  chainFiles,
  chainOutputs,
  type ChainProofFile,
  type ChainPublicFile,
  type SplitManifest,
} from "../meta/split.js";
import { decodeOutputs, type DecodedTensor } from "../meta/signals.js";

/** A task whose returned proof the service has verified, with the outputs of its own witness. */
export interface CheckedTask {
  readonly spec: TaskSpec;
  readonly proof: Groth16Proof;
  readonly public: readonly string[];
  /** the circuit's outputs on this task's input, from the service's own witness */
  readonly outputs: readonly PlanValue[];
}

export interface Chain {
  /** proof.json: snarkjs's for a single model, the chain proof file for a split one */
  readonly proof: Groth16Proof | ChainProofFile;
  /** public.json: snarkjs's list for a single model, the chain's public signals file for a split one */
  readonly public: readonly string[] | ChainPublicFile;
  /** the model's outputs (the last segment's, for a split model) */
  readonly outputs: readonly PlanValue[];
  /** what the public signals show: the input side of the first circuit, the outputs of the last */
  readonly decoded: readonly DecodedTensor[];
}

/** The request's own salts (see the header); `given` is the client's input salt, if any. */
export function requestSalts(model: ServedModel, given: Salts): Salts {
  const first = saltsFor(model.circuits[0]!.meta, given);
  if (model.kind === "single") return first;
  const last = saltsFor(model.circuits[model.circuits.length - 1]!.meta);
  return {
    ...(first.input === undefined ? {} : { input: first.input }),
    ...(last.output === undefined ? {} : { output: last.output }),
  };
}

function manifestOf(model: ServedModel): SplitManifest {
  if (!model.manifest) throw new Error(`${model.name} is a split model without its manifest`);
  return model.manifest;
}

export async function planTasks(
  model: ServedModel,
  input: IntTensor,
  salts: SaltStrings,
  circuits: CircuitLoader,
): Promise<TaskSpec[]> {
  if (model.kind === "single") return [{ circuit: model.circuits[0]!.id, input: Array.from(input.data), salts }];
  const segSalts = chainSalts(
    model.circuits.map((c) => c.meta),
    saltsFromStrings(salts),
  );
  const tasks: TaskSpec[] = [];
  let x = input;
  for (const [i, entry] of model.circuits.entries()) {
    tasks.push({ circuit: entry.id, input: Array.from(x.data), salts: saltsToStrings(segSalts[i]!) });
    if (i === model.circuits.length - 1) break;
    x = asNarrow((await (await circuits.get(entry.id)).witness(x, segSalts[i]!)).outputs[0]!, `segment ${i}'s output`);
  }
  return tasks;
}

/**
 * Combines checked tasks (in plan order) into the answer. Each task was checked against the
 * service's own witness of it and the plan chains by construction, so a broken link here is a
 * bug (or a plan edited in Redis): refused, naming the segments, never returned.
 */
export function assembleChain(model: ServedModel, tasks: readonly CheckedTask[]): Chain {
  if (tasks.length !== model.circuits.length)
    throw new Error(`${model.name}: ${tasks.length} checked tasks for ${model.circuits.length} circuits`);
  tasks.forEach((t, i) => {
    if (t.spec.circuit !== model.circuits[i]!.id)
      throw new Error(`${model.name}: task ${i} proved circuit ${t.spec.circuit}, not segment ${i}'s`);
  });
  const metas = model.circuits.map((c) => c.meta);
  const last = tasks[tasks.length - 1]!;
  if (model.kind === "single")
    return {
      proof: last.proof,
      public: last.public,
      outputs: last.outputs,
      decoded: decodeOutputs(metas[0]!, last.public),
    };
  const m = manifestOf(model);
  const broken = brokenLink(
    m,
    tasks.map((t) => t.public),
  );
  if (broken >= 0)
    throw new Error(
      `${model.name}: segment ${broken}'s output commitment is not segment ${broken + 1}'s input commitment`,
    );
  const files = chainFiles(m, tasks);
  return {
    ...files,
    outputs: last.outputs,
    decoded: chainOutputs(
      metas,
      tasks.map((t) => t.public),
    ),
  };
}
