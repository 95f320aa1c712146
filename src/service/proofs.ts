/**
 * Proof requests and what a client sees of them: submitting (validate, deduplicate, enqueue a
 * flow) and a job's view (queued, proving with progress, verifying, done with the result, or
 * failed with the error). The HTTP routes (http.ts) are thin wrappers over these.
 *
 * Everything a request can get wrong is checked before a job exists: the body's shape, every
 * input value (a number, finite, the model's input size, in range with strict), the options.
 * A job's result is readable with the key of anyone who submitted that exact request (knowing
 * the input is the right to its proof); others get 404, as for a job that does not exist.
 */
import type { Job } from "bullmq";
import type { ServiceContext } from "./context.js";
import {
  PREFIX,
  QUEUES,
  proofJobId,
  taskJobId,
  type ProofJobData,
  type ProofOptions,
  type ProofResult,
  type TaskProgress,
} from "./jobs.js";
import { inputMeta, type ServedModel } from "./registry.js";
import { RequestError } from "./request-error.js";
import { planTasks, requestSalts } from "./chain.js";
import { saltsToStrings } from "./circuit.js";
import { taskData, taskJobOptions } from "./verifier.js";
import { parseInputJson, qinputOf, quantizeInput } from "../quantize/input.js";
import { parseSalt } from "../circuit/salts.js";

export interface ProofBody {
  readonly input?: unknown;
  readonly input_data?: unknown;
  readonly options?: { readonly strict?: boolean; readonly inputSalt?: string };
}

export type JobState = "queued" | "proving" | "verifying" | "done" | "failed";

export interface TaskView {
  readonly segment: number;
  readonly state: "queued" | "retrying" | "proving" | "proved" | "failed";
  readonly attempt: number;
  readonly attemptsMade: number;
  readonly stage?: TaskProgress["stage"];
  readonly worker?: string;
}

export interface JobView {
  readonly id: string;
  readonly model: string;
  readonly state: JobState;
  readonly submittedAt: string;
  readonly finishedAt?: string;
  readonly warnings: readonly string[];
  readonly rejections?: number;
  readonly tasks?: readonly TaskView[];
  readonly error?: { readonly code: string; readonly message: string };
}

export interface Submitted {
  readonly id: string;
  readonly model: string;
  readonly state: JobState;
  /** the job existed already (an identical request) */
  readonly deduplicated: boolean;
  readonly warnings: readonly string[];
}

const owners = (id: string) => `${PREFIX}:owners:${id}`;

/** Lets `submitter` read job `id` (for as long as finished jobs are kept, and a day more). */
async function addOwner(ctx: ServiceContext, id: string, submitter: string): Promise<void> {
  await ctx.redis
    .multi()
    .sadd(owners(id), submitter)
    .expire(owners(id), ctx.limits.keepSeconds + 86_400)
    .exec();
}

/** Tasks waiting for a worker: 429 with Retry-After when adding `n` more would pass --max-queue. */
async function checkRoom(ctx: ServiceContext, n: number): Promise<void> {
  if (ctx.limits.maxQueue <= 0) return;
  const c = await ctx.tasks.getJobCounts("waiting", "delayed", "prioritized");
  const depth = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
  if (depth + n <= ctx.limits.maxQueue) return;
  const workers = Math.max(1, await ctx.tasks.getWorkersCount());
  const h = (await ctx.metrics.proveSeconds.get()).values;
  const sum = h.filter((v) => v.metricName === "zkinfer_prove_seconds_sum").reduce((a, v) => a + v.value, 0);
  const count = h.filter((v) => v.metricName === "zkinfer_prove_seconds_count").reduce((a, v) => a + v.value, 0);
  const retry = Math.min(600, Math.max(1, Math.ceil((depth * (count ? sum / count : 1)) / workers)));
  ctx.metrics.submitted.inc({ outcome: "queue_full" });
  throw new RequestError(
    429,
    "QUEUE_FULL",
    `the queue is full (${depth} tasks waiting, limit ${ctx.limits.maxQueue}); retry in about ${retry} s`,
    { "retry-after": String(retry) },
  );
}

export async function submitProof(
  ctx: ServiceContext,
  model: ServedModel,
  body: ProofBody,
  submitter: string,
): Promise<Submitted> {
  const meta = inputMeta(model);
  const options: ProofOptions = { strict: body.options?.strict ?? false, inputSalt: body.options?.inputSalt ?? null };
  const input = "input" in body ? { input: body.input } : { input_data: body.input_data };
  const q = quantizeInput(
    parseInputJson(input, meta.input.shape, "request body"),
    qinputOf(meta.input),
    options.strict,
    "input",
  );
  const given = options.inputSalt === null ? {} : { input: parseSalt(options.inputSalt, "options.inputSalt") };
  const salts = saltsToStrings(requestSalts(model, given));
  const id = proofJobId(ctx.secret, model.id, input, options);

  const existing = await ctx.proofs.getJob(id);
  if (existing) {
    const state = await existing.getState();
    if (state !== "failed") {
      await addOwner(ctx, id, submitter);
      ctx.metrics.submitted.inc({ outcome: "deduplicated" });
      const now: JobState = state === "completed" ? "done" : state === "waiting-children" ? "queued" : "verifying";
      return { id, model: model.id, state: now, deduplicated: true, warnings: existing.data.warnings };
    }
    await existing.remove({ removeChildren: true }); // a failed job is tried afresh
  }
  const tasks = await planTasks(model, q.tensor, salts, ctx.circuits);
  await checkRoom(ctx, tasks.length);
  const data: ProofJobData = {
    model: model.id,
    input,
    options,
    salts,
    tasks,
    attempts: tasks.map(() => 0),
    rejections: 0,
    warnings: q.warnings,
    submittedAt: Date.now(),
  };
  await addOwner(ctx, id, submitter);
  await ctx.flows.add({
    name: "proof",
    queueName: QUEUES.proofs,
    prefix: PREFIX,
    data,
    opts: { ...ctx.limits.proofOptions, jobId: id },
    children: tasks.map((t, i) => ({
      name: "task",
      queueName: QUEUES.tasks,
      prefix: PREFIX,
      data: taskData(id, t, i, 0, []),
      opts: taskJobOptions(id, i, 0, ctx.limits.taskOptions),
    })),
  });
  ctx.metrics.submitted.inc({ outcome: "queued" });
  return { id, model: model.id, state: "queued", deduplicated: false, warnings: q.warnings };
}

/** The job, if it exists and `submitter` may read it; 404 otherwise (the same answer for both). */
export async function findJob(
  ctx: ServiceContext,
  id: string,
  submitter: string,
): Promise<Job<ProofJobData, ProofResult>> {
  const none = new RequestError(404, "NOT_FOUND", `no job ${JSON.stringify(id.slice(0, 64))} for this API key`);
  if (!/^[0-9a-f]{32}$/.test(id)) throw none;
  const job = await ctx.proofs.getJob(id);
  if (!job) throw none;
  if (ctx.keys && !(await ctx.redis.sismember(owners(id), submitter))) throw none;
  return job;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function taskState(s: string): TaskView["state"] {
  if (s === "active") return "proving";
  if (s === "completed") return "proved";
  if (s === "failed") return "failed";
  if (s === "delayed") return "retrying";
  return "queued";
}

/** What GET /v1/jobs/{id} shows. */
export async function jobView(
  ctx: ServiceContext,
  job: Job<ProofJobData, ProofResult>,
): Promise<JobView & Partial<ProofResult>> {
  const d = job.data;
  const state = await job.getState();
  const base = {
    id: job.id!,
    model: d.model,
    submittedAt: iso(d.submittedAt)!,
    warnings: d.warnings,
    rejections: d.rejections,
  };
  if (state === "completed")
    return { ...base, ...job.returnvalue, model: d.model, state: "done", finishedAt: iso(job.finishedOn) };
  const tasks = await Promise.all(
    d.tasks.map(async (_, i): Promise<TaskView & { failedReason?: string }> => {
      const t = await ctx.tasks.getJob(taskJobId(job.id!, i, d.attempts[i]!));
      const s = t ? taskState(await t.getState()) : "queued";
      const p = t?.progress as Partial<TaskProgress> | undefined;
      const live = s === "proving" && p && typeof p === "object" ? { stage: p.stage, worker: p.worker } : {};
      return {
        segment: i,
        state: s,
        attempt: d.attempts[i]!,
        attemptsMade: t?.attemptsMade ?? 0,
        ...live,
        ...(s === "failed" && t ? { failedReason: t.failedReason } : {}),
      };
    }),
  );
  if (state === "failed") {
    const failed = tasks.find((t) => t.state === "failed");
    const message = failed
      ? `task #${failed.segment} failed after ${failed.attemptsMade} attempt(s): ${failed.failedReason}`
      : job.failedReason;
    return { ...base, state: "failed", finishedAt: iso(job.finishedOn), error: { code: "PROOF_FAILED", message } };
  }
  const view = tasks.map(({ failedReason: _f, ...t }) => t);
  const jobState: JobState =
    state === "waiting-children" ? (view.some((t) => t.state === "proving") ? "proving" : "queued") : "verifying";
  return { ...base, state: jobState, tasks: view };
}

/**
 * Waits up to `seconds` for the job to finish (long polling): returns when QueueEvents reports
 * it completed or failed, when the time is up, or when `stop` aborts (the service is closing).
 */
export async function waitForJob(
  ctx: ServiceContext,
  job: Job<ProofJobData, ProofResult>,
  seconds: number,
  stop: AbortSignal,
): Promise<void> {
  if (seconds <= 0 || stop.aborted) return;
  let finish = () => undefined as void;
  const finished = new Promise<void>((resolve) => {
    const timer = setTimeout(() => finish(), seconds * 1000);
    const mine = ({ jobId }: { jobId: string }) => {
      if (jobId === job.id) finish();
    };
    finish = () => {
      clearTimeout(timer);
      ctx.proofEvents.off("completed", mine);
      ctx.proofEvents.off("failed", mine);
      stop.removeEventListener("abort", finish);
      resolve();
    };
    ctx.proofEvents.on("completed", mine);
    ctx.proofEvents.on("failed", mine);
    stop.addEventListener("abort", finish, { once: true });
  });
  // it may have finished before the listeners were in place
  if ((await job.isCompleted()) || (await job.isFailed())) finish();
  await finished;
}
