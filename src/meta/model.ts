/**
 * model.json's format marker and its validation, on parsed JSON: no files, so the browser
 * verifier shares it with the CLI (src/artifacts.ts reads the file).
 */
import { ZkError } from "../errors.js";

export const MODEL_FORMAT = "zkinfer-model";
export const MODEL_VERSION = 2;

export type InputVisibility = "public" | "private" | "hashed";
export type ParamVisibility = "fixed" | "private" | "hashed";
export type OutputVisibility = "public" | "hashed";
export type PublicRole = "output" | "input" | "output_hash" | "input_hash" | "params_hash";
/** Which commitment a salt blinds (a private input of the circuit; prove writes it beside the opening). */
export type SaltRole = "input" | "output";

/** How a committed tensor's values were packed into field elements (see circuit/gadgets/commit.ts). */
export interface PackPart {
  readonly lo: number;
  readonly bits: number;
}

export interface ParamEntry extends PackPart {
  /** the ONNX node's name, for messages */
  readonly node: string;
  /** the graph value it computes: what binds this entry to a node of the verifier's model */
  readonly output: string;
  readonly kind: "gemm" | "conv" | "affine";
  readonly part: "weight" | "bias" | "mul" | "add";
  /** the fixed-point scale it was quantized at */
  readonly scale: number;
  readonly count: number;
}

export interface PublicEntry {
  readonly role: PublicRole;
  readonly name: string;
  readonly shape: readonly number[];
  readonly scale: number;
  readonly offset: number;
  readonly count: number;
  /** for *_hash entries: how the committed tensors were packed (see gadgets/commit.ts) */
  readonly packing?: readonly (PackPart & { readonly count: number })[];
  /** for *_hash entries: the salt hashed in first, when the commitment is salted */
  readonly salt?: SaltRole;
}

export interface ModelMeta {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly zkinfer: string;
  readonly model: { readonly file: string; readonly sha256: string; readonly opset: number; readonly producer: string };
  readonly options: {
    readonly activationBits: number;
    readonly weightBits: number;
    readonly inputBits: number;
    readonly inputMargin: number;
    /** rescale windows: each rescale's input is held to its calibrated range ± this × its span (null: none) */
    readonly activationMargin: number | null;
    /** per-layer bits by ONNX node name (compile --settings), when any */
    readonly layers?: Readonly<Record<string, { readonly activationBits?: number; readonly weightBits?: number }>>;
    readonly inputVisibility: InputVisibility;
    readonly paramVisibility: ParamVisibility;
    readonly outputVisibility: OutputVisibility;
    /** whether hashed inputs and outputs are salted (see PublicEntry.salt for which commitments are) */
    readonly salt: boolean;
  };
  readonly input: {
    readonly name: string;
    readonly shape: readonly number[];
    readonly scale: number;
    readonly range: readonly [number, number];
    readonly floatRange: readonly [number, number];
    readonly visibility: InputVisibility;
  };
  /** with private or hashed params: which tensors the prover supplies, at which scales, in which admitted ranges (the params commitment packs them so) */
  readonly params: readonly ParamEntry[];
  readonly outputs: readonly {
    readonly name: string;
    readonly shape: readonly number[];
    readonly scale: number;
    /** worst-case |proven output - float model output| for any accepted input (null: discrete, e.g. argmax) */
    readonly errorBound: number | null;
  }[];
  /** each smooth function's piecewise polynomial: its measured worst error and cost */
  readonly approximations: readonly {
    readonly node: string;
    readonly fn: string;
    readonly segments: number;
    readonly degree: number;
    readonly maxError: number;
    readonly errorBound: number | null;
  }[];
  readonly publicSignals: { readonly count: number; readonly layout: readonly PublicEntry[] };
  /**
   * What exactly is proven: the architecture (the quantized graph without weight values), the
   * circuit and, once setup has run, the verification key. Verifiers refuse a key whose hash is
   * not this one; with fixed params the key hash is the model's identity, with hashed params
   * the architecture hash and the params commitment are.
   */
  readonly identity: {
    readonly architectureSha256: string;
    readonly circuitSha256: string;
    readonly verificationKeySha256: string | null;
  };
  readonly circuit: {
    readonly constraints: number;
    readonly wires: number;
    readonly terms: number;
    readonly ptauPower: number;
    readonly r1csSha256: string;
    readonly planSha256: string;
  };
  readonly costs: readonly {
    readonly kind: string;
    readonly constraints: number;
    readonly wires: number;
    readonly elements: number;
  }[];
  readonly accuracy: {
    readonly samples: number;
    readonly maxAbsError: number;
    readonly meanAbsError: number;
    readonly argmaxAgreement: number;
  } | null;
  readonly notes: readonly string[];
}

/** Checks the fields later stages rely on; `file` names the source in errors. */
export function parseModelMeta(j: unknown, file: string): ModelMeta {
  const m = j as Partial<ModelMeta> | null;
  if (!m || typeof m !== "object" || m.format !== MODEL_FORMAT) {
    throw new ZkError("BAD_FILE", `${file}: not a zkinfer model.json (no "format": "${MODEL_FORMAT}")`);
  }
  if (m.version !== MODEL_VERSION)
    throw new ZkError(
      "BAD_FILE",
      `${file}: version ${m.version}, this zkinfer reads version ${MODEL_VERSION}; recompile the model`,
    );
  const need = (cond: unknown, field: string) => {
    if (!cond) throw new ZkError("BAD_FILE", `${file}: field "${field}" is missing or malformed`);
  };
  need(m.input && Array.isArray(m.input.shape) && typeof m.input.scale === "number", "input");
  need(Array.isArray(m.outputs) && m.outputs.length > 0, "outputs");
  need(
    m.publicSignals && Number.isInteger(m.publicSignals.count) && Array.isArray(m.publicSignals.layout),
    "publicSignals",
  );
  for (const [i, e] of (m.publicSignals?.layout ?? []).entries()) {
    need(
      Number.isInteger(e.offset) && Number.isInteger(e.count) && typeof e.scale === "number" && Array.isArray(e.shape),
      `publicSignals.layout[${i}]`,
    );
  }
  need(m.circuit && Number.isInteger(m.circuit.ptauPower), "circuit");
  need(m.model && typeof m.model.sha256 === "string", "model");
  need(
    m.identity && typeof m.identity.architectureSha256 === "string" && typeof m.identity.circuitSha256 === "string",
    "identity",
  );
  return m as ModelMeta;
}
