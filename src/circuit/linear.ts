/**
 * Linear ops with constant (fixed) weights cost no constraints: each output element is a
 * linear combination of its inputs' linear combinations. Terms are what they cost (witness
 * time, .zkey size), so inputs to fan-in ops are first made single wires (`materialize`).
 */
import { LcAccumulator, LinearCombination, type LcTensor } from "./lc.js";
import type { LinearQOp } from "./plan.js";
import type { ConstraintSystem } from "./builder.js";
import type { TensorId } from "./plan.js";
import { broadcastIndex, sizeOf } from "../model/shapes.js";

export function linearLcs(op: LinearQOp, x: LcTensor, outShape: readonly number[]): LcTensor {
  const out: LinearCombination[] = new Array(sizeOf(outShape));
  switch (op.kind) {
    case "reshape":
      return { shape: outShape, lcs: x.lcs };
    case "gemm": {
      const [K, N] = op.weight.shape as [number, number];
      const W = op.weight.data;
      const rows = x.lcs.length / K;
      const acc = new LcAccumulator();
      for (let r = 0; r < rows; r++)
        for (let n = 0; n < N; n++) {
          if (op.bias) acc.addConstant(BigInt(op.bias.data[n]!));
          for (let k = 0; k < K; k++) {
            const w = W[k * N + n]!;
            if (w !== 0) acc.add(x.lcs[r * K + k]!, BigInt(w));
          }
          out[r * N + n] = acc.finish();
        }
      return { shape: outShape, lcs: out };
    }
    case "conv": {
      const [B, C, H, Wd] = x.shape as [number, number, number, number];
      const [M, Cg, KH, KW] = op.weight.shape as [number, number, number, number];
      const [, , OH, OW] = outShape as [number, number, number, number];
      const { pads, strides, dilations, group } = op.params;
      const Mg = M / group;
      const w = op.weight.data;
      const acc = new LcAccumulator();
      for (let b = 0; b < B; b++)
        for (let m = 0; m < M; m++) {
          const g = Math.floor(m / Mg);
          for (let oy = 0; oy < OH; oy++)
            for (let ox = 0; ox < OW; ox++) {
              if (op.bias) acc.addConstant(BigInt(op.bias.data[m]!));
              for (let c = 0; c < Cg; c++)
                for (let ky = 0; ky < KH; ky++) {
                  const iy = oy * strides[0] - pads[0] + ky * dilations[0];
                  if (iy < 0 || iy >= H) continue;
                  for (let kx = 0; kx < KW; kx++) {
                    const ix = ox * strides[1] - pads[1] + kx * dilations[1];
                    if (ix < 0 || ix >= Wd) continue;
                    const wv = w[((m * Cg + c) * KH + ky) * KW + kx]!;
                    if (wv !== 0) acc.add(x.lcs[((b * C + g * Cg + c) * H + iy) * Wd + ix]!, BigInt(wv));
                  }
                }
              out[((b * M + m) * OH + oy) * OW + ox] = acc.finish();
            }
        }
      return { shape: outShape, lcs: out };
    }
    case "affine": {
      const xi = broadcastIndex(x.shape, outShape);
      const mi = op.mul ? broadcastIndex(op.mul.shape, outShape) : null;
      const ai = op.add ? broadcastIndex(op.add.shape, outShape) : null;
      for (let i = 0; i < out.length; i++) {
        const k = op.mul ? BigInt(op.mul.data[mi![i]!]!) : 1n;
        const c = op.add ? BigInt(op.add.data[ai![i]!]!) : 0n;
        out[i] = LinearCombination.sum([x.lcs[xi[i]!]!], [k], c);
      }
      return { shape: outShape, lcs: out };
    }
  }
}

/** Whether every element is a single wire or a constant (nothing to gain by materializing). */
function isSimple(t: LcTensor): boolean {
  return t.lcs.every((lc) => lc.asWire() !== undefined || lc.isConstant());
}

/**
 * Gives each element its own wire (one constraint each) unless it already is one. Worth it
 * before a fan-in op: an element read by F outputs then costs F terms, not F × its size.
 */
export function materialize(cs: ConstraintSystem, t: LcTensor, name: string, tensor: TensorId): LcTensor {
  if (isSimple(t)) return t;
  return cs.measure("materialize", t.lcs.length, () => {
    const wire = cs.alloc(t.lcs.length, name);
    const lcs = t.lcs.map((lc, i) => {
      const w = LinearCombination.wire(wire + i);
      cs.enforceEqual(w, lc);
      return w;
    });
    cs.steps.push({ kind: "emit", tensor, wire });
    return { shape: t.shape, lcs };
  });
}
