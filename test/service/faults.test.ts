/**
 * Faults, with real processes: a worker SIGKILLed mid-proof (stalled-job recovery hands its task
 * on and the job finishes once), a lying worker (a valid proof of another input, garbage,
 * nothing: every job still finishes correctly, the lies are recorded; on a split model's
 * segments too), SIGTERM draining a worker,
 * Redis and the service restarted between submit and fetch (AOF: nothing queued or finished is
 * lost; --max-queue answers 429 with Retry-After), and `zkinfer serve` without --redis (its own
 * Redis on a Unix socket, in-process workers, stopped with it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as snarkjs from "snarkjs";
import { loadSamples } from "../helpers/fixtures.js";
import { zkinfer } from "../helpers/cli.js";
import {
  call,
  haveRedis,
  prepareModels,
  stopAll,
  startCliWorker,
  startFixtureWorker,
  startRedis,
  startService,
  waitJob,
  type TestRedis,
  type TestService,
  type TestWorker,
} from "../helpers/service.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { verifyDir } from "../../src/verify/verify.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-faults-"));
const models = path.join(root, "models");
const LOCK = "2"; // seconds: how soon a dead worker's task is handed on
const MAX_QUEUE = 3;

let redis: TestRedis;
let svc: TestService;
const running = new Set<TestWorker>();
const serviceArgs = () => [
  "--models",
  models,
  "--redis",
  redis.url,
  "--max-queue",
  String(MAX_QUEUE),
  "--lock-seconds",
  LOCK,
];

async function honestWorker(name: string): Promise<TestWorker> {
  const w = await startCliWorker(redis.url, svc.url, [
    "--cache",
    path.join(root, `cache-${name}`),
    "--name",
    name,
    "--lock-seconds",
    LOCK,
  ]);
  running.add(w);
  return w;
}
async function fixtureWorker(mode: string): Promise<TestWorker> {
  const w = await startFixtureWorker(redis.url, svc.url, mode, path.join(root, `cache-${mode.replace(/\W/g, "")}`));
  running.add(w);
  return w;
}
async function stop(w: TestWorker, signal: NodeJS.Signals = "SIGTERM"): Promise<number | string> {
  running.delete(w);
  return w.proc.stop(signal);
}

const submit = async (model: string, i: number) => {
  const r = await call(svc.url, "POST", `/v1/models/${model}/proofs`, {
    body: { input: loadSamples(model.startsWith("digits") ? "digits_mlp" : "cancer_logreg").inputs[i] },
  });
  expect(r.status, r.text).toBe(202);
  return String(r.json.id);
};

/** Polls a job until `pred` holds for its view. */
async function until(
  id: string,
  pred: (j: Record<string, unknown>) => boolean,
  ms = 60_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const j = (await call(svc.url, "GET", `/v1/jobs/${id}`)).json;
    if (pred(j)) return j;
    if (Date.now() > deadline)
      throw new Error(`job ${id}: condition not met in ${ms} ms: ${JSON.stringify(j).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const provingBy = (worker: string) => (j: Record<string, unknown>) =>
  (j.tasks as { state: string; worker?: string; stage?: string }[] | undefined)?.some(
    (t) => t.state === "proving" && t.worker === worker && t.stage === "proving",
  ) ?? false;

/** The job proves what `zkinfer run` computes on its input, and plain snarkjs (or, for a split model, `zkinfer verify`) accepts it. */
async function expectCorrect(job: Record<string, unknown>, model: string, i: number): Promise<void> {
  expect(job.state, JSON.stringify(job.error)).toBe("done");
  const dir = path.join(models, model);
  if (existsSync(path.join(dir, "manifest.json"))) {
    const f = (name: string, v: unknown) => (
      writeFileSync(path.join(root, name), JSON.stringify(v)),
      path.join(root, name)
    );
    const v = zkinfer([
      "verify",
      dir,
      "--proof",
      f(`${model}-${i}-proof.json`, job.proof),
      "--public",
      f(`${model}-${i}-public.json`, job.public),
      "--json",
    ]);
    expect(v.code, v.stderr).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true });
  } else {
    const vk = JSON.parse(readFileSync(path.join(dir, "verification_key.json"), "utf8"));
    expect(await snarkjs.groth16.verify(vk, job.public as string[], job.proof as snarkjs.Groth16Proof)).toBe(true);
  }
  const inFile = path.join(root, `in-${model}-${i}.json`);
  writeFileSync(
    inFile,
    JSON.stringify({ input: loadSamples(model.startsWith("digits") ? "digits_mlp" : "cancer_logreg").inputs[i] }),
  );
  const run = zkinfer(["run", dir, "--input", inFile, "--json"]);
  expect(run.code, run.stderr).toBe(0);
  expect(job.output).toEqual(JSON.parse(run.stdout).output);
}

const metric = async (pattern: RegExp) => Number(pattern.exec((await call(svc.url, "GET", "/metrics")).text)?.[1] ?? 0);

beforeAll(async () => {
  if (!haveRedis) return;
  await prepareModels(models, [
    { fixture: "digits_mlp" },
    // hashed, salted input and output: a proof of another input shows in the input commitment
    {
      fixture: "cancer_logreg",
      name: "cancer_hashed",
      options: { inputVisibility: "hashed", outputVisibility: "hashed" },
    },
    { fixture: "digits_mlp", name: "digits_split", segments: 3 },
  ]);
  await releaseCurve();
  redis = await startRedis(path.join(root, "redis"));
  svc = await startService(serviceArgs());
});

let own: TestService | undefined; // the service with its own Redis (last test)

afterAll(async () => {
  try {
    await stopAll(
      [...running].map((w) => w.proc),
      "SIGKILL",
    );
    await stopAll([own?.proc, svc?.proc, redis?.proc]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

describe.skipIf(!haveRedis)("faults", () => {
  it("a worker SIGKILLed mid-proof loses no job: its task goes to another worker and the job finishes once", async () => {
    const slow = await fixtureWorker("slow:60000");
    const id = await submit("digits_mlp", 0);
    await until(id, provingBy(slow.id));
    expect(await stop(slow, "SIGKILL")).toBe("SIGKILL");
    await honestWorker("rescuer");
    const job = await waitJob(svc.url, id);
    await expectCorrect(job, "digits_mlp", 0);
    expect((job.chain as { worker: string }[]).map((c) => c.worker)).toEqual(["rescuer"]);
    // exactly once: one accepted proof, one finished job, and the same answer on every read
    expect(await metric(/^zkinfer_prove_seconds_count\{model="digits_mlp"\} (\d+)$/m)).toBe(1);
    expect(await metric(/^zkinfer_jobs\{state="done"\} (\d+)$/m)).toBe(1);
    expect((await call(svc.url, "GET", `/v1/jobs/${id}`)).json.proof).toEqual(job.proof);
  });

  it("a lying worker (another input's proof, garbage, nothing) is caught and recorded; every job still finishes correctly", async () => {
    for (const w of [...running]) await stop(w);
    const liar = await fixtureWorker("liar");
    // the liar takes these in turn: another input (caught by the input commitment), garbage, nothing
    const jobs = [
      ["cancer_hashed", 0],
      ["digits_mlp", 1],
      ["cancer_hashed", 2],
    ] as const;
    const ids = [];
    for (const [m, i] of jobs) {
      ids.push(await submit(m, i));
      await until(ids.at(-1)!, (j) => Number(j.rejections) >= 1);
    }
    await honestWorker("honest");
    for (const [k, [m, i]] of jobs.entries()) {
      const job = await waitJob(svc.url, ids[k]!);
      await expectCorrect(job, m, i);
      expect(job.rejections).toBeGreaterThanOrEqual(1);
      expect((job.chain as { worker: string }[])[0]!.worker).toBe("honest");
    }
    const workers = (await call(svc.url, "GET", "/v1/workers")).json.workers as {
      id: string;
      rejected: number;
      accepted: number;
      lastRejection: string;
    }[];
    const record = workers.find((w) => w.id === liar.id)!;
    expect(record.rejected).toBeGreaterThanOrEqual(3);
    expect(record.accepted).toBe(0);
    for (const reason of ["wrong-public", "malformed", "missing"]) {
      expect(
        await metric(new RegExp(`^zkinfer_proofs_rejected_total\\{reason="${reason}"\\} (\\d+)$`, "m")),
        reason,
      ).toBeGreaterThanOrEqual(1);
    }
    // the hashed model's result opens: its salts make the commitments checkable with zkinfer verify
    const done = await waitJob(svc.url, ids[0]!);
    const salts = done.salts as { input: string; output: string };
    const f = (name: string, v: unknown) => (
      writeFileSync(path.join(root, name), JSON.stringify(v)),
      path.join(root, name)
    );
    const v = await verifyDir(path.join(models, "cancer_hashed"), {
      proof: f("h-proof.json", done.proof),
      public: f("h-public.json", done.public),
      input: f("h-in.json", { input: loadSamples("cancer_logreg").inputs[0] }),
      inputSalt: f("h-salt.json", { salt: salts.input }),
      output: f("h-out.json", {
        outputs: (done.outputs as { values: number[] }[]).map((o) => o.values),
        salt: salts.output,
      }),
    });
    expect(v.valid).toBe(true);
    expect(v.checks.map((c) => [c.what, c.match])).toEqual([
      ["input", true],
      ["output", true],
    ]);
    await stop(liar);
  });

  it("lies about a split model's segments are caught per segment; other workers re-prove them and the chain verifies", async () => {
    for (const w of [...running]) await stop(w);
    const liar = await fixtureWorker("liar");
    const id = await submit("digits_split", 4);
    // the liar takes the three segment tasks in turn and lies on each (another input, garbage, nothing)
    await until(id, (j) => Number(j.rejections) >= 3);
    await stop(liar);
    await honestWorker("honest-split");
    const job = await waitJob(svc.url, id);
    await expectCorrect(job, "digits_split", 4);
    expect(job.rejections).toBe(3);
    expect((job.chain as { worker: string }[]).map((c) => c.worker)).toEqual([
      "honest-split",
      "honest-split",
      "honest-split",
    ]);
  });

  it("SIGTERM drains a worker: its running proof finishes and it exits 0", async () => {
    for (const w of [...running]) await stop(w);
    const drainer = await fixtureWorker("slow:1500");
    const id = await submit("digits_mlp", 2);
    await until(id, provingBy(drainer.id));
    expect(await stop(drainer, "SIGTERM")).toBe(0);
    const job = await until(id, (j) => j.state === "done", 10_000);
    expect((job.chain as { worker: string }[]).map((c) => c.worker)).toEqual([drainer.id]);
  });

  it("a task that fails is retried with backoff a bounded number of times, then its job fails with the error; resubmitting tries afresh", async () => {
    const failing = await fixtureWorker("fail");
    const t0 = Date.now();
    const id = await submit("digits_mlp", 12);
    const job = await waitJob(svc.url, id);
    expect(job.state).toBe("failed");
    expect((job.error as { message: string }).message).toMatch(/task #0 failed after 3 attempt\(s\): injected failure/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3000); // backoff 1 s, then 2 s
    await stop(failing);
    const w = await honestWorker("second-chance");
    expect(await submit("digits_mlp", 12)).toBe(id); // the same request: the failed job is tried afresh
    await expectCorrect(await waitJob(svc.url, id), "digits_mlp", 12);
    await stop(w);
  });

  it("restarting Redis and the service between submit and fetch loses no queued or finished job; a full queue answers 429", async () => {
    expect(running.size).toBe(0); // nothing takes the new jobs until the restart
    const same = await call(svc.url, "POST", "/v1/models/digits_mlp/proofs", {
      body: { input: loadSamples("digits_mlp").inputs[2] },
    }); // as in the drain test
    expect(same.status).toBe(200);
    const finished = (await call(svc.url, "GET", `/v1/jobs/${String(same.json.id)}`)).json;
    expect(finished.state).toBe("done");
    const queued = [await submit("digits_mlp", 5), await submit("digits_mlp", 6), await submit("cancer_hashed", 7)];
    const full = await call(svc.url, "POST", "/v1/models/digits_mlp/proofs", {
      body: { input: loadSamples("digits_mlp").inputs[8] },
    });
    expect(full.status, full.text).toBe(429);
    expect((full.json.error as { code: string; message: string }).message).toMatch(
      /the queue is full \(3 tasks waiting, limit 3\)/,
    );
    expect(Number(full.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    for (const id of queued) expect((await call(svc.url, "GET", `/v1/jobs/${id}`)).json.state).toBe("queued");

    expect(await svc.proc.stop()).toBe(0);
    const port = Number(new URL(redis.url).port);
    expect(await redis.proc.stop()).toBe(0);
    redis = await startRedis(redis.dir, port); // the same append-only file
    svc = await startService(serviceArgs());

    const again = (await call(svc.url, "GET", `/v1/jobs/${String(finished.id)}`)).json;
    expect(again.state).toBe("done");
    expect(again.proof).toEqual(finished.proof);
    for (const id of queued) expect((await call(svc.url, "GET", `/v1/jobs/${id}`)).json.state).toBe("queued");
    await honestWorker("after-restart");
    const samples = [
      ["digits_mlp", 5],
      ["digits_mlp", 6],
      ["cancer_hashed", 7],
    ] as const;
    for (const [k, id] of queued.entries())
      await expectCorrect(await waitJob(svc.url, id), samples[k]![0], samples[k]![1]);
  });
});

describe.skipIf(!haveRedis)("stopping while Redis is gone", () => {
  it("SIGTERM still stops the service and a worker promptly: nothing can drain into an unreachable Redis", async () => {
    const lost = await startRedis(path.join(root, "lost-redis"));
    const s = await startService(["--models", models, "--redis", lost.url]);
    const w = await startCliWorker(lost.url, s.url, ["--cache", path.join(root, "cache-lost")]);
    await lost.proc.stop("SIGKILL");
    const t0 = Date.now();
    expect(await Promise.all([s.proc.stop(), w.proc.stop()])).toEqual([0, 0]);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});

describe.skipIf(!haveRedis)("zkinfer serve without --redis", () => {
  it("starts its own Redis on a Unix socket with in-process workers, proves, and stops both on SIGTERM", async () => {
    const data = path.join(root, "data");
    own = await startService(["--models", models, "--data", data]);
    const sock = path.join(data, "redis.sock");
    expect(existsSync(sock)).toBe(true);
    expect(existsSync(path.join(data, "appendonlydir"))).toBe(true);
    const r = await call(own.url, "POST", "/v1/models/digits_mlp/proofs", {
      body: { input: loadSamples("digits_mlp").inputs[9] },
    });
    expect(r.status, r.text).toBe(202);
    const job = await waitJob(own.url, String(r.json.id));
    expect(job.state, JSON.stringify(job.error)).toBe("done");
    expect(own.proc.output()).toMatch(/started a private Redis on .*redis\.sock/);
    expect(await own.proc.stop()).toBe(0);
    expect(existsSync(sock)).toBe(false);
    const pid = Number(/pid=(\d+)/.exec(readFileSync(path.join(data, "redis.log"), "utf8"))?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(); // that redis-server is gone
  });
});
