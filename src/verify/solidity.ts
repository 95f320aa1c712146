/**
 * The Ethereum verifier: snarkjs's own Groth16 Solidity template rendered with a verification
 * key (so the contract is exactly what `snarkjs zkey export solidityverifier` writes, made
 * from verification_key.json alone), and the calldata for its
 * `verifyProof(uint[2], uint[2][2], uint[2], uint[N])`.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import ejs from "ejs";
import * as snarkjs from "snarkjs";
import type { Groth16Proof, VerificationKey } from "snarkjs";

const require = createRequire(import.meta.url);

function groth16Template(): string {
  // snarkjs's package exports hide its files; its main entry sits in build/
  const root = path.resolve(path.dirname(require.resolve("snarkjs")), "..");
  return readFileSync(path.join(root, "templates", "verifier_groth16.sol.ejs"), "utf8");
}

/** Solidity source of a `Groth16Verifier` contract for this key. */
export function solidityVerifier(vk: VerificationKey): string {
  return ejs.render(groth16Template(), vk);
}

const CONTRACT_LINE = "contract Groth16Verifier {";

/**
 * snarkjs's contract for this key under another name, cut from its file's licence notice and
 * pragma (`preamble`), so that one file can hold several keys' verifiers (solidity-chain.ts)
 * with snarkjs's code unchanged inside each.
 */
export function groth16Contract(vk: VerificationKey, name: string): { preamble: string; contract: string } {
  const text = solidityVerifier(vk);
  const at = text.indexOf(CONTRACT_LINE);
  // a snarkjs release that renamed its contract would otherwise give a file that does not compile
  if (at < 0 || text.indexOf(CONTRACT_LINE, at + 1) >= 0)
    throw new Error(`snarkjs's Groth16 template no longer declares one "${CONTRACT_LINE}": update groth16Contract`);
  return { preamble: text.slice(0, at), contract: `contract ${name} {${text.slice(at + CONTRACT_LINE.length)}` };
}

/** The verifyProof arguments, as decimal strings (hex in `calldata`'s text form). */
export interface Calldata {
  readonly a: [string, string];
  readonly b: [[string, string], [string, string]];
  readonly c: [string, string];
  readonly input: string[];
}

/** The four verifyProof arguments for a proof and its public signals. */
export async function solidityCalldata(proof: Groth16Proof, pub: string[]): Promise<{ text: string; args: Calldata }> {
  // snarkjs's text: ["0x..","0x.."],[[..],[..]],[..],[..] — the same numbers as an array
  const text = await snarkjs.groth16.exportSolidityCallData(proof, pub);
  const parsed = JSON.parse(`[${text}]`) as [string[], string[][], string[], string[]];
  const dec = (h: string) => BigInt(h).toString();
  const args: Calldata = {
    a: [dec(parsed[0][0]!), dec(parsed[0][1]!)],
    b: [
      [dec(parsed[1][0]![0]!), dec(parsed[1][0]![1]!)],
      [dec(parsed[1][1]![0]!), dec(parsed[1][1]![1]!)],
    ],
    c: [dec(parsed[2][0]!), dec(parsed[2][1]!)],
    input: parsed[3].map(dec),
  };
  return { text, args };
}
