/**
 * circomlib-ml-style baseline circuits for a compiled model (bench/field.ts): the same layers
 * and the same quantized weights as zkinfer's plan.json, built the way the peers build them
 * (peer.circom): weights and biases as private signals (one constraint per multiply), a
 * 254-bit ReLU per activation, no rescale, and the input range check only in the "checked"
 * variant. Layout ops, pooling sums and reshapes stay linear, as in zkinfer's export
 * (src/export/linear.ts writes them).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { PlanStep, WitnessPlan } from "../../src/circuit/plan.js";
import type { IntTensor } from "../../src/quantize/qgraph.js";
import { CircomWriter } from "../../src/export/writer.js";
import { emitLinear, sizeOfShape, tensorVar } from "../../src/export/linear.js";
import { integer } from "../../src/export/writer.js";

const here = path.dirname(fileURLToPath(import.meta.url));

export interface Baseline {
  readonly source: string;
  /** the witness calculator's input: x, then every layer's weights and biases */
  readonly input: Record<string, string[]>;
  /** expected cost at circom --O2 from the peers' formula: products + 517 per ReLU (+ n per checked input) */
  readonly products: number;
  readonly relus: number;
  readonly inputChecks: number;
}

/** peer.circom, found from dist/bench/baseline or bench/baseline alike. */
function peerTemplates(): string {
  for (const dir of [here, path.join(here, "..", "..", "..", "bench", "baseline")]) {
    try {
      return readFileSync(path.join(dir, "peer.circom"), "utf8")
        .split("\n")
        .filter((l) => !/^\s*pragma\b/.test(l))
        .join("\n");
    } catch {
      /* next */
    }
  }
  throw new Error("bench/baseline/peer.circom not found");
}

export function baselineCircuit(plan: WitnessPlan, input: IntTensor, checked: boolean): Baseline {
  const w = new CircomWriter();
  const inputs: Record<string, string[]> = { x: Array.from(input.data, (v) => BigInt(v).toString()) };
  const decls: string[] = [];
  let products = 0,
    relus = 0,
    inputChecks = 0;
  const out = plan.outputs[0]!;
  const nOut = sizeOfShape(plan.tensors[out]!.shape);
  decls.push(`signal output out[${nOut}];`);
  const n0 = sizeOfShape(plan.tensors[plan.input]!.shape);
  decls.push(`signal input x[${n0}];`);
  const privateTensor = (name: string, data: Float64Array) => {
    decls.push(`signal input ${name}[${data.length}];`);
    inputs[name] = Array.from(data, (v) => BigInt(v).toString());
  };
  plan.steps.forEach((step: PlanStep, i) => {
    const s = `s${i}`;
    switch (step.kind) {
      case "input": {
        w.line(`var ${tensorVar(step.tensor)}[${n0}];`);
        w.loop("i", 0, n0, () => w.line(`${tensorVar(step.tensor)}[i] = x[i];`));
        if (checked) {
          inputChecks += n0 * step.range.nBits;
          w.line(`component ${s}_range[${n0}];`);
          w.loop("i", 0, n0, () => {
            w.line(`${s}_range[i] = PeerInputRange(${step.range.nBits}, ${integer(-step.range.offset)});`);
            w.line(`${s}_range[i].in <== x[i];`);
          });
        }
        return;
      }
      case "linear": {
        const op = step.op;
        const x = tensorVar(step.inputs[0]!);
        const y = tensorVar(step.output);
        const xShape = plan.tensors[step.inputs[0]!]!.shape;
        const outShape = plan.tensors[step.output]!.shape;
        if (op.kind === "gemm") {
          const [K, N] = op.weight.shape as [number, number];
          const rows = sizeOfShape(xShape) / K;
          privateTensor(`${s}_w`, op.weight.data);
          if (op.bias) privateTensor(`${s}_b`, op.bias.data);
          products += rows * K * N;
          w.comment(`dense [${K}] -> [${N}], private weights: one product per multiply`);
          w.line(`var ${y}[${rows * N}];`);
          w.line(`signal ${s}_p[${rows * K * N}];`);
          w.loop("r", 0, rows, () =>
            w.loop("n", 0, N, () => {
              w.line(`var acc = ${op.bias ? `${s}_b[n]` : "0"};`);
              w.loop("k", 0, K, () => {
                w.line(`${s}_p[(r * ${N} + n) * ${K} + k] <== ${x}[r * ${K} + k] * ${s}_w[k * ${N} + n];`);
                w.line(`acc += ${s}_p[(r * ${N} + n) * ${K} + k];`);
              });
              w.line(`${y}[r * ${N} + n] = acc;`);
            }),
          );
          return;
        }
        if (op.kind === "conv") {
          const [B, C, H, Wd] = xShape as [number, number, number, number];
          const [M, Cg, KH, KW] = op.weight.shape as [number, number, number, number];
          const [, , OH, OW] = outShape as [number, number, number, number];
          const p = op.params;
          if (p.group !== 1) throw new Error("baseline: grouped convolutions are not supported");
          let taps = 0; // multiplies that read the input (padding reads nothing)
          for (let oy = 0; oy < OH; oy++)
            for (let ky = 0; ky < KH; ky++) {
              const iy = oy * p.strides[0] - p.pads[0] + ky * p.dilations[0];
              if (iy >= 0 && iy < H)
                for (let ox = 0; ox < OW; ox++)
                  for (let kx = 0; kx < KW; kx++) {
                    const ix = ox * p.strides[1] - p.pads[1] + kx * p.dilations[1];
                    if (ix >= 0 && ix < Wd) taps++;
                  }
            }
          privateTensor(`${s}_w`, op.weight.data);
          if (op.bias) privateTensor(`${s}_b`, op.bias.data);
          const n = B * M * Cg * taps;
          products += n;
          w.comment(`conv ${M}@${KH}x${KW}, private weights: one product per multiply`);
          w.line(`var ${y}[${B * M * OH * OW}];`);
          w.line(`signal ${s}_p[${n}];`);
          w.line(`var ${s}_next = 0;`);
          w.loop("b", 0, B, () =>
            w.loop("m", 0, M, () =>
              w.loop("oy", 0, OH, () =>
                w.loop("ox", 0, OW, () => {
                  w.line(`var acc = ${op.bias ? `${s}_b[m]` : "0"};`);
                  w.loop("c", 0, Cg, () =>
                    w.loop("ky", 0, KH, () =>
                      w.loop("kx", 0, KW, () => {
                        w.line(`var iy = oy * ${p.strides[0]} - ${p.pads[0]} + ky * ${p.dilations[0]};`);
                        w.line(`var ix = ox * ${p.strides[1]} - ${p.pads[1]} + kx * ${p.dilations[1]};`);
                        w.block(`if (iy >= 0 && iy < ${H} && ix >= 0 && ix < ${Wd})`, () => {
                          w.line(
                            `${s}_p[${s}_next] <== ${x}[((b * ${C} + c) * ${H} + iy) * ${Wd} + ix] * ${s}_w[((m * ${Cg} + c) * ${KH} + ky) * ${KW} + kx];`,
                          );
                          w.line(`acc += ${s}_p[${s}_next];`);
                          w.line(`${s}_next++;`);
                        });
                      }),
                    ),
                  );
                  w.line(`${y}[((b * ${M} + m) * ${OH} + oy) * ${OW} + ox] = acc;`);
                }),
              ),
            ),
          );
          return;
        }
        if (op.kind === "affine") throw new Error("baseline: affine layers are not supported");
        emitLinear(w, s, op, step.inputs, step.output, plan.tensors);
        return;
      }
      case "requant": {
        const n = sizeOfShape(plan.tensors[step.output]!.shape);
        const x = tensorVar(step.input),
          y = tensorVar(step.output);
        w.line(`var ${y}[${n}];`);
        if (step.act.kind === "none") {
          w.comment("rescale: the peers keep the full-precision value (no constraint)");
          w.loop("i", 0, n, () => w.line(`${y}[i] = ${x}[i];`));
          return;
        }
        if (step.act.kind !== "relu") throw new Error(`baseline: activation ${step.act.kind} is not supported`);
        relus += n;
        w.comment("ReLU: a 254-bit decomposition and a sign comparison per element");
        w.line(`component ${s}_relu[${n}];`);
        w.loop("i", 0, n, () => {
          w.line(`${s}_relu[i] = PeerReLU();`);
          w.line(`${s}_relu[i].in <== ${x}[i];`);
          w.line(`${y}[i] = ${s}_relu[i].out;`);
        });
        return;
      }
      case "emit":
        if (step.tensor === out && step.wire <= nOut)
          w.loop("i", 0, nOut, () => w.line(`out[i] <== ${tensorVar(step.tensor)}[i];`));
        return;
      default:
        throw new Error(`baseline: plan step ${step.kind} is not supported`);
    }
  });
  const source = [
    "pragma circom 2.1.0;",
    "",
    `// A circomlib-ml-style baseline (bench/baseline/generate.ts): private weights, 254-bit ReLUs, ${checked ? "with" : "without"} the input range check.`,
    peerTemplates(),
    "// ---- constants ----",
    w.functionsText,
    "template Baseline() {",
    ...decls.map((d) => "    " + d),
    w.bodyText
      .split("\n")
      .map((l) => (l ? "    " + l : l))
      .join("\n"),
    "}",
    "",
    "component main = Baseline();",
    "",
  ].join("\n");
  return { source, input: inputs, products, relus, inputChecks };
}
