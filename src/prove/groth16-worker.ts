/**
 * A prover thread (groth16.ts): loads its share of the key's points into a wasm instance of
 * its own once, then answers each request with its part of the sums (groth16-share.ts). It
 * never imports ffjavascript (wasm-curve.ts says why).
 */
import { parentPort, workerData } from "node:worker_threads";
import { errReply } from "../witness/protocol.js";
import { instantiateCurve } from "./wasm-curve.js";
import { MsmShare } from "./groth16-share.js";
import type { ShareMessage, ShareReply, ShareWorkerStart } from "./groth16.js";

const start = workerData as ShareWorkerStart;
const port = parentPort!;

let share: MsmShare | null = null;
try {
  share = new MsmShare(instantiateCurve(start.module), start.share);
  port.postMessage({ type: "ok", id: -1, bytes: new Uint8Array(0) } satisfies ShareReply);
} catch (e) {
  port.postMessage({ ...errReply(e), id: -1 } satisfies ShareReply);
}

port.on("message", ({ id, kind, scalars }: ShareMessage) => {
  try {
    if (!share) throw new Error("this prover thread did not load its share of the key");
    const bytes =
      kind === "wires" ? share.wires(scalars) : kind === "coset" ? share.coset(scalars) : share.quotient(scalars);
    port.postMessage({ type: "ok", id, bytes } satisfies ShareReply, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ ...errReply(e), id } satisfies ShareReply);
  }
});
