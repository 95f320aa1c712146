/** Activations that are primitives. */
import type { OpHandler } from "../context.js";

export const Relu: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  ctx.emit(node, { kind: "relu" }, [x], x.shape, node.outputs[0]!);
};
