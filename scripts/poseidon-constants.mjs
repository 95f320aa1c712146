// Copies circomlib's Poseidon round constants and MDS matrices (circomlibjs ships them as
// JSON but its package exports hide the file) next to the Poseidon gadget, so one static JSON
// import serves Node, the browser verifier and bundlers alike. npm ci runs this through
// `prepare`; the copy is not committed (src/circuit/gadgets/poseidon-constants.json).
import { copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const main = createRequire(import.meta.url).resolve("circomlibjs");
const from = path.join(path.dirname(main), "..", "src", "poseidon_constants.json");
const to = path.join(here, "..", "src", "circuit", "gadgets", "poseidon-constants.json");
copyFileSync(from, to);
console.log(`copied circomlibjs's Poseidon constants to ${path.relative(process.cwd(), to)}`);
