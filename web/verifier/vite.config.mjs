// Builds the verifier page (web/verifier/) into dist/verifier/: static files, relative
// paths, so it can be served from any folder or opened from any static host.
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  build: {
    outDir: path.resolve(here, "..", "..", "dist", "verifier"),
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
  },
});
