/**
 * The circom templates in circuits/ (one file per zkinfer gadget), inlined into an export so
 * it is one file. circomlib stays an include (its Poseidon), resolved with `-l node_modules`.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { packageRoot } from "../util/paths.js";

/** In dependency order. */
const GADGET_FILES = ["bits", "requant", "max", "argmax", "div", "invert"] as const;
const COMMIT_FILE = "commit";
export const CIRCOMLIB_POSEIDON = "circomlib/circuits/poseidon.circom";

export function circuitsDir(): string {
  return path.join(packageRoot(), "circuits");
}

function stripped(file: string): string {
  const text = readFileSync(path.join(circuitsDir(), `${file}.circom`), "utf8");
  return text
    .split("\n")
    .filter((l) => !/^\s*(pragma|include)\b/.test(l))
    .join("\n")
    .trim();
}

/** The templates an export needs, without their pragma and include lines. */
export function gadgetLibrary(withCommitments: boolean): string {
  const files = withCommitments ? [...GADGET_FILES, COMMIT_FILE] : GADGET_FILES;
  return files.map((f) => `// ---- circuits/${f}.circom ----\n${stripped(f)}\n`).join("\n");
}
