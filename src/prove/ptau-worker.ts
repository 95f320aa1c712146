/**
 * A ptau generation thread (ptau-pool.ts): instantiates the curve's wasm module once, then
 * answers each request it is posted with its bytes (transferred) or the error it met. It
 * never imports ffjavascript (wasm-curve.ts says why).
 */
import { parentPort, workerData } from "node:worker_threads";
import { errReply } from "../witness/protocol.js";
import { instantiateCurve } from "./wasm-curve.js";
import { ChunkRunner } from "./ptau-chunk.js";
import type { PtauMessage, PtauReply, PtauWorkerStart } from "./ptau-pool.js";

const start = workerData as PtauWorkerStart;
const runner = new ChunkRunner(instantiateCurve(start.module, start.kernel), start.generators);
const port = parentPort!;

port.on("message", ({ id, req }: PtauMessage) => {
  let reply: PtauReply;
  try {
    const bytes = runner.serve(req);
    reply = { type: "ok", id, bytes };
    // a fresh copy out of the wasm memory, never shared: hand it over instead of copying it again
    port.postMessage(reply, bytes ? [bytes.buffer as ArrayBuffer] : []);
  } catch (e) {
    reply = { ...errReply(e), id };
    port.postMessage(reply);
  }
});
