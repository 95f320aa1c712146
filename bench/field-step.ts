/**
 * One measured step of the field benchmark (bench/field.ts) in its own process, so its peak
 * RSS is its own: circom's witness calculator, and snarkjs Groth16 setup, prove and verify
 * on a circom-built .r1cs (the baselines; zkinfer's own steps are bench/step.ts). Prints one
 * JSON line: the step's fields, wall seconds and peak RSS in bytes.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import * as snarkjs from "snarkjs";
import { circomCalculator } from "./circom.js";
import { getCurve, releaseCurve } from "../src/prove/curve.js";

async function step(name: string, args: string[]): Promise<Record<string, unknown>> {
  switch (name) {
    case "circom-witness": {
      // args: jsDir wasm input.json out.wtns reps
      const calc = await circomCalculator({ jsDir: args[0]!, wasm: args[1]! } as Parameters<
        typeof circomCalculator
      >[0]);
      const input = JSON.parse(readFileSync(args[2]!, "utf8")) as unknown;
      const reps = Number(args[4] ?? 3);
      const wtns = await calc.calculateWTNSBin(input, true);
      writeFileSync(args[3]!, wtns);
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) await calc.calculateWTNSBin(input, true);
      const publicSignals = (await calc.calculateWitness(input, true)).slice(1, 1 + Number(args[5] ?? 0)).map(String);
      return { perRun: (performance.now() - t0) / 1000 / reps, reps, publicSignals };
    }
    case "groth16-setup": {
      // args: r1cs ptau zkey vkey — snarkjs's new key and one contribution, as `zkinfer setup` does
      const stage0 = `${args[2]}.0`;
      await snarkjs.zKey.newZKey(args[0]!, args[1]!, stage0);
      await snarkjs.zKey.contribute(stage0, args[2]!, "baseline", randomBytes(32).toString("hex"));
      writeFileSync(args[3]!, JSON.stringify(await snarkjs.zKey.exportVerificationKey(args[2]!)));
      return {};
    }
    case "groth16-prove": {
      // args: zkey wtns proof.json public.json
      const { proof, publicSignals } = await snarkjs.groth16.prove(args[0]!, args[1]!);
      writeFileSync(args[2]!, JSON.stringify(proof));
      writeFileSync(args[3]!, JSON.stringify(publicSignals));
      return {};
    }
    case "groth16-verify": {
      const vk = JSON.parse(readFileSync(args[0]!, "utf8")) as unknown;
      const pub = JSON.parse(readFileSync(args[1]!, "utf8")) as unknown;
      const proof = JSON.parse(readFileSync(args[2]!, "utf8")) as unknown;
      return { valid: await snarkjs.groth16.verify(vk as never, pub as never, proof as never) };
    }
    default:
      throw new Error(`unknown step ${name}`);
  }
}

const [name, ...args] = process.argv.slice(2);
if (name!.startsWith("groth16-")) await getCurve();
const t0 = performance.now();
const result = await step(name!, args);
const seconds = (performance.now() - t0) / 1000;
await releaseCurve();
process.stdout.write(JSON.stringify({ ...result, seconds, peakRss: process.resourceUsage().maxRSS * 1024 }) + "\n");
