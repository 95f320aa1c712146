/**
 * The service's side of a proof job (the parent of the flow, jobs.ts): workers are untrusted,
 * so nothing they return is accepted unchecked. Once every task is done, each returned proof
 * must (1) parse as a Groth16 proof, (2) carry exactly the public signals that the service's own
 * witness of that task gives (the outputs and commitments of *this* input with *these* salts:
 * a valid proof of another input, or with other salts, fails here) and (3) verify against the
 * circuit's key. A task whose proof fails is recorded against its worker and given to another
 * worker as a new child job (BullMQ's moveToWaitingChildren), up to a bound; then the chain is
 * assembled (chain.ts) and becomes the job's result.
 */
import { UnrecoverableError, WaitingChildrenError, type Job, type JobsOptions, type Queue } from "bullmq";
import type { Groth16Proof } from "snarkjs";
import { loadCircuit, publicSignalsOf, saltsFromStrings, type CircuitLoader, type LoadedCircuit } from "./circuit.js";
import { assembleChain, type CheckedTask } from "./chain.js";
import {
  PREFIX,
  QUEUES,
  taskJobId,
  type ProofJobData,
  type ProofResult,
  type TaskJobData,
  type TaskResult,
  type TaskSpec,
} from "./jobs.js";
import { outputMeta, type ModelStore } from "./registry.js";
import type { WorkerRecords } from "./records.js";
import type { Metrics } from "./metrics.js";
import { parseProof, parsePublic, verifyParsed } from "../verify/core.js";
import { dequantize } from "../quantize/input.js";
import { DEV_WARNING } from "../prove/setup.js";
import { describeError } from "../errors.js";

export type Verdict =
  | { readonly ok: true; readonly checked: CheckedTask }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly kind: "missing" | "malformed" | "wrong-public" | "invalid";
    };

/** Checks one worker's claim for one task (see the header for what is checked, cheapest first). */
export async function checkTask(c: LoadedCircuit, spec: TaskSpec, claim: unknown): Promise<Verdict> {
  if (!claim || typeof claim !== "object")
    return { ok: false, kind: "missing", reason: "the worker returned no proof" };
  const r = claim as Partial<TaskResult>;
  let proof: Groth16Proof;
  let pub: string[];
  try {
    proof = parseProof(r.proof, "the returned proof");
    pub = parsePublic(r.public, "the returned public signals");
  } catch (e) {
    return { ok: false, kind: "malformed", reason: describeError(e) };
  }
  const w = await c.witness(
    { shape: c.meta.input.shape, data: Float64Array.from(spec.input) },
    saltsFromStrings(spec.salts),
  );
  const expected = publicSignalsOf(w.wtns, c.plan.nWires, c.meta.publicSignals.count);
  if (pub.length !== expected.length)
    return {
      ok: false,
      kind: "wrong-public",
      reason: `${pub.length} public signals returned; the circuit has ${expected.length}`,
    };
  const at = expected.findIndex((s, i) => s !== pub[i]);
  if (at >= 0) {
    const entry = c.meta.publicSignals.layout.find((e) => at >= e.offset && at < e.offset + e.count);
    return {
      ok: false,
      kind: "wrong-public",
      reason: `public signal ${at} (${entry ? `${entry.role} "${entry.name}"` : "?"}) is not what this task's input gives: a proof of another input or salt`,
    };
  }
  const v = await verifyParsed(c.vk, c.meta, proof, pub);
  if (!v.valid)
    return { ok: false, kind: "invalid", reason: `the proof does not verify: ${v.reason ?? "pairing check failed"}` };
  return { ok: true, checked: { spec, proof, public: pub, outputs: w.outputs } };
}

/** The service's loaded circuits (verification side: no proving keys), by id, loaded on first use. */
export function serviceCircuits(store: ModelStore): CircuitLoader & { close(): Promise<void> } {
  const loaded = new Map<string, Promise<LoadedCircuit>>();
  return {
    get(id) {
      let p = loaded.get(id);
      if (!p) {
        const entry = store.circuit(id);
        p = entry
          ? loadCircuit(entry.dir, id, { prover: false })
          : Promise.reject(new UnrecoverableError(`circuit ${id} is no longer served`));
        loaded.set(id, p);
        p.catch(() => loaded.delete(id));
      }
      return p;
    },
    async close() {
      const all = [...loaded.values()];
      loaded.clear();
      await Promise.all(
        all.map((p) =>
          p.then(
            (c) => c.close(),
            () => undefined,
          ),
        ),
      );
    },
  };
}

export interface VerifierContext {
  readonly store: ModelStore;
  readonly circuits: CircuitLoader;
  readonly tasks: Queue<TaskJobData>;
  readonly records: WorkerRecords;
  readonly metrics: Metrics;
  /** rejected proofs a job may see before it fails */
  readonly maxRejections: number;
  /** options of every task job (attempts, backoff, retention) */
  readonly taskOptions: JobsOptions;
  readonly log: (line: string) => void;
}

/** Options of a task job: retried with backoff, and failing its proof job once out of attempts. */
export function taskJobOptions(proofId: string, segment: number, attempt: number, base: JobsOptions): JobsOptions {
  return { ...base, jobId: taskJobId(proofId, segment, attempt), failParentOnFailure: true };
}

export function taskData(
  proofId: string,
  spec: TaskSpec,
  segment: number,
  attempt: number,
  exclude: readonly string[],
): TaskJobData {
  return { ...spec, proof: proofId, segment, attempt, exclude, bounces: 0 };
}

interface Accepted {
  readonly checked: CheckedTask;
  readonly worker: string;
  readonly seconds: TaskResult["seconds"];
}

export function proofProcessor(ctx: VerifierContext) {
  return async (job: Job<ProofJobData, ProofResult>, token?: string): Promise<ProofResult> => {
    const id = job.id!;
    for (;;) {
      const d = job.data;
      const model = ctx.store.models.find((m) => m.id === d.model);
      if (!model) throw new UnrecoverableError(`model ${d.model} is no longer served`);
      const values = await job.getChildrenValues<TaskResult | null>();
      const accepted: Accepted[] = [];
      const rejected: { segment: number; worker: string; reason: string; exclude: readonly string[] }[] = [];
      for (const [i, spec] of d.tasks.entries()) {
        const childId = taskJobId(id, i, d.attempts[i]!);
        const claim = values[`${PREFIX}:${QUEUES.tasks}:${childId}`] ?? null;
        const child = await ctx.tasks.getJob(childId);
        const worker = child?.processedBy ?? (claim && typeof claim.worker === "string" ? claim.worker : "unknown");
        const v = await checkTask(await ctx.circuits.get(spec.circuit), spec, claim);
        if (v.ok) {
          accepted.push({ checked: v.checked, worker, seconds: claim!.seconds });
        } else {
          ctx.metrics.rejected.inc({ reason: v.kind });
          rejected.push({ segment: i, worker, reason: v.reason, exclude: child?.data.exclude ?? [] });
        }
      }
      if (rejected.length === 0) return finish(ctx, job, model, accepted);

      for (const r of rejected) {
        ctx.log(`job ${id}: rejected the proof of task #${r.segment} from worker ${r.worker}: ${r.reason}`);
        await ctx.records.reject(r.worker, r.reason);
      }
      const rejections = d.rejections + rejected.length;
      if (rejections > ctx.maxRejections) {
        throw new UnrecoverableError(
          `gave up after ${rejections} rejected proofs from workers (last: ${rejected.at(-1)!.reason})`,
        );
      }
      const attempts = [...d.attempts];
      for (const r of rejected) attempts[r.segment]!++;
      await job.updateData({ ...d, attempts, rejections });
      for (const r of rejected) {
        const data = taskData(id, d.tasks[r.segment]!, r.segment, attempts[r.segment]!, [
          ...new Set([...r.exclude, r.worker]),
        ]);
        await ctx.tasks.add("task", data, {
          ...taskJobOptions(id, r.segment, attempts[r.segment]!, ctx.taskOptions),
          parent: { id, queue: job.queueQualifiedName },
        });
      }
      if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
      // the new tasks are already done: check them in this run
    }
  };
}

async function finish(
  ctx: VerifierContext,
  job: Job<ProofJobData, ProofResult>,
  model: ModelStore["models"][number],
  accepted: readonly Accepted[],
): Promise<ProofResult> {
  const d = job.data;
  const chain = assembleChain(
    model,
    accepted.map((a) => a.checked),
  );
  const meta = outputMeta(model);
  const outputs = chain.outputs.map((t, i) => ({
    name: meta.outputs[i]!.name,
    shape: meta.outputs[i]!.shape,
    values: dequantize(t, meta.outputs[i]!.scale),
  }));
  const development = model.circuits.some((c) => c.setup.ptau.development);
  for (const a of accepted) {
    await ctx.records.accept(a.worker);
    ctx.metrics.proveSeconds.observe({ model: model.name }, a.seconds.prove);
  }
  ctx.metrics.jobSeconds.observe({ model: model.name }, (Date.now() - d.submittedAt) / 1000);
  ctx.log(`job ${job.id}: accepted (${model.name}, ${accepted.map((a) => a.worker).join(", ")})`);
  const mark = development ? { zkinfer: { development: true, warning: DEV_WARNING } } : {};
  return {
    model: model.id,
    proof: { ...chain.proof, ...mark },
    public: chain.public,
    output: outputs[0]!.values,
    outputs,
    decoded: chain.decoded.map((t) => ({
      role: t.role,
      name: t.name,
      values: t.values,
      ...(t.hash ? { hash: t.hash } : {}),
    })),
    salts: d.salts,
    chain: accepted.map((a) => ({
      circuit: a.checked.spec.circuit,
      proof: a.checked.proof,
      public: a.checked.public,
      worker: a.worker,
      seconds: a.seconds,
    })),
    development,
    warnings: d.warnings,
    rejections: d.rejections,
  };
}
