/**
 * Gadget plan steps as circom: each instantiates the matching template of circuits/ per
 * element, with the parameters plan.json records for it (bits, offsets, shifts, tables). The
 * templates rebuild every hint themselves (bits, quotients, one-hots) from the values, so the
 * export shares no witness code with zkinfer.
 */
import type { PlanStep, PlanTensor } from "../circuit/plan.js";
import { matmulLayout } from "../model/indexing.js";
import type { CircomWriter } from "./writer.js";
import { integer } from "./writer.js";
import { broadcastRead, sizeOfShape, tensorVar } from "./linear.js";

type Step<K extends PlanStep["kind"]> = Extract<PlanStep, { kind: K }>;

/** The range check of a prover-supplied tensor (the input, a parameter): InRange per value. */
export function emitRangeCheck(
  w: CircomWriter,
  s: string,
  signal: string,
  n: number,
  range: { offset: number; nBits: number },
): void {
  w.comment(`range check: ${signal} ∈ [${-range.offset}, ${-range.offset} + 2^${range.nBits})`);
  w.line(`component ${s}_range[${n}];`);
  w.loop("i", 0, n, () => {
    w.line(`${s}_range[i] = InRange(${range.nBits}, ${integer(-range.offset)});`);
    w.line(`${s}_range[i].in <== ${signal}[i];`);
  });
}

export function emitRequant(w: CircomWriter, s: string, step: Step<"requant">, n: number): void {
  const k = step.shift;
  const nb = step.bits.nBits;
  const m = nb - k;
  const half = k > 0 ? 2 ** (k - 1) : 0;
  const qMin = (half - step.bits.offset) / 2 ** k;
  if (!Number.isInteger(qMin)) throw new Error(`export: requant offset ${step.bits.offset} is not h - qMin·2^k`);
  const x = tensorVar(step.input),
    y = tensorVar(step.output);
  const act = step.act;
  w.comment(
    `requant: shift ${k}, q - ${qMin} in ${m} bits, then ${act.kind === "poly" ? `${act.table.fn} (piecewise polynomial)` : act.kind}`,
  );
  w.line(`var ${y}[${n}];`);
  w.line(`component ${s}_rq[${n}];`);
  if (act.kind !== "none") w.line(`component ${s}_act[${n}];`);
  const hiClip = act.kind === "clip" && act.hi !== null;
  if (hiClip) w.line(`component ${s}_hi[${n}];`);
  let table = "";
  if (act.kind === "poly") table = w.constArray(act.table.coeffs, `${s}_poly`);
  w.loop("i", 0, n, () => {
    w.line(`${s}_rq[i] = Requant(${k}, ${m}, ${integer(qMin)});`);
    w.line(`${s}_rq[i].in <== ${x}[i];`);
    const connect = () => w.loop("j", 0, m, () => w.line(`${s}_act[i].z[j] <== ${s}_rq[i].z[j];`));
    const q = () => {
      w.line(`var q = ${integer(qMin)};`);
      w.loop("j", 0, m, () => w.line(`q += 2 ** j * ${s}_rq[i].z[j];`));
    };
    switch (act.kind) {
      case "none":
        q();
        w.line(`${y}[i] = q;`);
        return;
      case "relu":
        w.line(`${s}_act[i] = Relu(${m}, ${integer(qMin)});`);
        connect();
        w.line(`${y}[i] = ${s}_act[i].out;`);
        return;
      case "leaky":
        w.line(`${s}_act[i] = Leaky(${m}, ${integer(qMin)}, ${integer(act.alpha)}, ${act.alphaShift});`);
        connect();
        w.line(`${y}[i] = ${s}_act[i].out;`);
        return;
      case "clip": {
        if (act.lo !== null) {
          w.line(`${s}_act[i] = ClipLo(${m}, ${integer(qMin)}, ${integer(act.lo)});`);
          connect();
          w.line(`var y1 = ${s}_act[i].out;`);
        } else {
          q();
          w.line("var y1 = q;");
        }
        if (act.hi !== null) {
          const wires = step.actWires;
          if (wires.kind !== "clip" || !wires.hiBits)
            throw new Error("export: clip step without its upper decomposition");
          w.line(`${s}_hi[i] = ClipHi(${wires.hiBits.nBits}, ${integer(wires.hiBits.offset)}, ${integer(act.hi)});`);
          w.line(`${s}_hi[i].y <== y1;`);
          w.line(`${y}[i] = ${s}_hi[i].out;`);
        } else {
          w.line(`${y}[i] = y1;`);
        }
        return;
      }
      case "poly": {
        const { t, w: width, d } = act.table;
        if (t + width !== m) throw new Error(`export: polynomial table spans ${t + width} bits, its requant ${m}`);
        w.line(`${s}_act[i] = Poly(${t}, ${width}, ${d}, ${table});`);
        connect();
        w.line(`${y}[i] = ${s}_act[i].out;`);
        return;
      }
      default:
        throw new Error(`export: activation "${(act as { kind: string }).kind}" has no circom template`);
    }
  });
}

/** Groups whose members are read from `x`: a uniform width loops, ragged groups are unrolled. */
function emitGroups(
  w: CircomWriter,
  s: string,
  groups: { start: Int32Array; indices: Int32Array },
  x: string,
  y: string,
  template: (width: number) => string,
): void {
  const nGroups = groups.start.length - 1;
  const widths = Array.from({ length: nGroups }, (_, g) => groups.start[g + 1]! - groups.start[g]!);
  w.line(`var ${y}[${nGroups}];`);
  const idx = w.constVar(`${s}_idx`, groups.indices);
  if (widths.every((v) => v === widths[0])) {
    const width = widths[0]!;
    w.line(`component ${s}_g[${nGroups}];`);
    w.loop("g", 0, nGroups, () => {
      w.line(`${s}_g[g] = ${template(width)};`);
      w.loop("j", 0, width, () => w.line(`${s}_g[g].in[j] <== ${x}[${idx}[g * ${width} + j]];`));
      w.line(`${y}[g] = ${s}_g[g].out;`);
    });
    return;
  }
  widths.forEach((width, g) => {
    w.line(`component ${s}_g${g} = ${template(width)};`);
    w.loop("j", 0, width, () => w.line(`${s}_g${g}.in[j] <== ${x}[${idx}[${groups.start[g]!} + j]];`));
    w.line(`${y}[${g}] = ${s}_g${g}.out;`);
  });
}

export function emitMax(w: CircomWriter, s: string, step: Step<"max">): void {
  w.comment(`max over ${step.groups.start.length - 1} group(s): chains of comparisons, ${step.nBits} bits each`);
  emitGroups(
    w,
    s,
    step.groups,
    tensorVar(step.input),
    tensorVar(step.output),
    (width) => `MaxOf(${width}, ${step.nBits})`,
  );
}

export function emitArgmax(w: CircomWriter, s: string, step: Step<"argmax">): void {
  w.comment(
    `argmax over ${step.groups.start.length - 1} group(s): one-hot of the first maximum, gaps in ${step.gap.nBits} bits`,
  );
  emitGroups(
    w,
    s,
    step.groups,
    tensorVar(step.input),
    tensorVar(step.output),
    (width) => `ArgMax(${width}, ${step.gap.nBits})`,
  );
}

export function emitDiv(w: CircomWriter, s: string, step: Step<"div">, tensors: readonly PlanTensor[]): void {
  const [a, b] = step.inputs;
  const outShape = tensors[step.output]!.shape;
  const n = sizeOfShape(outShape);
  const y = tensorVar(step.output);
  const qLo = -step.quotient.offset;
  w.comment(`division: round(a · 2^${step.shift} / b), quotient in ${step.quotient.nBits} bits above ${qLo}`);
  const ar = broadcastRead(w, tensorVar(a), tensors[a]!.shape, outShape, "i", `${s}_ai`);
  const br = broadcastRead(w, tensorVar(b), tensors[b]!.shape, outShape, "i", `${s}_bi`);
  w.line(`var ${y}[${n}];`);
  w.line(`component ${s}_div[${n}];`);
  w.loop("i", 0, n, () => {
    w.line(`${s}_div[i] = RoundDiv(${step.shift}, ${step.quotient.nBits}, ${integer(qLo)}, ${step.remainder.nBits});`);
    w.line(`${s}_div[i].a <== ${ar};`);
    w.line(`${s}_div[i].b <== ${br};`);
    w.line(`${y}[i] = ${s}_div[i].out;`);
  });
}

const INVERT_TEMPLATES = { sqrt: "Sqrt", rsqrt: "Rsqrt", recip: "Recip" } as const;

/** √x, 1/√x or 1/x (gadgets/invert.ts): one template instance per element. */
export function emitInvert(w: CircomWriter, s: string, step: Step<"invert">, tensors: readonly PlanTensor[]): void {
  const n = sizeOfShape(tensors[step.output]!.shape);
  const x = tensorVar(step.input),
    y = tensorVar(step.output);
  const yLo = -step.y.offset;
  const t = INVERT_TEMPLATES[step.fn];
  w.comment(`${step.fn} with k = ${step.k}: y in ${step.y.nBits} bits above ${yLo}, slacks of ${step.e1.nBits} bits`);
  w.line(`var ${y}[${n}];`);
  w.line(`component ${s}_inv[${n}];`);
  w.loop("i", 0, n, () => {
    w.line(`${s}_inv[i] = ${t}(${step.k}, ${step.y.nBits}, ${integer(yLo)}, ${step.e1.nBits});`);
    w.line(`${s}_inv[i].x <== ${x}[i];`);
    w.line(`${y}[i] = ${s}_inv[i].out;`);
  });
}

/** Products of two computed tensors: one signal and one constraint per multiply. */
export function emitProduct(w: CircomWriter, s: string, step: Step<"product">, tensors: readonly PlanTensor[]): void {
  const [a, b] = step.inputs;
  const A = tensorVar(a),
    B = tensorVar(b),
    y = tensorVar(step.output);
  const aShape = tensors[a]!.shape,
    bShape = tensors[b]!.shape,
    outShape = tensors[step.output]!.shape;
  const n = sizeOfShape(outShape);
  w.line(`var ${y}[${n}];`);
  const p = `${s}_prod`;
  if (step.op === "mul") {
    w.comment("elementwise product of computed tensors");
    const ar = broadcastRead(w, A, aShape, outShape, "i", `${s}_ai`);
    const br = broadcastRead(w, B, bShape, outShape, "i", `${s}_bi`);
    w.line(`signal ${p}[${n}];`);
    w.loop("i", 0, n, () => {
      w.line(`${p}[i] <== ${ar} * ${br};`);
      w.line(`${y}[i] = ${p}[i];`);
    });
    return;
  }
  if (step.op === "matmul") {
    const L = matmulLayout(aShape, bShape);
    if (!L) throw new Error("export: matmul shapes do not agree");
    const { batch, M, K, N } = L;
    w.comment(`matrix product of computed tensors: ${batch} × [${M}, ${K}] · [${K}, ${N}], one product per multiply`);
    const ao = w.constVar(`${s}_aoff`, L.aOffset),
      bo = w.constVar(`${s}_boff`, L.bOffset);
    w.line(`signal ${p}[${batch * M * N * K}];`);
    w.loop("t", 0, batch, () =>
      w.loop("i", 0, M, () =>
        w.loop("j", 0, N, () => {
          w.line("var acc = 0;");
          w.loop("k", 0, K, () => {
            w.line(
              `${p}[((t * ${M} + i) * ${N} + j) * ${K} + k] <== ${A}[${ao}[t] + i * ${K} + k] * ${B}[${bo}[t] + k * ${N} + j];`,
            );
            w.line(`acc += ${p}[((t * ${M} + i) * ${N} + j) * ${K} + k];`);
          });
          w.line(`${y}[(t * ${M} + i) * ${N} + j] = acc;`);
        }),
      ),
    );
    return;
  }
  // a convolution whose kernel is computed (private weights): one product per term
  const c = step.op.conv;
  const [Bt, C, H, Wd] = aShape as [number, number, number, number];
  const [Mo, Cg, KH, KW] = bShape as [number, number, number, number];
  const [, , OH, OW] = outShape as [number, number, number, number];
  let terms = 0;
  for (let oy = 0; oy < OH; oy++)
    for (let ky = 0; ky < KH; ky++) {
      const iy = oy * c.strides[0] - c.pads[0] + ky * c.dilations[0];
      if (iy >= 0 && iy < H)
        for (let ox = 0; ox < OW; ox++)
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * c.strides[1] - c.pads[1] + kx * c.dilations[1];
            if (ix >= 0 && ix < Wd) terms++;
          }
    }
  terms *= Bt * Mo * Cg;
  w.comment(`convolution with a computed kernel: ${terms} products`);
  w.line(`signal ${p}[${terms}];`);
  w.line(`var ${s}_next = 0;`);
  w.loop("b", 0, Bt, () =>
    w.loop("m", 0, Mo, () =>
      w.loop("oy", 0, OH, () =>
        w.loop("ox", 0, OW, () => {
          w.line("var acc = 0;");
          w.line(`var g = m \\ ${Mo / c.group};`);
          w.loop("c", 0, Cg, () =>
            w.loop("ky", 0, KH, () =>
              w.loop("kx", 0, KW, () => {
                w.line(`var iy = oy * ${c.strides[0]} - ${c.pads[0]} + ky * ${c.dilations[0]};`);
                w.line(`var ix = ox * ${c.strides[1]} - ${c.pads[1]} + kx * ${c.dilations[1]};`);
                w.block(`if (iy >= 0 && iy < ${H} && ix >= 0 && ix < ${Wd})`, () => {
                  w.line(
                    `${p}[${s}_next] <== ${A}[((b * ${C} + g * ${Cg} + c) * ${H} + iy) * ${Wd} + ix] * ${B}[((m * ${Cg} + c) * ${KH} + ky) * ${KW} + kx];`,
                  );
                  w.line(`acc += ${p}[${s}_next];`);
                  w.line(`${s}_next++;`);
                });
              }),
            ),
          );
          w.line(`${y}[((b * ${Mo} + m) * ${OH} + oy) * ${OW} + ox] = acc;`);
        }),
      ),
    ),
  );
}

/** A commitment: each part packed (range-checked where plan.json says), then Poseidon over [salt,] the elements. */
export function emitCommit(
  w: CircomWriter,
  s: string,
  step: Step<"commit">,
  tensors: readonly PlanTensor[],
  salt: string | null,
  target: string,
): void {
  const parts = step.parts.map((p, k) => {
    const n = sizeOfShape(tensors[p.tensor]!.shape);
    const perElement = Math.max(1, Math.floor(252 / Math.max(p.bits, 1)));
    return { ...p, n, elements: Math.ceil(n / perElement), name: `${s}_pack${k}` };
  });
  const total = (salt ? 1 : 0) + parts.reduce((a, p) => a + p.elements, 0);
  w.comment(`commitment: Poseidon over ${salt ? "the salt and " : ""}${total - (salt ? 1 : 0)} packed element(s)`);
  for (const p of parts) {
    w.line(`component ${p.name} = PackSlots(${p.n}, ${p.bits}, ${integer(p.lo)}, ${p.check ? 1 : 0});`);
    w.loop("i", 0, p.n, () => w.line(`${p.name}.in[i] <== ${tensorVar(p.tensor)}[i];`));
  }
  w.line(`component ${s}_hash = PoseidonChain(${total});`);
  let at = 0;
  if (salt) w.line(`${s}_hash.in[${at++}] <== ${salt};`);
  for (const p of parts) {
    w.loop("e", 0, p.elements, () => w.line(`${s}_hash.in[${at} + e] <== ${p.name}.out[e];`));
    at += p.elements;
  }
  w.line(`${target} <== ${s}_hash.out;`);
}
