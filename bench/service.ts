/**
 * `npm run bench -- --suite service`: the proving service on this machine. A private Redis, the
 * service (in this process) and 1, 2 and 4 `zkinfer worker` processes; for the digits models:
 *
 *   - queue overhead per job on an empty queue: submit → a worker starts the task (goal < 20 ms),
 *     and the service's check of a returned proof (task done → job done)
 *   - throughput (proofs per minute) and p50/p95 latency (submit → accepted) of a burst of jobs,
 *     with 1, 2 and 4 workers
 *   - the split model's wall time with 1 vs 2 workers: digits_cnn compiled in 2 segments, one
 *     request at a time, so the only parallelism is the fan-out of its segments
 *   - from the measured per-job cost, how throughput would grow with machines
 *
 *   node dist/bench/service.js [--jobs N] [--workers 1,2,4]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { DEFAULT_COMPILE } from "../src/circuit/compile-model.js";
import { compileSplitToDir, compileToDir } from "../src/artifacts.js";
import { setupDir } from "../src/prove/setup.js";
import { setupSplit } from "../src/prove/chain.js";
import { releaseCurve } from "../src/prove/curve.js";
import { startPrivateRedis } from "../src/service/redis.js";
import { serve } from "../src/service/serve.js";
import { PREFIX, QUEUES, taskJobId, type ProofResult } from "../src/service/jobs.js";

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = path.resolve(here, "..", "..");
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const JOBS = Number(opt("--jobs", "30"));
const WORKERS = opt("--workers", "1,2,4").split(",").map(Number);
const MODELS = ["digits_mlp", "digits_cnn"] as const;
const OVERHEAD_RUNS = 20;
/** digits_cnn in 2 segments */
const SPLIT = "digits_cnn_split";
const SPLIT_RUNS = 8;

const work = mkdtempSync(path.join(os.tmpdir(), "zkinfer-bench-svc-"));
const models = path.join(work, "models");
const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const sec = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)} ms` : `${x.toFixed(2)} s`);

for (const m of MODELS) {
  const dir = path.join(models, m);
  await compileToDir(
    path.join(root, "test/fixtures", m, "model.onnx"),
    path.join(root, "test/fixtures", m, "calibration.json"),
    dir,
    DEFAULT_COMPILE,
  );
  await setupDir(dir);
}
await compileSplitToDir(
  path.join(root, "test/fixtures/digits_cnn/model.onnx"),
  path.join(root, "test/fixtures/digits_cnn/calibration.json"),
  path.join(models, SPLIT),
  DEFAULT_COMPILE,
  { segments: 2 },
);
await setupSplit(path.join(models, SPLIT));
const samples = Object.fromEntries(
  MODELS.map((m) => [
    m,
    (JSON.parse(readFileSync(path.join(root, "test/fixtures", m, "samples.json"), "utf8")) as { inputs: number[][] })
      .inputs,
  ]),
);

const redis = await startPrivateRedis(path.join(work, "redis"));
const redisUrl = `unix://${redis.socket}`;
const svc = await serve({
  models,
  redis: redisUrl,
  workers: 0,
  port: 0,
  maxQueue: 0,
  rateLimit: 1_000_000,
  log: () => undefined,
});
const tasks = new Queue(QUEUES.tasks, { connection: redis.connection, prefix: PREFIX });
const proofs = new Queue(QUEUES.proofs, { connection: redis.connection, prefix: PREFIX });

const workers: ChildProcess[] = [];
async function addWorker(): Promise<void> {
  const i = workers.length;
  const child = spawn(
    process.execPath,
    [
      path.join(root, "bin/zkinfer.js"),
      "worker",
      "--redis",
      redisUrl,
      "--service",
      svc.url,
      "--json",
      "--name",
      `bench-${i}`,
      "--cache",
      path.join(work, `cache-${i}`),
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  workers.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`worker ${i} exited (${code})`)));
  });
}

let seq = 0;
/** A request no earlier one equals (a nudge far below the input's quantization step), so none is deduplicated. */
function body(model: (typeof MODELS)[number] | typeof SPLIT): unknown {
  const s = samples[model === SPLIT ? "digits_cnn" : model]!;
  const input = [...s[seq % s.length]!];
  input[0] = input[0]! + ++seq * 1e-9;
  return { input };
}

async function submit(model: (typeof MODELS)[number] | typeof SPLIT): Promise<{ id: string; t0: number }> {
  const t0 = Date.now();
  const r = await fetch(`${svc.url}/v1/models/${model}/proofs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body(model)),
  });
  const j = (await r.json()) as { id: string };
  if (r.status !== 202) throw new Error(`submit: ${r.status} ${JSON.stringify(j)}`);
  return { id: j.id, t0 };
}

interface Finished {
  readonly id: string;
  readonly t0: number;
  readonly started: number;
  readonly taskDone: number;
  readonly done: number;
  readonly prove: number;
  readonly witness: number;
}

async function finish(s: { id: string; t0: number }): Promise<Finished> {
  const j = await waitDone(s);
  const task = await tasks.getJob(taskJobId(s.id, 0, 0));
  const job = await proofs.getJob(s.id);
  return {
    id: s.id,
    t0: s.t0,
    started: task!.processedOn!,
    taskDone: task!.finishedOn!,
    done: job!.finishedOn!,
    prove: j.chain![0]!.seconds.prove,
    witness: j.chain![0]!.seconds.witness,
  };
}

/** The split model's wall time, one request at a time with `w` workers (after a warm-up that loads both segments on each). */
async function splitWall(w: number) {
  await Promise.all(Array.from({ length: 2 * w }, () => submit(SPLIT).then(waitDone)));
  const walls: number[] = [];
  let prove = 0;
  for (let i = 0; i < SPLIT_RUNS; i++) {
    const s = await submit(SPLIT);
    const j = await waitDone(s);
    walls.push(((await proofs.getJob(s.id))!.finishedOn! - s.t0) / 1000);
    prove += j.chain!.reduce((a, c) => a + c.seconds.prove + c.seconds.witness, 0);
  }
  return { runs: SPLIT_RUNS, p50: quantile(walls, 0.5), p95: quantile(walls, 0.95), prove: prove / SPLIT_RUNS };
}

async function waitDone(s: { id: string }): Promise<Partial<ProofResult>> {
  for (;;) {
    const j = (await (await fetch(`${svc.url}/v1/jobs/${s.id}?wait=30`)).json()) as {
      state: string;
      error?: { message: string };
    } & Partial<ProofResult>;
    if (j.state === "failed") throw new Error(`job ${s.id} failed: ${j.error?.message}`);
    if (j.state === "done") return j;
  }
}

try {
  // ---- queue overhead, one job at a time on an empty queue, one warm worker ----
  await addWorker();
  for (const m of MODELS) for (let i = 0; i < 3; i++) await finish(await submit(m)); // fetch, load, warm up
  const one: Finished[] = [];
  for (let i = 0; i < OVERHEAD_RUNS; i++) one.push(await finish(await submit("digits_mlp")));
  const startDelay = one.map((f) => f.started - f.t0);
  const checkDelay = one.map((f) => f.done - f.taskDone);
  const unloaded = one.map((f) => f.done - f.t0);
  console.log(`\nQueue overhead, digits_mlp, empty queue, 1 warm worker (${OVERHEAD_RUNS} jobs one at a time):`);
  console.log(
    `  submit → task started   p50 ${ms(quantile(startDelay, 0.5))}, p95 ${ms(quantile(startDelay, 0.95))}  (goal < 20 ms)`,
  );
  console.log(
    `  task done → accepted    p50 ${ms(quantile(checkDelay, 0.5))}, p95 ${ms(quantile(checkDelay, 0.95))}  (the service's own witness + Groth16 verification)`,
  );
  console.log(
    `  submit → accepted       p50 ${ms(quantile(unloaded, 0.5))}, p95 ${ms(quantile(unloaded, 0.95))}  (prove ${sec(
      quantile(
        one.map((f) => f.prove),
        0.5,
      ),
    )})`,
  );

  // ---- throughput with 1, 2, 4 workers: a burst of JOBS jobs per model ----
  interface Row {
    model: string;
    workers: number;
    jobs: number;
    perMinute: number;
    p50: number;
    p95: number;
    prove: number;
  }
  const rows: Row[] = [];
  const splitRows: { workers: number; runs: number; p50: number; p95: number; prove: number }[] = [];
  for (const w of WORKERS) {
    while (workers.length < w) await addWorker();
    // every worker fetches and loads both circuits before the clock starts
    await Promise.all(MODELS.flatMap((m) => Array.from({ length: 2 * w }, () => submit(m).then(finish))));
    for (const m of MODELS) {
      const t0 = Date.now();
      const submitted = await Promise.all(Array.from({ length: JOBS }, () => submit(m)));
      const done = await Promise.all(submitted.map(finish));
      const end = Math.max(...done.map((f) => f.done));
      const lat = done.map((f) => (f.done - f.t0) / 1000);
      rows.push({
        model: m,
        workers: w,
        jobs: JOBS,
        perMinute: (JOBS / (end - t0)) * 60_000,
        p50: quantile(lat, 0.5),
        p95: quantile(lat, 0.95),
        prove: done.reduce((a, f) => a + f.prove + f.witness, 0) / JOBS,
      });
    }
    if (w <= 2) splitRows.push({ workers: w, ...(await splitWall(w)) });
  }
  console.log(`\nThroughput: a burst of ${JOBS} jobs per model, submit → accepted`);
  console.log("| model | workers | proofs/min | p50 latency | p95 latency | prove+witness per job (worker-measured) |");
  console.log("|---|---|---|---|---|---|");
  for (const r of rows)
    console.log(
      `| ${r.model} | ${r.workers} | ${r.perMinute.toFixed(0)} | ${sec(r.p50)} | ${sec(r.p95)} | ${sec(r.prove)} |`,
    );

  console.log(`\nSplit model: digits_cnn in 2 segments, ${SPLIT_RUNS} requests one at a time, submit → chain accepted`);
  console.log("| workers | p50 wall | p95 wall | segments' prove+witness, summed (worker-measured) |");
  console.log("|---|---|---|---|");
  for (const r of splitRows) console.log(`| ${r.workers} | ${sec(r.p50)} | ${sec(r.p95)} | ${sec(r.prove)} |`);

  // ---- how throughput would grow with machines ----
  const check = quantile(checkDelay, 0.5) / 1000; // service-side seconds per proof (one verifier slot)
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  console.log(
    `\nProjection: one worker per machine like this one (${cores} cores), one service instance on another such machine.`,
  );
  console.log(
    `Per machine: the 1-worker throughput above. The service took ~${sec(check)} from a task's end to the job's acceptance`,
  );
  console.log(
    `(its own witness + verification); if that is all CPU on one core, one instance accepts at most ~${((60 / check) * cores).toFixed(0)} proofs/min`,
  );
  console.log(`on ${cores} cores, the cap below; more instances behind a load balancer share the queue and raise it.`);
  const machines = [1, 2, 4, 8, 16, 32, 64, 128];
  console.log(`| machines | ${MODELS.map((m) => `${m} proofs/min`).join(" | ")} |`);
  console.log(`|---|${MODELS.map(() => "---").join("|")}|`);
  const projection = machines.map((n) => ({
    machines: n,
    ...Object.fromEntries(
      MODELS.map((m) => {
        const base = rows.find((r) => r.model === m && r.workers === 1)!;
        return [m, Math.min(n * base.perMinute, (60 / check) * cores)];
      }),
    ),
  }));
  for (const p of projection)
    console.log(
      `| ${p.machines} | ${MODELS.map((m) => (p as unknown as Record<string, number>)[m]!.toFixed(0)).join(" | ")} |`,
    );

  const machine = {
    cpus: cores,
    cpu: os.cpus()[0]?.model,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
  };
  const outDir = path.join(root, "bench", "results");
  mkdirSync(outDir, { recursive: true });
  const json =
    JSON.stringify(
      {
        suite: "service",
        date: new Date().toISOString(),
        machine,
        overhead: { startDelayMs: startDelay, checkDelayMs: checkDelay, unloadedMs: unloaded },
        rows,
        projection,
        split: { model: SPLIT, segments: 2, rows: splitRows },
      },
      null,
      2,
    ) + "\n";
  writeFileSync(path.join(outDir, "service-latest.json"), json);
  console.log(`\n${machine.cpus} × ${machine.cpu}, Node ${machine.node}. Written to bench/results/service-latest.json`);
} finally {
  await Promise.all(
    workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : (w.once("exit", r), w.kill("SIGTERM"))))),
  );
  await tasks.close();
  await proofs.close();
  await svc.close();
  await redis.stop();
  await releaseCurve();
  rmSync(work, { recursive: true, force: true });
}
