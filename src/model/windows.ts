/**
 * Sliding windows over N×C×spatial tensors, as index groups: one group per output element,
 * holding the flat input indices its window covers. Max and average pooling (1-, 2- and 3-D)
 * are "reduce over groups", so the float evaluator, the integer reference and the circuit
 * gadgets share this one description of a window; `convTerms` walks a 2-D convolution.
 */
import type { Conv2dParams, Groups, Shape } from "./graph.js";
import { sizeOf, stridesOf, windowOutSize } from "./shapes.js";

/** A pooling window over the spatial axes of an N×C×spatial tensor (1, 2 or 3 of them). */
export interface PoolParams {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  /** the begins of every spatial axis, then the ends ([top, left, bottom, right] in 2-D) */
  readonly pads: readonly number[];
  readonly dilations: readonly number[];
  readonly ceilMode: boolean;
}

export function poolOutShape(inShape: Shape, p: PoolParams): number[] {
  const n = p.kernel.length;
  const spatial = inShape
    .slice(2)
    .map((d, a) =>
      windowOutSize(d, p.kernel[a]!, p.strides[a]!, p.pads[a]!, p.pads[a + n]!, p.dilations[a]!, p.ceilMode),
    );
  return [inShape[0]!, inShape[1]!, ...spatial];
}

/**
 * Groups of in-bounds input indices, one per output element in row-major order; padded
 * positions are left out of the window.
 */
export function poolGroups(inShape: Shape, p: PoolParams): Groups {
  const inSp = inShape.slice(2);
  const outSp = poolOutShape(inShape, p).slice(2);
  const n = inSp.length;
  const planes = inShape[0]! * inShape[1]!;
  const plane = sizeOf(inSp);
  const inStrides = stridesOf(inSp);
  const nOut = sizeOf(outSp);
  const nKernel = sizeOf(p.kernel);
  const start = new Int32Array(planes * nOut + 1);
  const indices: number[] = [];
  const o = new Array<number>(n).fill(0);
  const k = new Array<number>(n).fill(0);
  let g = 0;
  for (let b = 0; b < planes; b++) {
    for (let out = 0; out < nOut; out++) {
      start[g++] = indices.length;
      unflatten(out, outSp, o);
      for (let w = 0; w < nKernel; w++) {
        unflatten(w, p.kernel, k);
        let at = b * plane;
        for (let a = 0; a < n && at >= 0; a++) {
          const c = o[a]! * p.strides[a]! - p.pads[a]! + k[a]! * p.dilations[a]!;
          at = c < 0 || c >= inSp[a]! ? -1 : at + c * inStrides[a]!;
        }
        if (at >= 0) indices.push(at);
      }
    }
  }
  start[g] = indices.length;
  return { start, indices: Int32Array.from(indices) };
}

/** The row-major coordinates of flat index i in `shape`, into `out`. */
export function unflatten(i: number, shape: readonly number[], out: number[]): void {
  for (let a = shape.length - 1; a >= 0; a--) {
    out[a] = i % shape[a]!;
    i = Math.floor(i / shape[a]!);
  }
}

/**
 * The terms of a 2-D convolution (NCHW input, weight [M, C/group, kH, kW]): for each output
 * element, `begin(o, m)` (flat output index, output channel), then `term(i, w)` for every
 * in-bounds input index i and weight index w it sums (padding contributes nothing), then
 * `end(o)`. The float evaluator and the circuit's linear combinations both walk this.
 */
export function convTerms(
  xShape: Shape,
  wShape: Shape,
  outShape: Shape,
  p: Conv2dParams,
  begin: (o: number, m: number) => void,
  term: (i: number, w: number) => void,
  end: (o: number) => void,
): void {
  const [B, C, H, W] = xShape as [number, number, number, number];
  const [M, Cg, KH, KW] = wShape as [number, number, number, number];
  const [, , OH, OW] = outShape as [number, number, number, number];
  const Mg = M / p.group;
  for (let b = 0; b < B; b++)
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          const o = ((b * M + m) * OH + oy) * OW + ox;
          begin(o, m);
          for (let c = 0; c < Cg; c++)
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * p.strides[0] - p.pads[0] + ky * p.dilations[0];
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < KW; kx++) {
                const ix = ox * p.strides[1] - p.pads[1] + kx * p.dilations[1];
                if (ix < 0 || ix >= W) continue;
                term(((b * C + g * Cg + c) * H + iy) * W + ix, ((m * Cg + c) * KH + ky) * KW + kx);
              }
            }
          end(o);
        }
    }
}
