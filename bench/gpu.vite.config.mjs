// Bundles bench/gpu.ts into one ES module for a lent GPU machine (bench/gpu-prepare.sh): every
// npm dependency inlined but Dawn's native `webgpu` package, which travels beside it.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export default defineConfig({
  root,
  logLevel: "warn",
  ssr: { noExternal: true, external: ["webgpu"], target: "node" },
  build: {
    ssr: path.join(root, "bench", "gpu.ts"),
    outDir: path.join(root, ".gpu-bench"),
    emptyOutDir: false,
    target: "node20",
    minify: false,
    rollupOptions: { output: { entryFileNames: "gpu.mjs", format: "es" } },
  },
});
