/**
 * The proving page's prover: snarkjs's Groth16 `prove` on the proving key and the .wtns bytes,
 * in a Worker (minutes of work for large circuits must not freeze the page; snarkjs starts its
 * own workers for the multi-exponentiations from here).
 */
import * as snarkjs from "snarkjs";
import { errReply } from "../../src/witness/protocol.js";
import type { ProveReply, ProveRequest } from "./protocol.js";

self.addEventListener("message", (ev: MessageEvent<ProveRequest>) => {
  const { id, zkey, wtns } = ev.data;
  void (async (): Promise<ProveReply> => {
    try {
      const t = performance.now();
      const { proof, publicSignals } = await snarkjs.groth16.prove(
        { type: "mem", data: zkey },
        { type: "mem", data: wtns },
      );
      return { type: "ok", id, proof, publicSignals, ms: performance.now() - t };
    } catch (e) {
      return { ...errReply(e), id } as ProveReply;
    }
  })().then((reply) => self.postMessage(reply));
});
