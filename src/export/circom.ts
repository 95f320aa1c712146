/**
 * `zkinfer export-circom`: a compiled circuit directory (model.json + plan.json) as one circom
 * file. The exporter reads only those two files, never the compiler's internals: every plan
 * step carries its gadget's parameters, and each becomes the matching template of circuits/
 * (inlined) with the weights as constants. Compiled with circom (`--O1`, `-l node_modules` for
 * circomlib's Poseidon), it computes the same public signals as zkinfer's own witness: two
 * independent implementations of every gadget, the differential oracle of
 * test/export/circom.test.ts.
 *
 * Signals of the exported template `Model`, in circom's order (wire 1 on: outputs, then public
 * inputs, then private inputs) so its public signals are zkinfer's, in public.json's order:
 *   outputs   out (or out0, out1, ... for several), or output_hash; then input_hash, params_hash
 *   inputs    x (the quantized input, public with --input-visibility public), the salts
 *             input_salt and output_salt when salted, and param<T> per prover-supplied
 *             parameter tensor (private or hashed params)
 */
import type { PlanStep, WitnessPlan } from "../circuit/plan.js";
import type { ModelMeta, PublicEntry, SaltRole } from "../meta/model.js";
import { CircomWriter } from "./writer.js";
import { CIRCOMLIB_POSEIDON, gadgetLibrary } from "./library.js";
import { emitLinear, sizeOfShape, tensorVar } from "./linear.js";
import {
  emitArgmax,
  emitCommit,
  emitDiv,
  emitInvert,
  emitMax,
  emitProduct,
  emitRangeCheck,
  emitRequant,
} from "./gadgets.js";
import { VERSION } from "../version.js";
import { ZkError } from "../errors.js";

export const INPUT_SIGNAL = "x";

export function saltSignal(role: SaltRole): string {
  return `${role}_salt`;
}

export function paramSignal(tensor: number): string {
  return `param${tensor}`;
}

/** A plan step this exporter has no template for: refuse, never write something else. */
function unsupported(step: never): never {
  throw new ZkError(
    "BAD_FILE",
    `export-circom: plan step "${(step as { kind: string }).kind}" has no circom template in this zkinfer (see circuits/README.md)`,
  );
}

export interface CircomExport {
  /** the .circom source */
  readonly source: string;
  /** the main component's template */
  readonly template: string;
  /** the input signals the witness calculator needs, in declaration order */
  readonly inputs: readonly {
    readonly name: string;
    readonly count: number;
    readonly visibility: "public" | "private";
  }[];
  /** whether it includes circomlib (compile with `-l` pointing at node_modules) */
  readonly needsCircomlib: boolean;
  readonly nPublic: number;
}

interface Output {
  readonly name: string;
  /** first public wire */
  readonly wire: number;
  readonly count: number;
  readonly entry: PublicEntry;
}

/** The output signals, named from model.json's public layout. */
function outputSignals(meta: ModelMeta): Output[] {
  const entries = meta.publicSignals.layout.filter((e) => e.role !== "input");
  const models = entries.filter((e) => e.role === "output");
  return entries.map((e) => ({
    name: e.role === "output" ? (models.length > 1 ? `out${models.indexOf(e)}` : "out") : e.role,
    wire: e.offset + 1,
    count: e.count,
    entry: e,
  }));
}

export function exportCircom(meta: ModelMeta, plan: WitnessPlan): CircomExport {
  const w = new CircomWriter();
  const tensors = plan.tensors;
  const outputs = outputSignals(meta);
  const outputAt = (wire: number) => outputs.find((o) => wire >= o.wire && wire < o.wire + o.count);
  const inSize = sizeOfShape(meta.input.shape);
  const pubIn = meta.input.visibility === "public";
  const salts = meta.publicSignals.layout.flatMap((e) => (e.salt ? [e.salt] : []));
  const params = plan.steps.filter((s): s is Extract<PlanStep, { kind: "param" }> => s.kind === "param");
  const hasCommit = plan.steps.some((s) => s.kind === "commit");

  for (const o of outputs)
    w.line(
      o.count === 1 && o.entry.role !== "output" ? `signal output ${o.name};` : `signal output ${o.name}[${o.count}];`,
    );
  w.line(`signal input ${INPUT_SIGNAL}[${inSize}];`);
  // salts in zkinfer's private-input order: input's, then output's
  const saltRoles = (["input", "output"] as const).filter((r) => salts.includes(r));
  for (const r of saltRoles) w.line(`signal input ${saltSignal(r)};`);
  for (const p of params) w.line(`signal input ${paramSignal(p.tensor)}[${p.data.length}];`);

  plan.steps.forEach((step, i) => {
    const s = `s${i}`;
    w.line();
    switch (step.kind) {
      case "input":
        w.comment(`step ${i}: the input (${meta.input.visibility})`);
        w.line(`var ${tensorVar(step.tensor)}[${inSize}];`);
        w.loop("i", 0, inSize, () => w.line(`${tensorVar(step.tensor)}[i] = ${INPUT_SIGNAL}[i];`));
        emitRangeCheck(w, s, INPUT_SIGNAL, inSize, step.range);
        return;
      case "param": {
        const n = step.data.length;
        w.comment(`step ${i}: a prover-supplied parameter tensor`);
        w.line(`var ${tensorVar(step.tensor)}[${n}];`);
        w.loop("i", 0, n, () => w.line(`${tensorVar(step.tensor)}[i] = ${paramSignal(step.tensor)}[i];`));
        emitRangeCheck(w, s, paramSignal(step.tensor), n, step.range);
        return;
      }
      case "linear":
        w.comment(`step ${i}: ${step.op.kind} (linear: no constraints)`);
        emitLinear(w, s, step.op, step.inputs, step.output, tensors);
        return;
      case "requant":
        w.comment(`step ${i}`);
        emitRequant(w, s, step, sizeOfShape(tensors[step.output]!.shape));
        return;
      case "max":
        w.comment(`step ${i}`);
        emitMax(w, s, step);
        return;
      case "argmax":
        w.comment(`step ${i}`);
        emitArgmax(w, s, step);
        return;
      case "div":
        w.comment(`step ${i}`);
        emitDiv(w, s, step, tensors);
        return;
      case "invert":
        w.comment(`step ${i}`);
        emitInvert(w, s, step, tensors);
        return;
      case "product":
        w.comment(`step ${i}`);
        emitProduct(w, s, step, tensors);
        return;
      case "commit": {
        const o = outputAt(step.outWire);
        if (!o || o.count !== 1) throw new Error(`export: commitment to wire ${step.outWire} is not a public hash`);
        w.comment(`step ${i}: ${o.entry.role}`);
        emitCommit(w, s, step, tensors, step.salt ? saltSignal(step.salt.role) : null, o.name);
        return;
      }
      case "emit": {
        const t = tensorVar(step.tensor);
        const n = sizeOfShape(tensors[step.tensor]!.shape);
        const o = outputAt(step.wire);
        if (o) {
          w.comment(`step ${i}: public output ${o.name}`);
          w.loop("i", 0, n, () => w.line(`${o.name}[${step.wire - o.wire} + i] <== ${t}[i];`));
          return;
        }
        w.comment(`step ${i}: give each element its own signal (before a fan-in op)`);
        w.line(`signal ${s}_m[${n}];`);
        w.loop("i", 0, n, () => {
          w.line(`${s}_m[i] <== ${t}[i];`);
          w.line(`${t}[i] = ${s}_m[i];`);
        });
        return;
      }
      default:
        unsupported(step);
    }
  });

  const template = "Model";
  const header = [
    "pragma circom 2.1.0;",
    "",
    `// ${meta.model.file} (sha256 ${meta.model.sha256}) exported by zkinfer ${VERSION} from its compiled circuit`,
    `// (circuit sha256 ${meta.identity.circuitSha256}; ${meta.circuit.constraints} constraints in zkinfer's R1CS).`,
    `// Visibility: input ${meta.options.inputVisibility}, params ${meta.options.paramVisibility}, output ${meta.options.outputVisibility}${salts.length ? `; salted: ${salts.join(", ")}` : ""}.`,
    "// Inputs are quantized integers (zkinfer's fixed point, input scale 2^" + meta.input.scale + ").",
    `// Compile: circom model.circom --r1cs --wasm --O1${hasCommit ? " -l node_modules" : ""}`,
    ...(hasCommit ? ["", `include "${CIRCOMLIB_POSEIDON}";`] : []),
    "",
  ].join("\n");
  const source = [
    header,
    gadgetLibrary(hasCommit),
    "// ---- the model's constants ----",
    w.functionsText,
    `template ${template}() {`,
    w.bodyText
      .split("\n")
      .map((l) => (l ? "    " + l : l))
      .join("\n"),
    "}",
    "",
    `component main${pubIn ? ` {public [${INPUT_SIGNAL}]}` : ""} = ${template}();`,
    "",
  ].join("\n");
  const inputs = [
    { name: INPUT_SIGNAL, count: inSize, visibility: pubIn ? ("public" as const) : ("private" as const) },
    ...saltRoles.map((r) => ({ name: saltSignal(r), count: 1, visibility: "private" as const })),
    ...params.map((p) => ({ name: paramSignal(p.tensor), count: p.data.length, visibility: "private" as const })),
  ];
  return { source, template, inputs, needsCircomlib: hasCommit, nPublic: meta.publicSignals.count };
}
