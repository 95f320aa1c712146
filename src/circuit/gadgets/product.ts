/**
 * Products of two computed tensors: one wire and one constraint a·b = p per multiply.
 * mul: elementwise with broadcasting. matmul: p[t,i,j,k] = a[t,i,k]·b[t,k,j] and the output
 * is the linear combination Σ_k p (free), so an M×K by K×N product costs M·N·K constraints.
 * conv: a convolution whose kernel is a computed tensor (private weights): one per term.
 */
import type { ConstraintSystem } from "../builder.js";
import { LinearCombination, type LcTensor } from "../lc.js";
import type { PlanStep, ProductOp, TensorId } from "../plan.js";
import { broadcastIndex, sizeOf } from "../../model/shapes.js";
import { matmulLayout } from "../../model/indexing.js";
import { convTerms } from "../../model/windows.js";
import type { WireSink } from "../wires.js";
import type { Ints } from "../../quantize/qgraph.js";

/** Visits every multiply in wire order: (output index, index into a, index into b). */
function eachProduct(
  op: ProductOp,
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
  visit: (o: number, ia: number, ib: number) => void,
): void {
  if (typeof op === "object") {
    let o = 0;
    convTerms(
      aShape,
      bShape,
      outShape,
      op.conv,
      (out) => (o = out),
      (i, k) => visit(o, i, k),
      () => undefined,
    );
    return;
  }
  if (op === "mul") {
    const ai = broadcastIndex(aShape, outShape);
    const bi = broadcastIndex(bShape, outShape);
    for (let o = 0; o < ai.length; o++) visit(o, ai[o]!, bi[o]!);
    return;
  }
  const L = matmulLayout(aShape, bShape)!;
  for (let t = 0; t < L.batch; t++)
    for (let i = 0; i < L.M; i++)
      for (let j = 0; j < L.N; j++)
        for (let k = 0; k < L.K; k++)
          visit((t * L.M + i) * L.N + j, L.aOffset[t]! + i * L.K + k, L.bOffset[t]! + k * L.N + j);
}

export function productCount(
  op: ProductOp,
  aShape: readonly number[],
  bShape: readonly number[],
  outShape: readonly number[],
): number {
  if (typeof op === "object") {
    let n = 0;
    eachProduct(op, aShape, bShape, outShape, () => n++);
    return n;
  }
  return op === "mul" ? sizeOf(outShape) : sizeOf(outShape) * matmulLayout(aShape, bShape)!.K;
}

export function product(
  cs: ConstraintSystem,
  op: ProductOp,
  a: LcTensor,
  b: LcTensor,
  outShape: readonly number[],
  name: string,
  inputs: readonly [TensorId, TensorId],
  output: TensorId,
): LcTensor {
  const n = productCount(op, a.shape, b.shape, outShape);
  return cs.measure(typeof op === "object" ? "conv (private weights)" : op, n, () => {
    const wire = cs.alloc(n, `${name}.prod`);
    const terms: LinearCombination[][] = Array.from({ length: sizeOf(outShape) }, () => []);
    let w = wire;
    eachProduct(op, a.shape, b.shape, outShape, (o, ia, ib) => {
      const p = LinearCombination.wire(w++);
      cs.enforce(a.lcs[ia]!, b.lcs[ib]!, p);
      terms[o]!.push(p);
    });
    cs.steps.push({ kind: "product", op, inputs, output, wire });
    return {
      shape: outShape,
      lcs: terms.map((ps) =>
        ps.length === 1
          ? ps[0]!
          : LinearCombination.sum(
              ps,
              ps.map(() => 1n),
            ),
      ),
    };
  });
}

/**
 * The witness twin for wide values (operands or output past 2^53): every product in BigInt, in
 * wire order (to `sink`, if given), and the output they sum to, out[o] = Σ of o's products.
 */
export function productWide(
  step: Extract<PlanStep, { kind: "product" }>,
  a: { shape: readonly number[]; data: Ints },
  b: { shape: readonly number[]; data: Ints },
  outShape: readonly number[],
  sink?: WireSink,
): bigint[] {
  const out = new Array<bigint>(sizeOf(outShape)).fill(0n);
  let w = step.wire;
  eachProduct(step.op, a.shape, b.shape, outShape, (o, ia, ib) => {
    const p = BigInt(a.data[ia]!) * BigInt(b.data[ib]!);
    out[o]! += p;
    if (sink) sink.setField(w++, p);
  });
  return out;
}

/** The witness twin: every product, in wire order. */
export function productWitness(
  step: Extract<PlanStep, { kind: "product" }>,
  a: { shape: readonly number[]; data: ArrayLike<number> },
  b: { shape: readonly number[]; data: ArrayLike<number> },
  outShape: readonly number[],
  sink: WireSink,
): void {
  let w = step.wire;
  eachProduct(step.op, a.shape, b.shape, outShape, (_o, ia, ib) => sink.setInt(w++, a.data[ia]! * b.data[ib]!));
}
