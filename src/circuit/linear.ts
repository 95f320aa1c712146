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
import { convTerms } from "../model/windows.js";
import { assertNever } from "../util/never.js";

export function linearLcs(op: LinearQOp, xs: readonly LcTensor[], outShape: readonly number[]): LcTensor {
  const x = xs[0]!;
  const out: LinearCombination[] = new Array(sizeOf(outShape));
  switch (op.kind) {
    case "select": {
      const all = xs.flatMap((t, k) =>
        op.shifts[k] ? t.lcs.map((lc) => lc.scale(2n ** BigInt(op.shifts[k]!))) : t.lcs,
      );
      const fill = LinearCombination.constant(op.fill);
      for (let i = 0; i < out.length; i++) out[i] = op.map[i]! < 0 ? fill : all[op.map[i]!]!;
      return { shape: outShape, lcs: out };
    }
    case "add": {
      const ai = broadcastIndex(x.shape, outShape);
      const bi = broadcastIndex(xs[1]!.shape, outShape);
      const k = [2n ** BigInt(op.shifts[0]), BigInt(op.sign) * 2n ** BigInt(op.shifts[1])];
      for (let i = 0; i < out.length; i++) out[i] = LinearCombination.sum([x.lcs[ai[i]!]!, xs[1]!.lcs[bi[i]!]!], k);
      return { shape: outShape, lcs: out };
    }
    case "sum": {
      const { start, indices } = op.groups;
      const acc = new LcAccumulator();
      for (let g = 0; g < out.length; g++) {
        const m = op.mult ? BigInt(op.mult[g]!) : 1n;
        for (let j = start[g]!; j < start[g + 1]!; j++) acc.add(x.lcs[indices[j]!]!, m);
        out[g] = acc.finish();
      }
      return { shape: outShape, lcs: out };
    }
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
      const w = op.weight.data;
      const acc = new LcAccumulator();
      convTerms(
        x.shape,
        op.weight.shape,
        outShape,
        op.params,
        (_o, m) => op.bias && acc.addConstant(BigInt(op.bias.data[m]!)),
        (i, k) => w[k] !== 0 && acc.add(x.lcs[i]!, BigInt(w[k]!)),
        (o) => (out[o] = acc.finish()),
      );
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
    default:
      return assertNever(op, "linear op");
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
