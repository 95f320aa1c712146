// Builds the witness kernels, and at the end the fixed-base kernel of ptau generation (npm ci
// runs this through `prepare`): AssemblyScript → WebAssembly with SIMD, the witness kernels in
// two variants of one source: plain memory (browsers without cross-origin isolation,
// single-threaded Node) and shared memory (worker threads splitting a step).
// Each is a wasm-pack-style package: .wasm, an ESM `instantiate` (asc's raw bindings), and
// .d.ts typings of the exports. Output: kernels/wasm/build/ (not committed).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { fieldSource } from "./field-source.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const asc = path.join(
  path.dirname(createRequire(import.meta.url).resolve("assemblyscript/package.json")),
  "bin",
  "asc.js",
);
const out = path.join(here, "build");
mkdirSync(out, { recursive: true });
const common = [
  path.join(here, "assembly", "index.ts"),
  "-O3",
  "--noAssert",
  "--runtime",
  "stub",
  "--enable",
  "simd",
  "--importMemory",
  "--noExportMemory",
  "--initialMemory",
  "1",
  "--maximumMemory",
  "65536",
  "--bindings",
  "raw",
];
for (const [name, extra] of [
  ["kernels", []],
  ["kernels-shared", ["--sharedMemory", "--enable", "threads"]],
]) {
  execFileSync(process.execPath, [asc, ...common, ...extra, "-o", path.join(out, `${name}.wasm`)], {
    stdio: "inherit",
  });
  console.log(`built kernels/wasm/build/${name}.wasm`);
}

// The fixed-base kernel of ptau generation (src/prove/fixedbase.ts): it imports the memory of
// ffjavascript's wasm instance and keeps nothing of its own there (no data, no abort).
writeFileSync(path.join(out, "bn254-field.ts"), fieldSource());
execFileSync(
  process.execPath,
  [
    asc,
    path.join(here, "assembly", "bn254.ts"),
    "-O3",
    "--noAssert",
    "--runtime",
    "stub",
    "--use",
    "abort=",
    "--importMemory",
    "--noExportMemory",
    "--initialMemory",
    "1",
    "--bindings",
    "raw",
    "-o",
    path.join(out, "bn254.wasm"),
  ],
  { stdio: "inherit" },
);
console.log("built kernels/wasm/build/bn254.wasm");
