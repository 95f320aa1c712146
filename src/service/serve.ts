/**
 * `zkinfer serve`: the proving service. It loads a models directory (registry.ts), connects to
 * Redis (a shared one by URL, or a private one it starts: redis.ts), runs the verifier of proof
 * jobs (verifier.ts) and, by default without --redis, prover workers in-process (worker.ts),
 * and serves the HTTP API (http.ts). One command on one machine; with --redis, any number of
 * service instances behind a load balancer share one queue with workers anywhere.
 *
 * close() drains: the HTTP server stops taking requests and finishes those in flight,
 * in-process workers finish their running proofs, the verifier its running checks; whatever
 * is still queued stays in Redis (AOF) for the next start or another instance.
 */
import { randomBytes } from "node:crypto";
import { FlowProducer, Queue, QueueEvents, Worker, type JobsOptions } from "bullmq";
import { readApiKeys } from "./auth.js";
import { localSource } from "./artifacts.js";
import type { ServiceContext, ServiceLimits } from "./context.js";
import { buildApp } from "./http.js";
import { PREFIX, QUEUES, type ProofJobData, type ProofResult, type TaskJobData, type TaskResult } from "./jobs.js";
import { makeMetrics, type QueueCounts } from "./metrics.js";
import { workerRecords } from "./records.js";
import { loadModelStore, type ServedModel } from "./registry.js";
import {
  parseRedisUrl,
  quietRepeats,
  reachable,
  redisClient,
  startPrivateRedis,
  waitForRedis,
  within,
  type Connection,
  type PrivateRedis,
} from "./redis.js";
import { proofProcessor, serviceCircuits } from "./verifier.js";
import { startWorker, type ProofWorker } from "./worker.js";
import { describeError } from "../errors.js";
import { getCurve } from "../prove/curve.js";

export interface ServeOptions {
  /** the models directory: one compiled, set-up model directory each */
  readonly models: string;
  /** a shared Redis (URL); without it a private redis-server is started in dataDir */
  readonly redis?: string;
  /** where the private Redis keeps its socket and append-only file */
  readonly dataDir?: string;
  readonly host?: string;
  /** 0: any free port (see RunningService.url) */
  readonly port?: number;
  /** the API key file (auth.ts); without it anyone may submit */
  readonly apiKeys?: string;
  readonly maxQueue?: number;
  readonly maxBody?: number;
  readonly rateLimit?: number;
  readonly maxRejections?: number;
  /** attempts per task before its proof job fails, and the first backoff between them */
  readonly attempts?: number;
  readonly backoffMs?: number;
  /** finished jobs are kept this long (deduplication and results) */
  readonly keepSeconds?: number;
  /** in-process workers (default: 1 with a private Redis, 0 with --redis) and tasks each proves at once */
  readonly workers?: number;
  readonly concurrency?: number;
  /** lock duration and stalled-check interval of the queue's workers (default 30 s each) */
  readonly lockMs?: number;
  readonly stalledMs?: number;
  readonly log?: (line: string) => void;
}

export interface RunningService {
  readonly url: string;
  readonly models: readonly ServedModel[];
  readonly skipped: readonly { readonly dir: string; readonly reason: string }[];
  readonly privateRedis: string | null;
  readonly workers: readonly ProofWorker[];
  close(): Promise<void>;
}

export const DEFAULTS = {
  host: "127.0.0.1",
  port: 8080,
  maxQueue: 10_000,
  maxBody: 1 << 20,
  rateLimit: 600,
  maxRejections: 5,
  attempts: 3,
  backoffMs: 1000,
  keepSeconds: 30 * 86_400,
} as const;

async function queueCounts(proofs: Queue, tasks: Queue): Promise<QueueCounts> {
  const p = await proofs.getJobCounts(
    "waiting-children",
    "waiting",
    "active",
    "delayed",
    "prioritized",
    "completed",
    "failed",
  );
  const t = await tasks.getJobCounts("waiting", "prioritized", "delayed", "active", "completed", "failed");
  const n = (c: Record<string, number>, k: string) => c[k] ?? 0;
  return {
    depth: n(t, "waiting") + n(t, "prioritized") + n(t, "delayed"),
    jobs: {
      pending: n(p, "waiting-children"),
      verifying: n(p, "waiting") + n(p, "active") + n(p, "delayed") + n(p, "prioritized"),
      done: n(p, "completed"),
      failed: n(p, "failed"),
    },
    tasks: {
      waiting: n(t, "waiting") + n(t, "prioritized"),
      delayed: n(t, "delayed"),
      proving: n(t, "active"),
      done: n(t, "completed"),
      failed: n(t, "failed"),
    },
    workers: await tasks.getWorkersCount(),
  };
}

/** The HMAC key of proof job ids: made once, kept in Redis, so every instance and restart agrees. */
async function sharedSecret(redis: ServiceContext["redis"]): Promise<string> {
  const key = `${PREFIX}:secret`;
  await redis.set(key, randomBytes(32).toString("hex"), "NX");
  return (await redis.get(key))!;
}

export async function serve(opts: ServeOptions): Promise<RunningService> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  const store = await loadModelStore(opts.models);
  for (const s of store.skipped) log(`not serving ${s.dir}: ${s.reason}`);
  const keys = opts.apiKeys ? await readApiKeys(opts.apiKeys) : null;
  for (const w of keys?.warnings ?? []) log(`warning: ${w}`);

  // what close() undoes, last first: `close` drains; `force` lets go (Redis unreachable, or too slow)
  const cleanup: {
    readonly close: () => Promise<unknown>;
    readonly force: () => Promise<unknown>;
    readonly drain?: boolean;
  }[] = [];
  let connection: Connection | null = null;
  const closeAll = async () => {
    const steps = cleanup.reverse().splice(0);
    if (connection === null || !(await reachable(connection))) {
      // nothing can be drained into an unreachable Redis: let everything go at once
      await within(Promise.all(steps.map((s) => s.force().catch(() => undefined))), 5000);
      return;
    }
    for (const step of steps) {
      if ((await within(step.close(), step.drain ? 24 * 3600_000 : 10_000)) === "timeout")
        await within(step.force(), 5000);
    }
  };
  try {
    let privateRedis: PrivateRedis | null = null;
    if (opts.redis) {
      connection = parseRedisUrl(opts.redis);
      await waitForRedis(connection, 10_000);
    } else {
      privateRedis = await startPrivateRedis(opts.dataDir ?? "zkinfer-data");
      cleanup.push({ close: () => privateRedis!.stop(), force: () => privateRedis!.stop() });
      connection = privateRedis.connection;
      log(`started a private Redis on ${privateRedis.socket} (append-only file on)`);
    }
    const redisLog = quietRepeats(log);
    const redis = redisClient(connection, redisLog);
    cleanup.push({ close: () => redis.quit(), force: async () => redis.disconnect() });
    const keep = opts.keepSeconds ?? DEFAULTS.keepSeconds;
    const retention = { removeOnComplete: { age: keep }, removeOnFail: { age: keep } };
    const taskOptions: JobsOptions = {
      attempts: opts.attempts ?? DEFAULTS.attempts,
      backoff: { type: "exponential", delay: opts.backoffMs ?? DEFAULTS.backoffMs },
      ...retention,
    };
    const limits: ServiceLimits = {
      maxQueue: opts.maxQueue ?? DEFAULTS.maxQueue,
      maxBody: opts.maxBody ?? DEFAULTS.maxBody,
      rateLimit: opts.rateLimit ?? DEFAULTS.rateLimit,
      maxRejections: opts.maxRejections ?? DEFAULTS.maxRejections,
      taskOptions,
      keepSeconds: keep,
      proofOptions: { attempts: 3, backoff: { type: "exponential", delay: 1000 }, ...retention },
    };
    const proofs = new Queue<ProofJobData, ProofResult>(QUEUES.proofs, { connection, prefix: PREFIX });
    const tasks = new Queue<TaskJobData, TaskResult | null>(QUEUES.tasks, { connection, prefix: PREFIX });
    const flows = new FlowProducer({ connection, prefix: PREFIX });
    const proofEvents = new QueueEvents(QUEUES.proofs, { connection, prefix: PREFIX });
    proofEvents.setMaxListeners(0); // every long poll listens (proofs.ts waitForJob)
    const queueError = (e: Error) => redisLog(`queue: ${describeError(e)}`);
    proofs.on("error", queueError);
    tasks.on("error", queueError);
    flows.on("error", queueError);
    proofEvents.on("error", queueError);
    for (const q of [proofs, tasks, flows, proofEvents])
      cleanup.push({ close: () => q.close(), force: () => q.disconnect() });
    await Promise.all([proofs.waitUntilReady(), tasks.waitUntilReady(), proofEvents.waitUntilReady()]);
    const metrics = makeMetrics(() => queueCounts(proofs, tasks));
    const records = workerRecords(redis);

    // one BN254 curve (and its threads) for every verification: built now, before concurrent
    // first uses would each build their own and leave the extra ones running
    await getCurve();
    const circuits = serviceCircuits(store);
    cleanup.push({ close: () => circuits.close(), force: () => circuits.close() });
    const ctx: ServiceContext = {
      store,
      circuits,
      proofs,
      tasks,
      flows,
      proofEvents,
      redis,
      secret: await sharedSecret(redis),
      keys: keys?.keys ?? null,
      metrics,
      records,
      limits,
      log,
    };
    const verifier = new Worker<ProofJobData, ProofResult>(
      QUEUES.proofs,
      proofProcessor({
        store,
        circuits,
        tasks,
        records,
        metrics,
        maxRejections: limits.maxRejections,
        taskOptions,
        log,
      }),
      {
        connection,
        prefix: PREFIX,
        concurrency: 4,
        lockDuration: opts.lockMs ?? 30_000,
        stalledInterval: opts.stalledMs ?? 30_000,
        maxStalledCount: 2,
      },
    );
    verifier.on("failed", (job, e) => log(`job ${job?.id ?? "?"} failed: ${describeError(e)}`));
    verifier.on("error", (e) => redisLog(`verifier: ${describeError(e)}`));
    cleanup.push({
      close: () => verifier.close(),
      force: () => within(verifier.close(true), 2000).then(() => verifier.disconnect()),
    });

    const workers: ProofWorker[] = [];
    const nWorkers = opts.workers ?? (opts.redis ? 0 : 1);
    for (let i = 0; i < nWorkers; i++) {
      workers.push(
        await startWorker({
          connection,
          source: localSource(store),
          concurrency: opts.concurrency ?? 1,
          lockMs: opts.lockMs,
          stalledMs: opts.stalledMs,
          log,
        }),
      );
    }
    // in-process workers stop before the verifier, so the proofs they finish while draining are queued for it
    cleanup.push({
      close: () => Promise.all(workers.map((w) => w.close())),
      force: () => Promise.all(workers.map((w) => w.close(true))),
      drain: true,
    });

    const app = await buildApp(ctx);
    await app.listen({ host: opts.host ?? DEFAULTS.host, port: opts.port ?? DEFAULTS.port });
    cleanup.push({ close: () => app.close(), force: () => app.close() });
    const addr = app.server.address();
    const url =
      typeof addr === "object" && addr
        ? `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`
        : String(addr);
    log(
      `serving ${store.models.length} model(s) from ${store.dir} at ${url}${nWorkers ? ` with ${nWorkers} in-process worker(s)` : ""}`,
    );
    return {
      url,
      models: store.models,
      skipped: store.skipped,
      privateRedis: privateRedis?.socket ?? null,
      workers,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
