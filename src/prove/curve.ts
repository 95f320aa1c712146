/**
 * The BN254 curve from ffjavascript, shared with snarkjs (ffjavascript caches one instance
 * per process). Its worker threads keep Node alive, so the CLI calls `releaseCurve` last.
 */
import { buildBn128, type Curve } from "ffjavascript";

let curve: Promise<Curve> | null = null;

export function getCurve(): Promise<Curve> {
  curve ??= buildBn128();
  return curve;
}

export async function releaseCurve(): Promise<void> {
  const c = (globalThis as { curve_bn128?: Curve | null }).curve_bn128;
  if (c) await c.terminate();
  (globalThis as { curve_bn128?: Curve | null }).curve_bn128 = null;
  curve = null;
}
