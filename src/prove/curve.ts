/**
 * The BN254 curve from ffjavascript, shared with snarkjs (ffjavascript caches one instance
 * per process). Its worker threads keep Node alive, so the CLI calls `releaseCurve` last.
 */
import type { Curve } from "ffjavascript";

let curve: Promise<Curve> | null = null;

/** The curve, built on first use (ffjavascript loads only then: the CLI's start-up does not pay for it). */
export function getCurve(): Promise<Curve> {
  curve ??= import("ffjavascript").then((f) => f.buildBn128());
  return curve;
}

export async function releaseCurve(): Promise<void> {
  const c = (globalThis as { curve_bn128?: Curve | null }).curve_bn128;
  if (c) await c.terminate();
  (globalThis as { curve_bn128?: Curve | null }).curve_bn128 = null;
  curve = null;
}
