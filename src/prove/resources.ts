/**
 * Refuse early when a job cannot fit: estimates of time and memory for Groth16 setup and
 * proving from the circuit size, from measurements on a 2-core machine (estimate, below).
 * Deliberately generous: this catches "hours and out of memory", not "a bit slower than usual".
 */
import * as os from "node:os";
import { ZkError } from "../errors.js";

export interface Estimate {
  readonly seconds: number;
  readonly bytes: number;
}

/**
 * What a job costs on 2 cores. `prove` is zkinfer's Groth16 prover (groth16.ts: ≈ 0.4 s +
 * 1.4 s per 2^16 domain points, wide witnesses up to 2×); its memory grows with the domain,
 * about 1 KB a point (ResNet-8's 2^21 segment: 44.5 s and 2.2 GB; snarkjs's prover took
 * 4.9 GB). `setup` is a development key written directly (dev-zkey.ts: 131 s and 3.2 GB at 2^21 with 1.6 M wires, 42 s and 1.0 GB at
 * 2^19); `setup-ptau` is snarkjs's zkey new + contribute from a user's ptau (~5 s at 2^14,
 * ~68 s at 2^18; the zkey holds ~ (3 G1 + 1 G2) per wire + domain G1, and it ran out of a 4 GB
 * heap at 2^21).
 */
export function estimate(
  job: "setup" | "setup-ptau" | "prove",
  constraints: number,
  wires: number,
  power: number,
): Estimate {
  const domain = 2 ** power;
  if (job === "prove") return { seconds: 0.4 + (2 * 1.4 * domain) / 65536, bytes: 300e6 + domain * 1000 };
  if (job === "setup") return { seconds: 2 + (70 * domain) / 2 ** 20, bytes: 300e6 + wires * 1900 };
  return { seconds: 2 + (68 * domain) / 2 ** 18, bytes: 300e6 + domain * 2000 + wires * 600 + constraints * 64 };
}

/** The memory a job may use: the machine's, or ZKINFER_MAX_MEMORY (bytes, or with a K/M/G suffix). */
export function memoryBudget(): number {
  const v = process.env.ZKINFER_MAX_MEMORY;
  if (!v) return os.totalmem();
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(v.trim());
  if (!m) throw new ZkError("BAD_OPTION", `ZKINFER_MAX_MEMORY="${v}" is not a size (e.g. 4G, 512M)`);
  return Number(m[1]) * 1024 ** " kmg".indexOf((m[2] || " ").toLowerCase());
}

export function checkResources(
  job: "setup" | "setup-ptau" | "prove",
  constraints: number,
  wires: number,
  power: number,
): Estimate {
  const e = estimate(job, constraints, wires, power);
  const free = memoryBudget();
  if (e.bytes > free * 0.9) {
    throw new ZkError(
      "RESOURCE",
      `${job} of a circuit with ${constraints} constraints (ptau power ${power}) needs about ${(e.bytes / 2 ** 30).toFixed(1)} GiB; ` +
        `this machine has ${(free / 2 ** 30).toFixed(1)} GiB. Use a larger machine or a smaller model (fewer activation bits).`,
    );
  }
  return e;
}
