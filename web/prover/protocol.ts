/**
 * The proving page's two Workers and what they are told: a typed request, answered with a
 * result or an error (errors always reach the caller, with the ZkError's code when there was
 * one). Buffers are transferred, not copied.
 *
 *   witness-worker.ts  the wasm kernels on one thread: plan.json's text (kept until another
 *                      plan comes) and an input → the .wtns bytes and the outputs
 *   prove-worker.ts    snarkjs's Groth16 prover: the proving key and a .wtns → proof, public signals
 */
import type { Groth16Proof } from "snarkjs";
import type { Salts } from "../../src/circuit/plan.js";
import type { IntTensor, PlanValue } from "../../src/quantize/qgraph.js";
import { errorOf, type ErrReply, type Reply } from "../../src/witness/protocol.js";

export interface WitnessRequest {
  readonly id: number;
  readonly plan: string;
  readonly input: IntTensor;
  readonly salts: Salts;
}
export type WitnessReply = Reply<{ readonly id: number; readonly wtns: Uint8Array; readonly outputs: PlanValue[] }>;

export interface ProveRequest {
  readonly id: number;
  readonly zkey: Uint8Array;
  readonly wtns: Uint8Array;
}
export type ProveReply = Reply<{
  readonly id: number;
  readonly proof: Groth16Proof;
  readonly publicSignals: string[];
  readonly ms: number;
}>;

type Ok<R> = Extract<R, { type: "ok" }>;

/**
 * A Worker as a function (`start` makes it, on the first call: written at the call site as
 * `new Worker(new URL(...), { type: "module" })`, the form bundlers recognise): each call posts one request and resolves with its reply, or rejects
 * with its error; a worker that fails to load or throws outside a request rejects every call
 * in flight.
 */
export function client<Q extends { id: number }, R extends { type: string }>(
  start: () => Worker,
  what: string,
): (req: Omit<Q, "id">, transfer?: Transferable[]) => Promise<Ok<R>> {
  let worker: Worker | null = null;
  let next = 0;
  const waiting = new Map<number, { resolve: (r: Ok<R>) => void; reject: (e: Error) => void }>();
  const failAll = (message: string) => {
    for (const w of waiting.values()) w.reject(errorOf({ type: "err", code: null, message }, what));
    waiting.clear();
    worker?.terminate();
    worker = null;
  };
  return (req, transfer = []) => {
    if (!worker) {
      worker = start();
      worker.addEventListener("message", (ev: MessageEvent<R & { id?: number }>) => {
        const r = ev.data;
        const id = (r as { id?: number }).id ?? -1;
        const w = waiting.get(id);
        if (!w) return;
        waiting.delete(id);
        if (r.type === "ok") w.resolve(r as Ok<R>);
        else w.reject(errorOf(r as unknown as ErrReply, what));
      });
      worker.addEventListener("error", (ev) => failAll(ev.message || "the worker failed to start"));
    }
    const id = next++;
    return new Promise<Ok<R>>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker!.postMessage({ ...req, id }, { transfer });
    });
  };
}
