/**
 * The graph's parameter-carrying nodes (Gemm, Conv, and the affine ops BatchNormalization and
 * friends lower to): what --param-visibility hides and what a params commitment binds, by
 * graph position and output name, to the nodes of a verifier's copy of the model.
 */
import type { Graph, Node, Tensor } from "./graph.js";
import type { ParamEntry } from "../meta/model.js";
import { ZkError } from "../errors.js";

export function paramNodes(graph: Pick<Graph, "nodes">): Node[] {
  return graph.nodes.filter((n) => n.op.kind === "gemm" || n.op.kind === "conv" || n.op.kind === "affine");
}

/**
 * ONNX allows two nodes of one name, which would let one layer's weights be checked against
 * another's: refuse such models, at compile and at verify.
 */
export function refuseDuplicateParamNodes(nodes: readonly Node[], file: string): void {
  const seen = new Set<string>();
  for (const n of nodes) {
    const key = `${n.op.kind}\u0000${n.name}`;
    if (seen.has(key))
      throw new ZkError(
        "BAD_MODEL",
        `${file}: two ${n.op.kind} nodes are both named "${n.name}"; a parameter commitment could not tell their weights apart (rename one)`,
      );
    seen.add(key);
  }
}

/** The parameter tensor `part` of a parameter node (null if it has none). */
export function paramTensorOf(node: Node, part: ParamEntry["part"]): Tensor | null {
  const op = node.op;
  if (op.kind === "gemm" || op.kind === "conv") return part === "weight" ? op.weight : part === "bias" ? op.bias : null;
  if (op.kind === "affine") return part === "mul" ? op.mul : part === "add" ? op.add : null;
  return null;
}

/**
 * Binds another copy of the model (a verifier's, or a prover's with new weights) to a circuit's
 * parameter entries by graph position and output name: the k-th parameter node must compute
 * the same value with the same op as the k-th node the circuit took parameters from. Returns
 * each entry's float tensor from `graph`.
 */
export function bindParams(
  entries: readonly ParamEntry[],
  graph: Pick<Graph, "nodes">,
  file: string,
): { entry: ParamEntry; node: Node; tensor: Tensor }[] {
  const nodes = paramNodes(graph);
  refuseDuplicateParamNodes(nodes, file);
  const outputs = [...new Set(entries.map((p) => p.output))];
  if (nodes.length !== outputs.length) {
    throw new ZkError(
      "BAD_MODEL",
      `${file}: ${nodes.length} nodes with parameters, the circuit has ${outputs.length}: not the architecture this circuit was compiled for`,
    );
  }
  return entries.map((p) => {
    const k = outputs.indexOf(p.output);
    const node = nodes[k]!;
    if (node.output !== p.output || node.op.kind !== p.kind) {
      throw new ZkError(
        "BAD_MODEL",
        `${file}: parameter node ${k + 1} is ${node.op.kind} "${node.name}" computing "${node.output}", the circuit's is ${p.kind} "${p.node}" computing "${p.output}": not the architecture this circuit was compiled for`,
      );
    }
    const tensor = paramTensorOf(node, p.part);
    if (!tensor)
      throw new ZkError(
        "BAD_MODEL",
        `${file}: node "${node.name}" (${p.kind}) has no ${p.part}: not the architecture this circuit was compiled for`,
      );
    if (tensor.data.length !== p.count)
      throw new ZkError(
        "BAD_MODEL",
        `${file}: node "${node.name}" ${p.part} has ${tensor.data.length} values, the circuit ${p.count}`,
      );
    return { entry: p, node, tensor };
  });
}
