/**
 * Sliding windows over NCHW tensors, as index groups: one group per output element, holding
 * the flat input indices its window covers. Max pooling and (later) average pooling and
 * reductions are all "reduce over groups", so the float evaluator, the integer reference and
 * the circuit gadgets share this one description of a window.
 */
import type { Conv2dParams, Groups, Shape } from "./graph.js";
import { windowOutSize } from "./shapes.js";

export interface Pool2dParams {
  readonly kernel: readonly [number, number];
  readonly strides: readonly [number, number];
  /** [top, left, bottom, right] */
  readonly pads: readonly [number, number, number, number];
  readonly dilations: readonly [number, number];
  readonly ceilMode: boolean;
}

export function poolOutShape(inShape: Shape, p: Pool2dParams): number[] {
  const [n, c, h, w] = inShape as [number, number, number, number];
  const oh = windowOutSize(h, p.kernel[0], p.strides[0], p.pads[0], p.pads[2], p.dilations[0], p.ceilMode);
  const ow = windowOutSize(w, p.kernel[1], p.strides[1], p.pads[1], p.pads[3], p.dilations[1], p.ceilMode);
  return [n, c, oh, ow];
}

/** Groups of in-bounds input indices; padded positions are left out of the window. */
export function poolGroups(inShape: Shape, p: Pool2dParams): Groups {
  const [n, c, h, w] = inShape as [number, number, number, number];
  const [, , oh, ow] = poolOutShape(inShape, p) as [number, number, number, number];
  const start = new Int32Array(n * c * oh * ow + 1);
  const indices: number[] = [];
  let g = 0;
  for (let b = 0; b < n * c; b++) {
    const base = b * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        start[g++] = indices.length;
        for (let ky = 0; ky < p.kernel[0]; ky++) {
          const y = oy * p.strides[0] - p.pads[0] + ky * p.dilations[0];
          if (y < 0 || y >= h) continue;
          for (let kx = 0; kx < p.kernel[1]; kx++) {
            const x = ox * p.strides[1] - p.pads[1] + kx * p.dilations[1];
            if (x < 0 || x >= w) continue;
            indices.push(base + y * w + x);
          }
        }
      }
    }
  }
  start[g] = indices.length;
  return { start, indices: Int32Array.from(indices) };
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
