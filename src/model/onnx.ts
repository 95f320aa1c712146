/**
 * ONNX protobuf decoding (and encoding, for tests that build models) with protobufjs. The
 * schema below is the subset of onnx.proto that inference graphs use, with onnx.proto's own
 * field numbers; unknown fields (training info, sparse initializers, ...) are skipped by the
 * decoder. The result is plain typed objects; `import.ts` turns them into a Graph.
 */
import protobuf from "protobufjs";
import { ZkError, describeError } from "../errors.js";
import type { Shape, Tensor } from "./graph.js";
import { sizeOf } from "./shapes.js";

const packed = { packed: true };
const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: "int64", id: 1 },
            producerName: { type: "string", id: 2 },
            producerVersion: { type: "string", id: 3 },
            domain: { type: "string", id: 4 },
            modelVersion: { type: "int64", id: 5 },
            docString: { type: "string", id: 6 },
            graph: { type: "GraphProto", id: 7 },
            opsetImport: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
          },
        },
        OperatorSetIdProto: {
          fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } },
        },
        GraphProto: {
          fields: {
            node: { rule: "repeated", type: "NodeProto", id: 1 },
            name: { type: "string", id: 2 },
            initializer: { rule: "repeated", type: "TensorProto", id: 5 },
            docString: { type: "string", id: 10 },
            input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
            output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
            valueInfo: { rule: "repeated", type: "ValueInfoProto", id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: "repeated", type: "string", id: 1 },
            output: { rule: "repeated", type: "string", id: 2 },
            name: { type: "string", id: 3 },
            opType: { type: "string", id: 4 },
            attribute: { rule: "repeated", type: "AttributeProto", id: 5 },
            docString: { type: "string", id: 6 },
            domain: { type: "string", id: 7 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: "string", id: 1 },
            f: { type: "float", id: 2 },
            i: { type: "int64", id: 3 },
            s: { type: "bytes", id: 4 },
            t: { type: "TensorProto", id: 5 },
            g: { type: "GraphProto", id: 6 },
            floats: { rule: "repeated", type: "float", id: 7, options: packed },
            ints: { rule: "repeated", type: "int64", id: 8, options: packed },
            strings: { rule: "repeated", type: "bytes", id: 9 },
            tensors: { rule: "repeated", type: "TensorProto", id: 10 },
            docString: { type: "string", id: 13 },
            type: { type: "int32", id: 20 },
            refAttrName: { type: "string", id: 21 },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: "string", id: 1 },
            type: { type: "TypeProto", id: 2 },
            docString: { type: "string", id: 3 },
          },
        },
        TypeProto: {
          fields: { tensorType: { type: "TypeProtoTensor", id: 1 }, denotation: { type: "string", id: 6 } },
        },
        TypeProtoTensor: {
          fields: { elemType: { type: "int32", id: 1 }, shape: { type: "TensorShapeProto", id: 2 } },
        },
        TensorShapeProto: {
          fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } },
        },
        Dimension: {
          oneofs: { value: { oneof: ["dimValue", "dimParam"] } },
          fields: {
            dimValue: { type: "int64", id: 1 },
            dimParam: { type: "string", id: 2 },
            denotation: { type: "string", id: 3 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: "repeated", type: "int64", id: 1, options: packed },
            dataType: { type: "int32", id: 2 },
            floatData: { rule: "repeated", type: "float", id: 4, options: packed },
            int32Data: { rule: "repeated", type: "int32", id: 5, options: packed },
            stringData: { rule: "repeated", type: "bytes", id: 6 },
            int64Data: { rule: "repeated", type: "int64", id: 7, options: packed },
            name: { type: "string", id: 8 },
            rawData: { type: "bytes", id: 9 },
            doubleData: { rule: "repeated", type: "double", id: 10, options: packed },
            uint64Data: { rule: "repeated", type: "uint64", id: 11, options: packed },
            docString: { type: "string", id: 12 },
            dataLocation: { type: "int32", id: 14 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA);
const ModelProto = root.lookupType("onnx.ModelProto");
const TensorProto = root.lookupType("onnx.TensorProto");

/**
 * Rewrites one float initializer of a serialized model (tests use it to make "the same
 * architecture with other weights"); every other field is kept.
 */
export function mapInitializer(bytes: Uint8Array, name: string, f: (values: Float32Array) => void): Uint8Array {
  const msg = ModelProto.decode(bytes) as unknown as {
    graph: { initializer: { name: string; rawData?: Uint8Array; floatData?: number[] }[] };
  };
  const init = msg.graph.initializer.find((t) => t.name === name);
  if (!init) throw new Error(`no initializer ${name}`);
  if (init.rawData && init.rawData.length) {
    const values = new Float32Array(new Uint8Array(init.rawData).buffer);
    f(values);
    init.rawData = new Uint8Array(values.buffer);
  } else {
    const values = Float32Array.from(init.floatData ?? []);
    f(values);
    init.floatData = Array.from(values);
  }
  return ModelProto.encode(msg as unknown as protobuf.Message).finish();
}

/** ONNX TensorProto.DataType values we read. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

/** Whether a tensor of this ONNX element type holds integers (shapes, indices, counts). */
export function isIntegerType(type: number | undefined): boolean {
  return type !== undefined && INTEGER_TYPES.has(type);
}
const INTEGER_TYPES: ReadonlySet<number> = new Set([
  DataType.UINT8,
  DataType.INT8,
  DataType.UINT16,
  DataType.INT16,
  DataType.INT32,
  DataType.INT64,
  DataType.BOOL,
  DataType.UINT32,
  DataType.UINT64,
]);

export type AttrValue = number | string | Tensor | number[] | string[];

export interface OnnxNode {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttrValue>;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: number;
  /** null where the model gives no shape; a string for a symbolic dimension */
  readonly dims: readonly (number | string)[] | null;
}

export interface OnnxModel {
  readonly irVersion: number;
  /** domain ("" = ai.onnx) → opset version */
  readonly opsets: ReadonlyMap<string, number>;
  readonly producer: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

// The decoded protobuf objects, as protobufjs's toObject shapes them.
interface RawTensor {
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  uint64Data?: number[];
  name?: string;
  rawData?: Uint8Array;
  dataLocation?: number;
  stringData?: Uint8Array[];
}
interface RawAttr {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: RawTensor;
  g?: unknown;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: RawTensor[];
}
interface RawNode {
  input?: string[];
  output?: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute?: RawAttr[];
}
interface RawValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } };
}
interface RawGraph {
  node?: RawNode[];
  initializer?: RawTensor[];
  input?: RawValueInfo[];
  output?: RawValueInfo[];
}
interface RawModel {
  irVersion?: number;
  producerName?: string;
  graph?: RawGraph;
  opsetImport?: { domain?: string; version?: number }[];
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: Number, defaults: false, arrays: true };

export function decodeOnnx(bytes: Uint8Array, what: string): OnnxModel {
  if (bytes.length === 0) throw new ZkError("BAD_MODEL", `${what}: empty file, not an ONNX model`);
  let raw: RawModel;
  try {
    raw = ModelProto.toObject(ModelProto.decode(bytes), TO_OBJECT) as RawModel;
  } catch (e) {
    throw new ZkError(
      "BAD_MODEL",
      `${what}: not a valid ONNX model (protobuf decoding failed: ${describeError(e)}); is the file truncated?`,
    );
  }
  const g = raw.graph;
  if (!g) throw new ZkError("BAD_MODEL", `${what}: the ONNX model has no graph`);
  const opsets = new Map<string, number>();
  for (const o of raw.opsetImport ?? []) opsets.set(o.domain ?? "", Number(o.version ?? 0));
  if (!opsets.has("") && !opsets.has("ai.onnx")) {
    throw new ZkError(
      "BAD_MODEL",
      `${what}: the model imports no ai.onnx opset (opset_import is empty or names only ${[...opsets.keys()].join(", ") || "nothing"})`,
    );
  }
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializer ?? []) {
    const name = t.name ?? "";
    initializers.set(name, decodeTensor(t, `${what}: initializer "${name}"`));
  }
  const nodes = (g.node ?? []).map((n, i) => decodeNode(n, i, what));
  return {
    irVersion: Number(raw.irVersion ?? 0),
    opsets,
    producer: raw.producerName ?? "",
    nodes,
    initializers,
    inputs: (g.input ?? []).map(decodeValueInfo),
    outputs: (g.output ?? []).map(decodeValueInfo),
  };
}

/** A serialized TensorProto on its own (the .pb files of ONNX's backend test data), with its name. */
export function decodeTensorProto(bytes: Uint8Array, what: string): { name: string; tensor: Tensor } {
  let raw: RawTensor;
  try {
    raw = TensorProto.toObject(TensorProto.decode(bytes), TO_OBJECT) as RawTensor;
  } catch (e) {
    throw new ZkError("BAD_FILE", `${what}: not a TensorProto (protobuf decoding failed: ${describeError(e)})`);
  }
  return { name: raw.name ?? "", tensor: decodeTensor(raw, what) };
}

function decodeValueInfo(v: RawValueInfo): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const dims =
    tt?.shape?.dim?.map((d) => (d.dimValue !== undefined ? Number(d.dimValue) : (d.dimParam ?? "?"))) ?? null;
  return { name: v.name ?? "", elemType: tt?.elemType ?? 0, dims };
}

function decodeNode(n: RawNode, index: number, what: string): OnnxNode {
  const opType = n.opType ?? "";
  const name = n.name || `${opType || "node"}_${index}`;
  const attrs = new Map<string, AttrValue>();
  for (const a of n.attribute ?? []) {
    const an = a.name ?? "";
    attrs.set(an, decodeAttr(a, `${what}: node "${name}" (${opType}) attribute "${an}"`));
  }
  return { name, opType, domain: n.domain ?? "", inputs: n.input ?? [], outputs: n.output ?? [], attrs };
}

// AttributeProto.AttributeType
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8, TENSORS: 9 } as const;

function decodeAttr(a: RawAttr, what: string): AttrValue {
  const td = new TextDecoder();
  switch (a.type) {
    case ATTR.FLOAT:
      return a.f ?? 0;
    case ATTR.INT:
      return Number(a.i ?? 0);
    case ATTR.STRING:
      return td.decode(a.s ?? new Uint8Array());
    case ATTR.TENSOR:
      if (!a.t) throw new ZkError("BAD_MODEL", `${what}: tensor attribute without a tensor`);
      return decodeTensor(a.t, what);
    case ATTR.FLOATS:
      return a.floats ?? [];
    case ATTR.INTS:
      return (a.ints ?? []).map(Number);
    case ATTR.STRINGS:
      return (a.strings ?? []).map((s) => td.decode(s));
    case ATTR.GRAPH:
    case ATTR.TENSORS:
      throw new ZkError("BAD_MODEL", `${what}: graph and tensor-list attributes (control flow) are not supported`);
    default:
      // IR < 2 had no type field: infer from the field present
      if (a.t) return decodeTensor(a.t, what);
      if (a.ints?.length) return a.ints.map(Number);
      if (a.floats?.length) return a.floats;
      if (a.i !== undefined) return Number(a.i);
      if (a.f !== undefined) return a.f;
      if (a.s !== undefined) return td.decode(a.s);
      throw new ZkError("BAD_MODEL", `${what}: attribute has no value (type ${a.type ?? "missing"})`);
  }
}

function float16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function decodeTensor(t: RawTensor, what: string): Tensor {
  const dims = (t.dims ?? []).map(Number);
  if (dims.some((d) => !Number.isInteger(d) || d < 0))
    throw new ZkError("BAD_MODEL", `${what}: invalid dims [${dims.join(", ")}]`);
  if (t.dataLocation === 1) {
    throw new ZkError(
      "BAD_MODEL",
      `${what}: tensor data is stored in an external file; re-save the model with all tensors inside the .onnx file`,
    );
  }
  const n = sizeOf(dims);
  if (!(n <= 2 ** 28))
    throw new ZkError(
      "BAD_MODEL",
      `${what}: shape [${dims.join(", ")}] has ${n} elements, too many to be a real tensor here`,
    );
  const type = t.dataType ?? 0;
  const rawBytes = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  let data: Float64Array;
  if (rawBytes) {
    data = decodeRaw(rawBytes, type, what);
  } else {
    let src: ArrayLike<number>;
    switch (type) {
      case DataType.FLOAT:
        src = t.floatData ?? [];
        break;
      case DataType.DOUBLE:
        src = t.doubleData ?? [];
        break;
      case DataType.INT64:
        src = t.int64Data ?? [];
        break;
      case DataType.UINT32:
      case DataType.UINT64:
        src = t.uint64Data ?? [];
        break;
      case DataType.INT32:
      case DataType.INT16:
      case DataType.INT8:
      case DataType.UINT16:
      case DataType.UINT8:
      case DataType.BOOL:
        src = t.int32Data ?? [];
        break;
      case DataType.FLOAT16:
        src = (t.int32Data ?? []).map(float16ToNumber);
        break;
      default:
        throw unsupportedType(type, what);
    }
    data = Float64Array.from(src);
  }
  if (data.length !== n) {
    throw new ZkError(
      "BAD_MODEL",
      `${what}: shape [${dims.join(", ")}] needs ${n} values but the tensor holds ${data.length}`,
    );
  }
  return { shape: dims, data, dataType: type };
}

function unsupportedType(type: number, what: string): ZkError {
  const name = Object.entries(DataType).find(([, v]) => v === type)?.[0] ?? `#${type}`;
  return new ZkError("BAD_MODEL", `${what}: tensor data type ${name} is not supported (numeric types only)`);
}

function decodeRaw(raw: Uint8Array, type: number, what: string): Float64Array {
  // copy into a fresh aligned buffer: raw_data is a view into the protobuf buffer (on Node a
  // pooled Buffer, whose .slice() does not copy), neither aligned nor exclusively ours
  const buf = new Uint8Array(raw).buffer;
  const bytesPer: Record<number, number> = {
    [DataType.FLOAT]: 4,
    [DataType.DOUBLE]: 8,
    [DataType.INT64]: 8,
    [DataType.UINT64]: 8,
    [DataType.INT32]: 4,
    [DataType.UINT32]: 4,
    [DataType.INT16]: 2,
    [DataType.UINT16]: 2,
    [DataType.FLOAT16]: 2,
    [DataType.INT8]: 1,
    [DataType.UINT8]: 1,
    [DataType.BOOL]: 1,
  };
  const size = bytesPer[type];
  if (size === undefined) throw unsupportedType(type, what);
  if (raw.length % size !== 0)
    throw new ZkError("BAD_MODEL", `${what}: raw data length ${raw.length} is not a multiple of ${size}`);
  switch (type) {
    case DataType.FLOAT:
      return Float64Array.from(new Float32Array(buf));
    case DataType.DOUBLE:
      return new Float64Array(buf);
    case DataType.INT64:
      return Float64Array.from(new BigInt64Array(buf), Number);
    case DataType.UINT64:
      return Float64Array.from(new BigUint64Array(buf), Number);
    case DataType.INT32:
      return Float64Array.from(new Int32Array(buf));
    case DataType.UINT32:
      return Float64Array.from(new Uint32Array(buf));
    case DataType.INT16:
      return Float64Array.from(new Int16Array(buf));
    case DataType.UINT16:
      return Float64Array.from(new Uint16Array(buf));
    case DataType.FLOAT16:
      return Float64Array.from(new Uint16Array(buf), float16ToNumber);
    case DataType.INT8:
      return Float64Array.from(new Int8Array(buf));
    default:
      return Float64Array.from(new Uint8Array(buf)); // UINT8, BOOL
  }
}

// ---- encoding (tests build ONNX models with this; no runtime path depends on it) ----

export interface EncodeTensor {
  readonly name: string;
  readonly shape: Shape;
  readonly data: ArrayLike<number>;
  /** default FLOAT; INT64 for shapes and indices */
  readonly dataType?: number;
}

export interface EncodeNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** undefined values are left out (so a list of node literals may mix attribute sets) */
  readonly attrs?: Readonly<
    Record<string, number | number[] | string | EncodeTensor | { floats: number[] } | { float: number } | undefined>
  >;
}

export interface EncodeModel {
  readonly inputs: readonly { name: string; shape: readonly (number | string)[] }[];
  readonly outputs: readonly { name: string; shape?: readonly (number | string)[]; elemType?: number }[];
  readonly initializers: readonly EncodeTensor[];
  readonly nodes: readonly EncodeNode[];
  readonly opset?: number;
}

function encodeTensorObj(t: EncodeTensor): Record<string, unknown> {
  const type = t.dataType ?? DataType.FLOAT;
  const data = Array.from(t.data);
  const obj: Record<string, unknown> = { name: t.name, dims: [...t.shape], dataType: type };
  if (type === DataType.FLOAT) obj.floatData = data;
  else if (type === DataType.INT64) obj.int64Data = data;
  else if (type === DataType.DOUBLE) obj.doubleData = data;
  else obj.int32Data = data;
  return obj;
}

function valueInfo(
  name: string,
  shape: readonly (number | string)[] | undefined,
  elemType: number = DataType.FLOAT,
): Record<string, unknown> {
  const dim = shape?.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, ...(dim ? { shape: { dim } } : {}) } } };
}

export function encodeOnnx(m: EncodeModel): Uint8Array {
  const nodes = m.nodes.map((n, i) => ({
    name: n.name ?? `${n.opType}_${i}`,
    opType: n.opType,
    input: [...n.inputs],
    output: [...n.outputs],
    attribute: Object.entries(n.attrs ?? {})
      .flatMap(([name, v]) => (v === undefined ? [] : [[name, v] as const]))
      .map(([name, v]) => {
        if (typeof v === "number")
          return Number.isInteger(v) ? { name, type: ATTR.INT, i: v } : { name, type: ATTR.FLOAT, f: v };
        if (typeof v === "string") return { name, type: ATTR.STRING, s: new TextEncoder().encode(v) };
        if (Array.isArray(v)) return { name, type: ATTR.INTS, ints: v };
        if ("floats" in v) return { name, type: ATTR.FLOATS, floats: v.floats };
        if ("float" in v) return { name, type: ATTR.FLOAT, f: v.float };
        return { name, type: ATTR.TENSOR, t: encodeTensorObj(v) };
      }),
  }));
  const model = ModelProto.fromObject({
    irVersion: 8,
    producerName: "zkinfer-test",
    opsetImport: [{ domain: "", version: m.opset ?? 13 }],
    graph: {
      name: "g",
      node: nodes,
      initializer: m.initializers.map(encodeTensorObj),
      input: m.inputs.map((i) => valueInfo(i.name, i.shape)),
      output: m.outputs.map((o) => valueInfo(o.name, o.shape, o.elemType)),
    },
  });
  return ModelProto.encode(model).finish();
}
