/**
 * A ptau generation thread (ptau-pool.ts): instantiates the curve's wasm module once, then
 * answers each chunk it is posted with the chunk's points (transferred) or the error it met.
 * It never imports ffjavascript (wasm-curve.ts says why).
 */
import { parentPort, workerData } from "node:worker_threads";
import { errReply } from "../witness/protocol.js";
import { instantiateCurve } from "./wasm-curve.js";
import { ChunkRunner } from "./ptau-chunk.js";
import type { ChunkReply, ChunkRequest, PtauWorkerStart } from "./ptau-pool.js";

const start = workerData as PtauWorkerStart;
const runner = new ChunkRunner(instantiateCurve(start.module), start.generators);
const port = parentPort!;

port.on("message", (req: ChunkRequest) => {
  let reply: ChunkReply;
  try {
    const points = runner.run(req.task);
    reply = { type: "ok", id: req.id, points };
    port.postMessage(reply, [points.buffer as ArrayBuffer]); // a fresh copy out of the wasm memory, never shared
  } catch (e) {
    reply = { ...errReply(e), id: req.id };
    port.postMessage(reply);
  }
});
