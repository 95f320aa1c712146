/**
 * The proving page's wasm witness: the WebAssembly kernels on one thread (a page without
 * cross-origin isolation has no shared memory), off the main thread so the page stays live.
 * Used when the page has no GPU to run the WebGPU kernels on (or is told to use wasm).
 */
import { parsePlan } from "../../src/circuit/plan-json.js";
import { kernelModule } from "../../src/witness/backends/wasm/kernels.js";
import { wasmGenerator } from "../../src/witness/backends/wasm/single.js";
import type { WitnessGenerator } from "../../src/witness/backend.js";
import { errReply } from "../../src/witness/protocol.js";
import { asInputError } from "../../src/quantize/window.js";
import type { WitnessReply, WitnessRequest } from "./protocol.js";

const kernels = new URL("../../kernels/wasm/build/kernels.wasm", import.meta.url);
let current: { plan: string; generator: Promise<WitnessGenerator> } | null = null;

self.addEventListener("message", (ev: MessageEvent<WitnessRequest>) => {
  const { id, plan, input, salts } = ev.data;
  void (async (): Promise<WitnessReply> => {
    try {
      if (current?.plan !== plan) {
        const generator = kernelModule(kernels).then((m) => wasmGenerator(parsePlan(plan, "plan.json"), m));
        current = { plan, generator };
      }
      const r = await (await current.generator).witness(input, salts);
      // the .wtns is a view into the kernels' memory: copy it out to transfer
      return { type: "ok", id, wtns: r.wtns.slice(), outputs: [...r.outputs] };
    } catch (e) {
      return { ...errReply(asInputError(e)), id } as WitnessReply;
    }
  })().then((reply) => self.postMessage(reply, { transfer: reply.type === "ok" ? [reply.wtns.buffer] : [] }));
});
