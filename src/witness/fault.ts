/**
 * Test-only fault injection for witness workers: the tests that check a worker which throws or
 * dies reaches its caller as an error, never as a hang, need a worker that does so on cue. A
 * fault names what happens and at which kernel call (counted from 1, in each worker):
 *
 *   throw  the call throws, as a kernel trap would: the worker answers with an error
 *   crash  an exception escapes the worker's serving loop: the thread dies of it (exit code 1)
 *   exit   the worker calls process.exit(3) in its serving loop
 *   stall  the worker blocks for good (a test then kills it from outside with terminate())
 *
 * It comes from `WitnessOptions.fault`, or, for tests of the CLI, ZKINFER_TEST_FAULT=KIND@CALL
 * ("exit@3"). Faults strike only in worker threads (`faultHere` is null on the main thread), so
 * a test fault can never take down the caller's own process.
 */
import { isMainThread } from "node:worker_threads";
import { ZkError } from "../errors.js";
import { assertNever } from "../util/never.js";

import { FAULT_KINDS, type Fault } from "./protocol.js";

export type { Fault } from "./protocol.js";

/** The exit code of an `exit` fault: not 0 or 1, so tests can tell it from a crash. */
export const FAULT_EXIT_CODE = 3;

/** ZKINFER_TEST_FAULT, parsed; a malformed one is an error, so a test cannot pass by not injecting. */
export function faultFromEnv(value = process.env.ZKINFER_TEST_FAULT): Fault | null {
  if (!value) return null;
  const m = /^([a-z]+)@(\d+)$/.exec(value);
  const kind = FAULT_KINDS.find((k) => k === m?.[1]);
  if (!m || !kind || Number(m[2]) < 1)
    throw new ZkError(
      "BAD_OPTION",
      `ZKINFER_TEST_FAULT must be KIND@CALL with KIND one of ${FAULT_KINDS.join(", ")} and CALL ≥ 1, got "${value}"`,
    );
  return { kind, call: Number(m[2]) };
}

/** A counter of this thread's kernel calls that says when the fault is due; null on the main thread or without a fault. */
export function faultHere(fault: Fault | null | undefined): FaultCounter | null {
  return fault && !isMainThread ? new FaultCounter(fault) : null;
}

export class FaultCounter {
  private calls = 0;
  constructor(private readonly fault: Fault) {}
  /** Counts one kernel call: the fault if it strikes at this one, else null. */
  next(): Fault | null {
    return ++this.calls === this.fault.call ? this.fault : null;
  }
}

/** Does what the fault says, in kernel `kernel`: throws (throw, crash), ends the thread (exit) or blocks it (stall). */
export function strike({ kind, call }: Fault, kernel: string): never {
  switch (kind) {
    case "throw":
      throw new Error(`injected fault: kernel call ${call} (${kernel}) threw`);
    case "crash":
      throw new Error(`injected crash at kernel call ${call} (${kernel})`);
    case "exit":
      return process.exit(FAULT_EXIT_CODE);
    case "stall":
      for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    default:
      return assertNever(kind, "fault");
  }
}
