/**
 * ONNX bytes → Graph. Decodes the protobuf, checks every node against the op registry (all
 * unsupported nodes are reported at once), runs the handlers in order (shape inference and
 * constant folding happen there), and drops nodes no output depends on.
 */
import type { Graph, Node, ValueSpec } from "./graph.js";
import { decodeOnnx, DataType, type OnnxModel } from "./onnx.js";
import { ImportContext } from "./context.js";
import { OP_HANDLERS } from "./ops/index.js";
import { ZkError, isZkError, describeError } from "../errors.js";
import { shapeStr } from "./shapes.js";
import { foldAffines, foldRoots } from "./fold.js";
import { centerVariances } from "./fold-variance.js";

export interface ImportResult {
  readonly graph: Graph;
  readonly opset: number;
  readonly producer: string;
  /** things the user should know (symbolic dims fixed to 1, ...) */
  readonly notes: readonly string[];
}

/**
 * ai.onnx opsets the importer reads. Before opset 7 a few handlers read other attributes
 * (Add/Sub/Mul/Div's broadcast and axis, Reshape's shape, Pad's paddings, Cast's type names,
 * Concat's default axis, BatchNormalization's spatial); the other supported ops kept their
 * meaning (attributes like consumed_inputs and is_test only mattered to training).
 */
const MIN_OPSET = 1;
const MAX_OPSET = 21;

export function importOnnx(bytes: Uint8Array, what = "model"): ImportResult {
  const model = decodeOnnx(bytes, what);
  return importModel(model, what);
}

export function importModel(model: OnnxModel, what: string): ImportResult {
  const opset = model.opsets.get("") ?? model.opsets.get("ai.onnx") ?? 0;
  if (opset < MIN_OPSET || opset > MAX_OPSET) {
    throw new ZkError(
      "BAD_MODEL",
      `${what}: ai.onnx opset ${opset} is not supported (supported: ${MIN_OPSET}..${MAX_OPSET})`,
    );
  }
  const unsupported = model.nodes.filter(
    (n) => !(n.domain === "" || n.domain === "ai.onnx") || !OP_HANDLERS.has(n.opType),
  );
  if (unsupported.length > 0) {
    const list = unsupported.map(
      (n) => `"${n.name}" (${n.domain && n.domain !== "ai.onnx" ? `${n.domain}.` : ""}${n.opType})`,
    );
    const types = [...new Set(unsupported.map((n) => n.opType))].sort().join(", ");
    throw new ZkError(
      "UNSUPPORTED_OP",
      `${what}: ${unsupported.length} node(s) use ops zkinfer does not support (${types}): ${list.join(", ")}`,
    );
  }

  const notes: string[] = [];
  const ctx = new ImportContext(opset, model.initializers);
  const inputs: ValueSpec[] = [];
  for (const vi of model.inputs) {
    if (model.initializers.has(vi.name)) continue; // IR < 4 lists initializers as inputs too
    if (vi.elemType !== DataType.FLOAT && vi.elemType !== DataType.DOUBLE && vi.elemType !== DataType.FLOAT16) {
      throw new ZkError(
        "UNSUPPORTED_OP",
        `${what}: input "${vi.name}" has element type ${vi.elemType}; only float inputs are supported`,
      );
    }
    if (!vi.dims)
      throw new ZkError(
        "BAD_MODEL",
        `${what}: input "${vi.name}" has no shape; export the model with a static input shape`,
      );
    const shape = vi.dims.map((d) => {
      if (typeof d === "number" && d > 0) return d;
      notes.push(`input "${vi.name}": dimension ${JSON.stringify(d)} is not fixed; using 1`);
      return 1;
    });
    ctx.defineInput(vi.name, shape);
    inputs.push({ name: vi.name, shape });
  }
  if (inputs.length !== 1) {
    throw new ZkError(
      "UNSUPPORTED_OP",
      `${what}: the model has ${inputs.length} inputs (${inputs.map((i) => i.name).join(", ") || "none"}); exactly one is supported`,
    );
  }

  for (const node of model.nodes) {
    try {
      OP_HANDLERS.get(node.opType)!(ctx, node);
    } catch (e) {
      if (isZkError(e)) throw e;
      // a corrupt model can trip a handler in ways its checks did not foresee
      throw new ZkError("BAD_MODEL", `${what}: node "${node.name}" (${node.opType}): ${describeError(e)}`, {
        cause: e,
      });
    }
    for (const out of node.outputs) {
      if (out && !ctx.lookup(out) && !ctx.pendingQuantize.has(out))
        throw new ZkError(
          "BAD_MODEL",
          `${what}: node "${node.name}" (${node.opType}) did not define its output "${out}"`,
        );
    }
  }

  if (model.outputs.length === 0) throw new ZkError("BAD_MODEL", `${what}: the graph has no outputs`);
  const outputs: ValueSpec[] = model.outputs.map((vi) => {
    const op = ctx.lookup(vi.name);
    if (!op && ctx.pendingQuantize.has(vi.name)) {
      throw new ZkError(
        "UNSUPPORTED_OP",
        `${what}: output "${vi.name}" is the integer output of QuantizeLinear "${ctx.pendingQuantize.get(vi.name)!.nodeName}"; only QuantizeLinear → DequantizeLinear pairs (QDQ format) are supported`,
      );
    }
    if (!op) throw new ZkError("BAD_MODEL", `${what}: output "${vi.name}" is not produced by any node`);
    if (op.constant && op.constant.data.length === 0)
      throw new ZkError(
        "UNSUPPORTED_OP",
        `${what}: output "${vi.name}" is empty (${shapeStr(op.shape)}); a circuit needs at least one output value`,
      );
    if (op.constant)
      throw new ZkError(
        "UNSUPPORTED_OP",
        `${what}: output "${vi.name}" does not depend on the input (it is a constant)`,
      );
    if (vi.dims && vi.dims.every((d) => typeof d === "number" && d > 0)) {
      const declared = vi.dims as number[];
      // a declared scalar is computed as [1] (a circuit value has at least one axis)
      const scalar = declared.length === 0 && op.shape.length === 1 && op.shape[0] === 1;
      if (!scalar && (declared.length !== op.shape.length || declared.some((d, i) => d !== op.shape[i]))) {
        throw new ZkError(
          "BAD_MODEL",
          `${what}: output "${vi.name}" is declared ${shapeStr(declared)} but computes to ${shapeStr(op.shape)}`,
        );
      }
    }
    return { name: op.name, shape: op.shape };
  });

  const folded = foldRoots(
    centerVariances(foldAffines({ inputs, outputs, nodes: liveNodes(ctx.nodes, outputs), shapes: ctx.shapes })),
  );
  // the variance's E[x²] and E[x]² terms are left unused by centerVariances
  const graph = { ...folded, nodes: liveNodes(folded.nodes, outputs) };
  return { graph, opset, producer: model.producer, notes };
}

/** Nodes some output depends on, in their original (topological) order. */
function liveNodes(nodes: readonly Node[], outputs: readonly ValueSpec[]): Node[] {
  const needed = new Set(outputs.map((o) => o.name));
  const keep = new Array<boolean>(nodes.length).fill(false);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (!needed.has(n.output)) continue;
    keep[i] = true;
    for (const inp of n.inputs) needed.add(inp);
  }
  return nodes.filter((_, i) => keep[i]);
}
