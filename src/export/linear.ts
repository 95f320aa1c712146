/**
 * Linear plan steps as circom: each output element is a linear expression of its inputs held
 * in a `var` (no signal, no constraint), as zkinfer keeps it a linear combination. Written from
 * the ops' meaning (src/quantize/qgraph.ts), not from the compiler's code, so the export is an
 * independent second implementation: loops over the weights for Gemm and Conv, constant index
 * maps for broadcasting, layout ops and reductions.
 */
import type { LinearQOp, PlanTensor, TensorId } from "../circuit/plan.js";

/** 2^s as circom source, exactly (JavaScript prints 2^55 as 36028797018963970 and 2^70 in e-notation). */
const pow2 = (s: number) => (1n << BigInt(s)).toString();
import { integer, type CircomWriter } from "./writer.js";

export function tensorVar(id: TensorId): string {
  return `t${id}`;
}

export function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** For each element of `outShape`, the element of `inShape` numpy broadcasting reads. */
export function broadcastMap(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const padded = [...new Array<number>(rank - inShape.length).fill(1), ...inShape];
  const n = sizeOfShape(outShape);
  const map = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let rem = i,
      src = 0,
      stride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const c = rem % outShape[d]!;
      rem = Math.floor(rem / outShape[d]!);
      if (padded[d] !== 1) src += c * stride;
      stride *= padded[d]!;
    }
    map[i] = src;
  }
  return map;
}

/** `name[index]` through a broadcast map (none needed when the shapes agree). */
export function broadcastRead(
  w: CircomWriter,
  name: string,
  inShape: readonly number[],
  outShape: readonly number[],
  index: string,
  hint: string,
): string {
  const map = broadcastMap(inShape, outShape);
  if (map.every((v, i) => v === i)) return `${name}[${index}]`;
  return `${name}[${w.constVar(`${hint}`, map)}[${index}]]`;
}

export function emitLinear(
  w: CircomWriter,
  s: string,
  op: LinearQOp,
  inputs: readonly TensorId[],
  output: TensorId,
  tensors: readonly PlanTensor[],
): void {
  const out = tensorVar(output);
  const x = tensorVar(inputs[0]!);
  const xShape = tensors[inputs[0]!]!.shape;
  const outShape = tensors[output]!.shape;
  const n = sizeOfShape(outShape);
  w.line(`var ${out}[${n}];`);
  switch (op.kind) {
    case "reshape":
      w.loop("i", 0, n, () => w.line(`${out}[i] = ${x}[i];`));
      return;
    case "gemm": {
      const [K, N] = op.weight.shape as [number, number];
      const rows = sizeOfShape(xShape) / K;
      w.comment(`gemm: [${rows}, ${K}] · [${K}, ${N}]${op.bias ? " + bias" : ""}`);
      const W = w.constVar(`${s}_w`, op.weight.data);
      const B = op.bias ? w.constVar(`${s}_b`, op.bias.data) : null;
      w.loop("r", 0, rows, () =>
        w.loop("n", 0, N, () => {
          w.line(`var acc = ${B ? `${B}[n]` : "0"};`);
          w.loop("k", 0, K, () =>
            w.block(`if (${W}[k * ${N} + n] != 0)`, () => w.line(`acc += ${W}[k * ${N} + n] * ${x}[r * ${K} + k];`)),
          );
          w.line(`${out}[r * ${N} + n] = acc;`);
        }),
      );
      return;
    }
    case "conv": {
      const [B, C, H, Wd] = xShape as [number, number, number, number];
      const [M, Cg, KH, KW] = op.weight.shape as [number, number, number, number];
      const [, , OH, OW] = outShape as [number, number, number, number];
      const p = op.params;
      const Mg = M / p.group;
      w.comment(
        `conv: [${B}, ${C}, ${H}, ${Wd}] * [${M}, ${Cg}, ${KH}, ${KW}], strides ${p.strides}, pads ${p.pads}, dilations ${p.dilations}, group ${p.group}`,
      );
      const Wt = w.constVar(`${s}_w`, op.weight.data);
      const Bs = op.bias ? w.constVar(`${s}_b`, op.bias.data) : null;
      w.loop("b", 0, B, () =>
        w.loop("m", 0, M, () =>
          w.loop("oy", 0, OH, () =>
            w.loop("ox", 0, OW, () => {
              w.line(`var acc = ${Bs ? `${Bs}[m]` : "0"};`);
              w.line(`var g = m \\ ${Mg};`);
              w.loop("c", 0, Cg, () =>
                w.loop("ky", 0, KH, () =>
                  w.loop("kx", 0, KW, () => {
                    w.line(`var iy = oy * ${p.strides[0]} - ${p.pads[0]} + ky * ${p.dilations[0]};`);
                    w.line(`var ix = ox * ${p.strides[1]} - ${p.pads[1]} + kx * ${p.dilations[1]};`);
                    w.line(`var wt = ${Wt}[((m * ${Cg} + c) * ${KH} + ky) * ${KW} + kx];`);
                    w.block(`if (iy >= 0 && iy < ${H} && ix >= 0 && ix < ${Wd} && wt != 0)`, () =>
                      w.line(`acc += wt * ${x}[((b * ${C} + g * ${Cg} + c) * ${H} + iy) * ${Wd} + ix];`),
                    );
                  }),
                ),
              );
              w.line(`${out}[((b * ${M} + m) * ${OH} + oy) * ${OW} + ox] = acc;`);
            }),
          ),
        ),
      );
      return;
    }
    case "affine": {
      w.comment(`affine: x${op.mul ? " · mul" : ""}${op.add ? " + add" : ""}`);
      const xr = broadcastRead(w, x, xShape, outShape, "i", `${s}_xi`);
      const mul = op.mul
        ? broadcastRead(w, w.constVar(`${s}_mul`, op.mul.data), op.mul.shape, outShape, "i", `${s}_mi`)
        : "1";
      const add = op.add
        ? broadcastRead(w, w.constVar(`${s}_add`, op.add.data), op.add.shape, outShape, "i", `${s}_ai`)
        : "0";
      w.loop("i", 0, n, () => w.line(`${out}[i] = ${xr} * ${mul} + ${add};`));
      return;
    }
    case "add": {
      const [s0, s1] = op.shifts;
      const a = broadcastRead(w, x, xShape, outShape, "i", `${s}_ai`);
      const b = broadcastRead(w, tensorVar(inputs[1]!), tensors[inputs[1]!]!.shape, outShape, "i", `${s}_bi`);
      w.comment(`add: a · 2^${s0} ${op.sign > 0 ? "+" : "-"} b · 2^${s1}`);
      w.loop("i", 0, n, () => w.line(`${out}[i] = ${a} * ${pow2(s0)} ${op.sign > 0 ? "+" : "-"} ${b} * ${pow2(s1)};`));
      return;
    }
    case "select": {
      // the inputs laid end to end, each times 2^shift, then read through the map (or fill)
      const total = inputs.reduce((a, t) => a + sizeOfShape(tensors[t]!.shape), 0);
      w.comment(
        `select: ${inputs.length} input(s) laid end to end, read through a map (transpose, slice, gather, concat, pad)`,
      );
      const all = `${s}_all`;
      w.line(`var ${all}[${total}];`);
      let at = 0;
      inputs.forEach((t, k) => {
        const size = sizeOfShape(tensors[t]!.shape);
        const shift = op.shifts[k] ?? 0;
        w.loop("i", 0, size, () =>
          w.line(`${all}[${at} + i] = ${tensorVar(t)}[i]${shift ? ` * ${pow2(shift)}` : ""};`),
        );
        at += size;
      });
      const map = w.constVar(`${s}_map`, op.map);
      w.loop("i", 0, n, () => w.block(`if (${map}[i] < 0)`, () => w.line(`${out}[i] = ${integer(op.fill)};`)));
      w.loop("i", 0, n, () => w.block(`if (${map}[i] >= 0)`, () => w.line(`${out}[i] = ${all}[${map}[i]];`)));
      return;
    }
    case "sum": {
      const start = w.constVar(`${s}_start`, op.groups.start);
      const idx = w.constVar(`${s}_idx`, op.groups.indices);
      const mult = op.mult ? w.constVar(`${s}_mult`, op.mult) : null;
      w.comment("sum over groups (average pooling, reduce-sum/mean), times a constant per group");
      w.loop("g", 0, n, () => {
        w.line("var acc = 0;");
        w.block(`for (var j = ${start}[g]; j < ${start}[g + 1]; j++)`, () => w.line(`acc += ${x}[${idx}[j]];`));
        w.line(`${out}[g] = ${mult ? `${mult}[g] * ` : ""}acc;`);
      });
      return;
    }
    default:
      throw new Error(`export: linear op "${(op as { kind: string }).kind}" has no circom translation`);
  }
}
