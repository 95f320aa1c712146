/** The circom export: a compiled circuit directory as one circom file (see circom.ts). */
import { readModelMeta, readPlan } from "../artifacts.js";
import { exportCircom, type CircomExport } from "./circom.js";

export { exportCircom, type CircomExport } from "./circom.js";
export { circomInput } from "./inputs.js";

/** Reads DIR's model.json and plan.json and exports them. */
export async function exportCircomDir(dir: string): Promise<CircomExport> {
  const meta = await readModelMeta(dir);
  return exportCircom(meta, await readPlan(dir, meta));
}
