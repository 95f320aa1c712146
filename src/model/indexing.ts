/**
 * Index arithmetic shared by every stage: which input elements a reduction, a matrix
 * product or a layout op (transpose, slice, gather, concat, pad) reads.
 */
import type { Groups, Shape } from "./graph.js";
import { broadcastIndex, broadcastShapes, sizeOf, stridesOf } from "./shapes.js";

/**
 * Groups over `axes`: one group per position of the remaining axes, listing the elements
 * along `axes` in row-major order. Returns the output shape with the axes kept as size 1.
 */
export function axisGroups(shape: Shape, axes: readonly number[]): { groups: Groups; keptShape: number[] } {
  const set = new Set(axes);
  const keptShape = shape.map((d, i) => (set.has(i) ? 1 : d));
  const outerStrides = stridesOf(keptShape);
  const strides = stridesOf(shape);
  const nGroups = sizeOf(keptShape);
  const groupSize = sizeOf(shape) / nGroups;
  const start = new Int32Array(nGroups + 1);
  const indices = new Int32Array(sizeOf(shape));
  const inner = axes.slice().sort((a, b) => a - b);
  const innerShape = inner.map((a) => shape[a]!);
  const innerStrides = stridesOf(innerShape);
  for (let g = 0; g < nGroups; g++) {
    start[g] = g * groupSize;
    // base offset of group g
    let rem = g,
      base = 0;
    for (let ax = 0; ax < shape.length; ax++) {
      const c = Math.floor(rem / outerStrides[ax]!);
      rem -= c * outerStrides[ax]!;
      base += c * strides[ax]!;
    }
    for (let j = 0; j < groupSize; j++) {
      let r = j,
        off = base;
      for (let k = 0; k < inner.length; k++) {
        const c = Math.floor(r / innerStrides[k]!);
        r -= c * innerStrides[k]!;
        off += c * strides[inner[k]!]!;
      }
      indices[g * groupSize + j] = off;
    }
  }
  start[nGroups] = sizeOf(shape);
  return { groups: { start, indices }, keptShape };
}

/** How a (batched, broadcast) matrix product x0 @ x1 reads its operands. */
export interface MatmulLayout {
  readonly batch: number;
  readonly M: number;
  readonly K: number;
  readonly N: number;
  /** per batch element: offset of its matrix in x0 and x1 */
  readonly aOffset: Int32Array;
  readonly bOffset: Int32Array;
  readonly outShape: number[];
}

/** numpy matmul shapes: 1-D operands are promoted (and the promoted axis dropped from the result). */
export function matmulLayout(aShape: Shape, bShape: Shape): MatmulLayout | null {
  const a = aShape.length === 1 ? [1, aShape[0]!] : [...aShape];
  const b = bShape.length === 1 ? [bShape[0]!, 1] : [...bShape];
  if (a.length < 2 || b.length < 2) return null;
  const [M, K] = a.slice(-2) as [number, number];
  const [K2, N] = b.slice(-2) as [number, number];
  if (K !== K2) return null;
  const batchShape = broadcastShapes(a.slice(0, -2), b.slice(0, -2));
  if (!batchShape) return null;
  const batch = sizeOf(batchShape);
  const ai = broadcastIndex(a.slice(0, -2), batchShape);
  const bi = broadcastIndex(b.slice(0, -2), batchShape);
  const outShape = [...batchShape, ...(aShape.length === 1 ? [] : [M]), ...(bShape.length === 1 ? [] : [N])];
  return {
    batch,
    M,
    K,
    N,
    outShape,
    aOffset: ai.map((i) => i * M * K),
    bOffset: bi.map((i) => i * K * N),
  };
}

/** The select map of a transpose by `perm`. */
export function transposeMap(shape: Shape, perm: readonly number[]): { map: Int32Array; shape: number[] } {
  const out = perm.map((p) => shape[p]!);
  const inStrides = stridesOf(shape);
  const n = sizeOf(shape);
  const map = new Int32Array(n);
  const outStrides = stridesOf(out);
  for (let i = 0; i < n; i++) {
    let r = i,
      src = 0;
    for (let ax = 0; ax < out.length; ax++) {
      const c = Math.floor(r / outStrides[ax]!);
      r -= c * outStrides[ax]!;
      src += c * inStrides[perm[ax]!]!;
    }
    map[i] = src;
  }
  return { map, shape: out };
}

/**
 * A select map from per-axis source coordinates: output coordinate c along axis ax reads
 * input coordinate coords[ax][c], or nothing (fill) when that is -1. Slice, gather along an
 * axis and pad are all this.
 */
export function axisMap(inShape: Shape, coords: readonly Int32Array[]): { map: Int32Array; shape: number[] } {
  const out = coords.map((c) => c.length);
  const inStrides = stridesOf(inShape);
  const outStrides = stridesOf(out);
  const n = sizeOf(out);
  const map = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let r = i,
      src = 0;
    for (let ax = 0; ax < out.length; ax++) {
      const c = Math.floor(r / outStrides[ax]!);
      r -= c * outStrides[ax]!;
      const from = coords[ax]![c]!;
      if (from < 0) {
        src = -1;
        break;
      }
      src += from * inStrides[ax]!;
    }
    map[i] = src;
  }
  return { map, shape: out };
}
