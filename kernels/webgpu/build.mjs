// Packs the WGSL kernels (kernels/webgpu/*.wgsl) into one JSON file beside the webgpu backend
// (src/witness/backends/webgpu/shaders.json, not committed), so one static import serves Node,
// the proving page and bundlers alike. npm ci runs this through `prepare` (build:kernels).
// The host prepends a prelude per pipeline (shaders.ts): the limb count, bindings, accessors.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const to = path.join(here, "..", "..", "src", "witness", "backends", "webgpu", "shaders.json");
const sources = Object.fromEntries(
  readdirSync(here)
    .filter((f) => f.endsWith(".wgsl"))
    .sort()
    .map((f) => [f.replace(/\.wgsl$/, ""), readFileSync(path.join(here, f), "utf8")]),
);
writeFileSync(to, JSON.stringify(sources, null, 1) + "\n");
console.log(`packed ${Object.keys(sources).length} WGSL kernels into ${path.relative(process.cwd(), to)}`);
