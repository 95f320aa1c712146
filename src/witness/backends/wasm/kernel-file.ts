/** The WebAssembly kernels in Node: read from the package's build (kernels/wasm/build/), compiled once per process. */
import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { ZkError } from "../../../errors.js";
import { packageRoot } from "../../../util/paths.js";
import { kernelModule } from "./kernels.js";

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

/** The package's kernel module: plain memory, or shared memory for worker threads. */
export function packageKernels(shared: boolean): Promise<WebAssembly.Module> {
  let m = compiled.get(shared);
  if (!m) {
    m = load(shared);
    compiled.set(shared, m);
  }
  return m;
}

async function load(shared: boolean): Promise<WebAssembly.Module> {
  const full = path.join(packageRoot(), "kernels", "wasm", "build", shared ? "kernels-shared.wasm" : "kernels.wasm");
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(full));
  } catch {
    throw new ZkError(
      "BAD_FILE",
      `the WebAssembly kernels are not built (${full} is missing): run \`npm run build:kernels\` (npm ci does it), or use --backend js`,
    );
  }
  return kernelModule(bytes);
}
