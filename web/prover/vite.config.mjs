// Builds the proving page (web/prover/) into dist/prover/: static files, relative paths, its
// two Workers as ES modules, the wasm kernels as an asset. The bundled models are added after
// by scripts/prover-models.mjs (npm run build:prover does both).
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  worker: { format: "es" },
  build: {
    outDir: path.resolve(here, "..", "..", "dist", "prover"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
  },
});
