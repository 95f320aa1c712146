/**
 * The proving service's tests run real processes: a redis-server on a free loopback port in a
 * temporary directory, `zkinfer serve` and `zkinfer worker` (bin/zkinfer.js over dist/), and
 * fault-injecting workers (test/service/fixtures/worker.mjs). Every process is stopped by its pid.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { DEFAULT_COMPILE, type CompileModelOptions } from "../../src/circuit/compile-model.js";
import { compileSplitToDir, compileToDir } from "../../src/artifacts.js";
import { setupDir } from "../../src/prove/setup.js";
import { setupSplit } from "../../src/prove/chain.js";
import { fixture } from "./fixtures.js";

export const REDIS_SERVER = "redis-server";

/**
 * Without redis-server (Debian's redis-server package) the service tests are skipped, unless
 * ZKINFER_REQUIRE_REDIS=1 (set by .ci/run, which installs it) makes that a failure.
 */
export const haveRedis = spawnSync(REDIS_SERVER, ["--version"]).status === 0;
if (!haveRedis && process.env.ZKINFER_REQUIRE_REDIS === "1")
  throw new Error("redis-server is missing and ZKINFER_REQUIRE_REDIS=1: install Debian's redis-server package");

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A child process with its output collected (for error messages) and a way to stop it. */
export interface Proc {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** resolves with the exit code (or the signal) */
  readonly exited: Promise<number | string>;
  /** sends `signal` and waits for the exit; a process still running after `ms` is killed and reported */
  stop(signal?: NodeJS.Signals, ms?: number): Promise<number | string>;
}

export function spawnProc(cmd: string, args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((res) => child.once("exit", (code, sig) => res(code ?? sig ?? -1)));
  return {
    child,
    output: () => out,
    exited,
    async stop(signal = "SIGTERM", ms = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"late">((res) => (timer = setTimeout(() => res("late"), ms)));
      const r = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (r !== "late") return r;
      child.kill("SIGKILL");
      await exited;
      throw new Error(
        `${cmd} ${args.slice(0, 2).join(" ")} did not exit within ${ms} ms of ${signal}:\n${out.slice(-3000)}`,
      );
    },
  };
}

/** Stops every process in order, even when one fails to stop; then throws the first failure. */
export async function stopAll(procs: readonly (Proc | undefined)[], signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  const results = [];
  for (const p of procs)
    if (p)
      results.push(
        await p.stop(signal).then(
          () => null,
          (e: unknown) => e,
        ),
      );
  const failed = results.find((r) => r !== null);
  if (failed) throw failed;
}

async function until<T>(
  what: string,
  proc: Proc | null,
  ms: number,
  probe: () => Promise<T | null> | T | null,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (proc && (proc.child.exitCode !== null || proc.child.signalCode !== null))
      throw new Error(`${what}: the process exited\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out after ${ms} ms\n${proc?.output() ?? ""}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface TestRedis {
  readonly url: string;
  readonly dir: string;
  readonly proc: Proc;
}

/** redis-server on a free loopback port, AOF on, its files in `dir`. */
export async function startRedis(dir: string, port?: number): Promise<TestRedis> {
  mkdirSync(dir, { recursive: true });
  const p = port ?? (await freePort());
  const proc = spawnProc(REDIS_SERVER, [
    "--port",
    String(p),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--appendonly",
    "yes",
    "--save",
    "",
    "--maxmemory-policy",
    "noeviction",
  ]);
  await until("redis-server start", proc, 10_000, () =>
    /Ready to accept connections/.test(proc.output()) ? true : null,
  );
  return { url: `redis://127.0.0.1:${p}`, dir, proc };
}

/** Reads the first complete JSON object a `--json` process printed on stdout. */
function firstJson(proc: Proc): Record<string, unknown> | null {
  const text = proc.output();
  const start = text.indexOf("{");
  for (let end = text.indexOf("}\n", start); start >= 0 && end > 0; end = text.indexOf("}\n", end + 1)) {
    try {
      return JSON.parse(text.slice(start, end + 1)) as Record<string, unknown>;
    } catch {
      // not the end of the object yet
    }
  }
  return null;
}

const BIN = path.resolve("bin/zkinfer.js");

export interface TestService {
  readonly url: string;
  readonly proc: Proc;
}

/** `zkinfer serve --json --port 0 ARGS`: resolves once it listens. */
export async function startService(args: string[], env: Record<string, string> = {}): Promise<TestService> {
  const proc = spawnProc(process.execPath, [BIN, "serve", "--port", "0", "--json", ...args], env);
  const j = await until("zkinfer serve start", proc, 60_000, () => firstJson(proc));
  return { url: String(j.url), proc };
}

export interface TestWorker {
  readonly id: string;
  readonly proc: Proc;
}

async function workerReady(proc: Proc): Promise<TestWorker> {
  const j = await until("worker start", proc, 60_000, () => firstJson(proc));
  return { id: String(j.worker), proc };
}

/** `zkinfer worker --json ARGS`. */
export function startCliWorker(
  redis: string,
  service: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<TestWorker> {
  return workerReady(
    spawnProc(process.execPath, [BIN, "worker", "--redis", redis, "--service", service, "--json", ...args], env),
  );
}

/** A fault-injecting worker (test/service/fixtures/worker.mjs): mode "slow:MS", "liar" or "honest". */
export function startFixtureWorker(
  redis: string,
  service: string,
  mode: string,
  cache: string,
  lockMs = 2000,
): Promise<TestWorker> {
  const script = path.resolve("test/service/fixtures/worker.mjs");
  return workerReady(spawnProc(process.execPath, [script, redis, service, mode, cache, String(lockMs)]));
}

/** Compiles and sets up fixture models into MODELS/<name>/ (library calls: faster than the CLI). */
export async function prepareModels(
  modelsDir: string,
  models: readonly {
    readonly fixture: string;
    readonly name?: string;
    readonly options?: Partial<CompileModelOptions>;
    /** compile into this many segments (a split model: compile --segments) */
    readonly segments?: number;
  }[],
): Promise<void> {
  for (const m of models) {
    const dir = path.join(modelsDir, m.name ?? m.fixture);
    const args = [fixture(m.fixture, "model.onnx"), fixture(m.fixture, "calibration.json"), dir] as const;
    const opts = { ...DEFAULT_COMPILE, ...m.options };
    if (m.segments) {
      await compileSplitToDir(...args, opts, { segments: m.segments });
      await setupSplit(dir);
    } else {
      await compileToDir(...args, opts);
      await setupDir(dir);
    }
  }
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly json: Record<string, unknown>;
  readonly text: string;
}

/** One HTTP request to the service; `body` as a string is sent as is (malformed JSON, say). */
export async function call(
  base: string,
  method: string,
  route: string,
  opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {
    ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
    ...opts.headers,
  };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
  }
  const res = await fetch(base + route, { method, headers, body });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // /metrics is text
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Polls GET /v1/jobs/{id} (long polling with ?wait) until the job is done or failed. */
export async function waitJob(base: string, id: string, key?: string, ms = 90_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await call(base, "GET", `/v1/jobs/${id}?wait=10`, { key });
    if (r.status !== 200) throw new Error(`GET /v1/jobs/${id}: ${r.status} ${r.text}`);
    if (r.json.state === "done" || r.json.state === "failed") return r.json;
    if (Date.now() > deadline)
      throw new Error(`job ${id} still ${String(r.json.state)} after ${ms} ms: ${r.text.slice(0, 400)}`);
  }
}
