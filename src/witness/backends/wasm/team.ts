/**
 * The worker threads of one wasm runner, and the executor that splits big steps across them:
 * the main thread computes the first tile of a step, each worker one more, handed over through
 * the doorbell (doorbell.ts).
 *
 * Every failure reaches the caller, never a hang:
 * - a kernel that throws in a worker: the worker answers with an err reply; the step's other
 *   tiles still finish, then the call rejects with the worker's message. The team stays
 *   usable, as the one-thread executor does after a throw.
 * - a worker that dies (an uncaught exception, process.exit, terminate(), out of memory): its
 *   'exit' handler fails every slot, which wakes the main thread; the other workers are
 *   terminated, and this call and every later one reject with "witness worker 1 died (exit
 *   code 1) while computing step 7 (requant) in kernel requant: <its error>".
 *
 * Plain worker_threads rather than a pool: what this needs is each worker's exit code, its
 * error and a handle to kill it, where piscina reports a death as a failed task and starts a
 * replacement.
 */
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { packageRoot } from "../../../util/paths.js";
import { describeError, ZkError } from "../../../errors.js";
import { errorOf } from "../../protocol.js";
import type { Fault } from "../../fault.js";
import { callKernel, type Executor } from "./executor.js";
import type { Kernels, KernelName } from "./kernels.js";
import { Bell, makeDoorbell } from "./doorbell.js";
import type { StartReply, WorkerStart } from "./worker.js";

export interface TeamOptions {
  /** threads in all, the main thread included */
  readonly threads: number;
  /** steps with less work than this run on the main thread alone */
  readonly splitAbove: number;
  readonly fault: Fault | null;
  /** names plan step `i` in errors ("step 7 (requant)") */
  readonly stepName: (i: number) => string;
  /** called with each worker as it starts (tests use it to kill one) */
  readonly onWorker?: (worker: Worker, index: number) => void;
}

export interface Team extends Executor {
  /** the plan step now running, for error messages */
  enterStep(i: number): void;
  close(): Promise<void>;
}

interface Member {
  readonly worker: Worker;
  /** "witness worker 1": workers count from 1, the main thread being thread 0 */
  readonly name: string;
  started: boolean;
  /** the kernel whose tile it is computing, or null */
  busy: KernelName | null;
  /** the error it died of ('error' comes before 'exit'); null for an exit or a kill */
  error: string | null;
}

function workerUrl(): URL {
  // workers run compiled JavaScript (dist/), whichever way this module was loaded
  return pathToFileURL(path.join(packageRoot(), "dist", "src", "witness", "backends", "wasm", "worker.js"));
}

class ThreadTeam implements Team {
  private readonly members: Member[] = [];
  private readonly bell: Bell;
  private failure: ZkError | null = null;
  /** rejects with the first death: start-up waits on it */
  private readonly dead: Promise<never>;
  private reject!: (e: ZkError) => void;
  private closing = false;
  private step = -1;

  constructor(
    readonly k: Kernels,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    private readonly opts: TeamOptions,
  ) {
    this.dead = new Promise<never>((_, reject) => (this.reject = reject));
    this.dead.catch(() => undefined); // only start-up awaits it; a later death is reported by run()
    const workers = opts.threads - 1;
    const doorbell = makeDoorbell(workers);
    const ports: MessagePort[] = [];
    for (let slot = 0; slot < workers; slot++) {
      const { port1, port2 } = new MessageChannel();
      ports.push(port1);
      const start: WorkerStart = { module, memory, doorbell, slot, replies: port2, fault: opts.fault };
      this.members.push(this.spawn(new Worker(workerUrl(), { workerData: start, transferList: [port2] }), slot));
    }
    this.bell = new Bell(doorbell, ports);
  }

  private spawn(worker: Worker, slot: number): Member {
    const m: Member = { worker, name: `witness worker ${slot + 1}`, started: false, busy: null, error: null };
    worker.on("error", (e) => (m.error = describeError(e)));
    worker.on("exit", (code) => this.died(m, code));
    this.opts.onWorker?.(worker, slot + 1);
    return m;
  }

  /** Resolves when every worker has replied ready; rejects with the first that could not start or died. */
  async ready(): Promise<void> {
    const replies = this.members.map(
      (m) =>
        new Promise<void>((resolve, reject) => {
          m.worker.once("message", (r: StartReply) => {
            if (r.type === "err") return reject(errorOf(r, `${m.name} could not start`));
            m.started = true;
            resolve();
          });
        }),
    );
    await Promise.race([Promise.all(replies), this.dead]);
  }

  enterStep(i: number): void {
    this.step = i;
  }

  run(name: KernelName, args: readonly (number | bigint)[], n: number, cost: number): Promise<void> | void {
    if (this.failure) throw this.failure;
    const threads = this.members.length + 1;
    if (n * cost < this.opts.splitAbove || n < threads) return callKernel(this.k, name, args, 0, n);
    const chunk = Math.ceil(n / threads);
    const posted = this.post(name, args, n, chunk);
    let own: unknown = null;
    try {
      callKernel(this.k, name, args, 0, Math.min(n, chunk));
    } catch (e) {
      own = e; // reported once the workers' tiles are in: they write the same memory
    }
    // the fast path: every tile answered within the spin, no event-loop turn
    if (this.bell.spin(posted)) return this.collect(name, posted, own);
    return this.settle(posted).then(() => this.collect(name, posted, own));
  }

  /** Posts tiles 1.. of [0, n) to the workers; the slots posted to. */
  private post(name: KernelName, args: readonly (number | bigint)[], n: number, chunk: number): number[] {
    const posted: number[] = [];
    for (let slot = 0; slot < this.members.length; slot++) {
      const from = (slot + 1) * chunk,
        to = Math.min(n, from + chunk);
      if (from >= to) continue;
      this.bell.post(slot, name, args, from, to);
      this.members[slot]!.busy = name;
      posted.push(slot);
    }
    return posted;
  }

  private async settle(posted: readonly number[]): Promise<void> {
    for (const slot of posted) await this.bell.settled(slot);
  }

  /** Reads every posted slot's reply (each err reply's message must be taken off its port), then throws the first failure. */
  private collect(name: KernelName, posted: readonly number[], own: unknown): void {
    if (this.failure) throw this.failure;
    let first: ZkError | null = null;
    for (const slot of posted) {
      const m = this.members[slot]!;
      m.busy = null;
      const r = this.bell.reply(slot);
      if (r.type === "err")
        first ??= errorOf(r, `${m.name} failed while computing ${this.opts.stepName(this.step)} in kernel ${name}`);
    }
    if (first) throw first;
    if (own) throw own;
  }

  /** A worker's 'exit' outside close(): fail the team, wake the main thread, stop the others. */
  private died(m: Member, code: number): void {
    if (this.closing) return;
    const doing = !m.started
      ? "while starting"
      : m.busy
        ? `while computing ${this.opts.stepName(this.step)} in kernel ${m.busy}`
        : "while idle";
    this.tearDown(new ZkError("WORKER", `${m.name} died (exit code ${code}) ${doing}${m.error ? `: ${m.error}` : ""}`));
  }

  /** Fails this and every later call, wakes a waiting main thread, and terminates the workers (whose exits are then expected). */
  private tearDown(failure: ZkError): Promise<unknown> {
    this.failure ??= failure;
    this.closing = true;
    this.members.forEach((_, slot) => this.bell.fail(slot));
    this.reject(this.failure);
    return Promise.all(this.members.map((m) => m.worker.terminate()));
  }

  async close(): Promise<void> {
    // a witness still running (the caller did not wait for it) must not wait for good on a terminated worker
    await this.tearDown(new ZkError("WORKER", "the witness threads have been closed"));
  }
}

/** Starts `threads - 1` workers over `memory` and waits until each is ready; on failure, none is left running. */
export async function startTeam(
  k: Kernels,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  opts: TeamOptions,
): Promise<Team> {
  const team = new ThreadTeam(k, module, memory, opts);
  try {
    await team.ready();
  } catch (e) {
    await team.close();
    throw e;
  }
  return team;
}
