/**
 * What an ONNX op handler sees: its node's operands (each a computed value or a folded
 * constant, with a static shape), typed attribute readers, and `emit`, which appends a
 * primitive node or, when every operand is constant, evaluates it on the spot (constant
 * folding). Errors raised here always name the node and its op type.
 */
import type { Node, PrimOp, Shape, Tensor } from "./graph.js";
import type { AttrValue, OnnxNode } from "./onnx.js";
import { evalPrim } from "./evaluate.js";
import { ZkError } from "../errors.js";
import { shapeStr, sizeOf } from "./shapes.js";

export interface Operand {
  readonly name: string;
  readonly shape: Shape;
  /** the value, when it is known at import time */
  readonly constant: Tensor | null;
}

/** A QuantizeLinear on a computed tensor, waiting for the DequantizeLinear that completes the QDQ pair. */
export interface PendingQuantize {
  readonly input: string;
  readonly nodeName: string;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly qmin: number;
  readonly qmax: number;
}

/**
 * The largest tensor zkinfer will build (elements). A hostile model can ask for a Pad or
 * Reshape of billions of elements; refusing it here beats running out of memory.
 */
export const MAX_TENSOR_ELEMENTS = 2 ** 26;

export class ImportContext {
  readonly nodes: Node[] = [];
  readonly pendingQuantize = new Map<string, PendingQuantize>();
  readonly shapes = new Map<string, Shape>();
  private readonly constants = new Map<string, Tensor>();
  private readonly aliases = new Map<string, string>();
  /** parameter nodes emitted so far per ONNX node (the node itself, not its name) and kind */
  private readonly paramNames = new Map<OnnxNode, Map<string, number>>();
  private counter = 0;

  constructor(
    readonly opset: number,
    initializers: ReadonlyMap<string, Tensor>,
  ) {
    for (const [name, t] of initializers) this.constants.set(name, t);
  }

  defineInput(name: string, shape: Shape): void {
    this.shapes.set(name, shape);
  }

  resolve(name: string): string {
    let n = name;
    while (this.aliases.has(n)) n = this.aliases.get(n)!;
    return n;
  }

  lookup(name: string): Operand | undefined {
    const n = this.resolve(name);
    const c = this.constants.get(n);
    if (c) return { name: n, shape: c.shape, constant: c };
    const s = this.shapes.get(n);
    return s ? { name: n, shape: s, constant: null } : undefined;
  }

  error(node: OnnxNode, msg: string): ZkError {
    return new ZkError("BAD_MODEL", `node "${node.name}" (${node.opType}): ${msg}`);
  }

  unsupported(node: OnnxNode, msg: string): ZkError {
    return new ZkError("UNSUPPORTED_OP", `node "${node.name}" (${node.opType}): ${msg}`);
  }

  /** Operand i of the node; fails if it is absent. */
  operand(node: OnnxNode, i: number): Operand {
    const op = this.optionalOperand(node, i);
    if (!op) throw this.error(node, `missing input ${i + 1}`);
    return op;
  }

  optionalOperand(node: OnnxNode, i: number): Operand | null {
    const name = node.inputs[i];
    if (name === undefined || name === "") return null;
    const op = this.lookup(name);
    const q = this.pendingQuantize.get(name);
    if (!op && q)
      throw this.unsupported(
        node,
        `input "${name}" is the integer output of QuantizeLinear "${q.nodeName}"; only QuantizeLinear → DequantizeLinear pairs (QDQ format) are supported`,
      );
    if (!op) throw this.error(node, `input "${name}" is not produced by any earlier node, initializer or graph input`);
    return op;
  }

  /** Operand i, which must be known at import time (a weight, a shape, indices...). */
  constant(node: OnnxNode, i: number, role: string): Tensor {
    const op = this.operand(node, i);
    if (!op.constant) {
      throw this.unsupported(
        node,
        `${role} (input ${i + 1}, "${op.name}") must be a constant (an initializer or computed from constants); it is computed from the model input`,
      );
    }
    return op.constant;
  }

  // ---- attributes ----
  private attr(node: OnnxNode, name: string): AttrValue | undefined {
    return node.attrs.get(name);
  }

  int(node: OnnxNode, name: string, dflt: number): number {
    const v = this.attr(node, name);
    if (v === undefined) return dflt;
    if (typeof v !== "number" || !Number.isInteger(v)) throw this.error(node, `attribute ${name} must be an integer`);
    return v;
  }

  float(node: OnnxNode, name: string, dflt: number): number {
    const v = this.attr(node, name);
    if (v === undefined) return dflt;
    if (typeof v !== "number") throw this.error(node, `attribute ${name} must be a number`);
    return v;
  }

  ints(node: OnnxNode, name: string, dflt: readonly number[] | null): number[] | null {
    const v = this.attr(node, name);
    if (v === undefined) return dflt ? [...dflt] : null;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number"))
      throw this.error(node, `attribute ${name} must be a list of integers`);
    return v as number[];
  }

  floats(node: OnnxNode, name: string, dflt: readonly number[] | null): number[] | null {
    const v = this.attr(node, name);
    if (v === undefined) return dflt ? [...dflt] : null;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "number"))
      throw this.error(node, `attribute ${name} must be a list of numbers`);
    return v as number[];
  }

  string(node: OnnxNode, name: string, dflt: string): string {
    const v = this.attr(node, name);
    if (v === undefined) return dflt;
    if (typeof v !== "string") throw this.error(node, `attribute ${name} must be a string`);
    return v;
  }

  tensorAttr(node: OnnxNode, name: string): Tensor | null {
    const v = this.attr(node, name);
    if (v === undefined) return null;
    if (typeof v !== "object" || Array.isArray(v)) throw this.error(node, `attribute ${name} must be a tensor`);
    return v;
  }

  /** Refuses shapes too big to build; handlers call it before allocating index maps. */
  checkSize(node: OnnxNode, shape: Shape): void {
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > MAX_TENSOR_ELEMENTS) {
      throw new ZkError(
        "UNSUPPORTED_OP",
        `node "${node.name}" (${node.opType}): output ${shapeStr(shape)} has ${n} elements, more than zkinfer's limit of ${MAX_TENSOR_ELEMENTS}`,
      );
    }
  }

  // ---- results ----
  /** Gives the node's output `name` the value of `op` (Identity, Dropout, no-op reshapes). */
  alias(name: string, op: Operand): void {
    if (op.constant) this.constants.set(name, op.constant);
    else if (name !== op.name) this.aliases.set(name, op.name);
  }

  setConstant(name: string, t: Tensor): Operand {
    if (t.data.length !== sizeOf(t.shape))
      throw new Error(`constant ${name}: ${t.data.length} values for shape ${shapeStr(t.shape)}`);
    this.constants.set(name, t);
    return { name, shape: t.shape, constant: t };
  }

  /**
   * The primitive's node name: the ONNX node's, and `name/2`, `name/3`… for a second and later
   * parameter node of one kind from one ONNX node (a batched MatMul's gemms, Max's affines): a
   * parameter commitment binds weights by name (src/model/params.ts refuses duplicates).
   */
  private nodeName(node: OnnxNode, op: PrimOp): string {
    if (op.kind !== "gemm" && op.kind !== "conv" && op.kind !== "affine") return node.name;
    // keyed by the node, so two ONNX nodes that share a name keep it and params.ts refuses them
    const kinds = this.paramNames.get(node) ?? new Map<string, number>();
    this.paramNames.set(node, kinds);
    const seen = kinds.get(op.kind) ?? 0;
    kinds.set(op.kind, seen + 1);
    return seen === 0 ? node.name : `${node.name}/${seen + 1}`;
  }

  /**
   * Appends primitive `op` over `inputs` producing a value of `shape`, named `name` (default:
   * a fresh name derived from the node). Folds it to a constant when all inputs are constant.
   */
  emit(node: OnnxNode, op: PrimOp, inputs: readonly Operand[], shape: Shape, name?: string): Operand {
    const out = name ?? `${node.outputs[0] ?? node.name}#${this.counter++}`;
    if (shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw this.error(node, `computed an invalid output shape ${shapeStr(shape)}`);
    }
    this.checkSize(node, shape);
    if (inputs.every((i) => i.constant)) {
      // the element type rides along so integer shape arithmetic stays integer (see Div)
      const t = evalPrim(
        op,
        inputs.map((i) => i.constant!),
        shape,
      );
      return this.setConstant(out, { ...t, dataType: inputs[0]?.constant?.dataType });
    }
    const folded = inputs.find((i) => i.constant);
    if (folded)
      throw this.unsupported(node, `operand "${folded.name}" is a constant where this op needs a computed tensor`);
    this.nodes.push({
      name: this.nodeName(node, op),
      source: node.opType,
      op,
      inputs: inputs.map((i) => i.name),
      output: out,
    });
    this.shapes.set(out, shape);
    return { name: out, shape, constant: null };
  }
}

export type OpHandler = (ctx: ImportContext, node: OnnxNode) => void;
