/**
 * QDQ-format quantized models: DequantizeLinear of a constant (quantized weights) folds to
 * the float tensor it stands for; QuantizeLinear followed by DequantizeLinear on a computed
 * tensor is the `fakequant` primitive, whose rounding grid and saturation the compiled model
 * keeps exactly as the model specifies them (no re-calibration of that tensor).
 */
import type { ImportContext, OpHandler } from "../context.js";
import type { Tensor } from "../graph.js";
import type { OnnxNode } from "../onnx.js";
import { DataType } from "../onnx.js";
import { roundHalfEven } from "../evaluate.js";
import { normAxis } from "./layout.js";

const RANGES: Record<number, [number, number]> = {
  [DataType.UINT8]: [0, 255],
  [DataType.INT8]: [-128, 127],
  [DataType.UINT16]: [0, 65535],
  [DataType.INT16]: [-32768, 32767],
};

interface QParams {
  scale: Tensor;
  zeroPoint: Tensor | null;
  axis: number;
  range: [number, number];
}

function qparams(ctx: ImportContext, node: OnnxNode, rank: number): QParams {
  const scale = ctx.constant(node, 1, "y_scale / x_scale");
  const zp = ctx.optionalOperand(node, 2);
  if (zp && !zp.constant) throw ctx.unsupported(node, "a computed zero point");
  const type = zp?.constant?.dataType ?? DataType.UINT8;
  const range = RANGES[type];
  if (!range) throw ctx.unsupported(node, `quantized element type ${type} (int8, uint8, int16, uint16 are supported)`);
  if (scale.data.some((s) => !(s > 0))) throw ctx.error(node, "scales must be positive");
  // the axis only means something for per-axis scales (a 1-D tensor's default axis 1 is out of range)
  const perAxis = scale.data.length > 1;
  return {
    scale,
    zeroPoint: zp?.constant ?? null,
    axis: perAxis && rank ? normAxis(ctx, node, ctx.int(node, "axis", 1), rank) : 0,
    range,
  };
}

/** Per-tensor or per-axis: the scale and zero point that apply to flat index i. */
function paramAt(p: QParams, shape: readonly number[], i: number): [number, number] {
  if (p.scale.data.length === 1) return [p.scale.data[0]!, p.zeroPoint?.data[0] ?? 0];
  const inner = shape.slice(p.axis + 1).reduce((a, b) => a * b, 1);
  const c = Math.floor(i / inner) % shape[p.axis]!;
  return [p.scale.data[c]!, p.zeroPoint?.data[c] ?? 0];
}

export const QuantizeLinear: OpHandler = (ctx, node) => {
  const x = ctx.operand(node, 0);
  const p = qparams(ctx, node, x.shape.length);
  if (x.constant) {
    const data = x.constant.data.map((v, i) => {
      const [s, z] = paramAt(p, x.shape, i);
      return Math.min(Math.max(roundHalfEven(v / s) + z, p.range[0]), p.range[1]);
    });
    ctx.setConstant(node.outputs[0]!, { shape: x.shape, data, dataType: p.zeroPoint?.dataType ?? DataType.UINT8 });
    return;
  }
  if (p.scale.data.length !== 1) throw ctx.unsupported(node, "per-axis quantization of a computed tensor");
  ctx.pendingQuantize.set(node.outputs[0]!, {
    input: x.name,
    nodeName: node.name,
    scale: p.scale.data[0]!,
    zeroPoint: p.zeroPoint?.data[0] ?? 0,
    qmin: p.range[0],
    qmax: p.range[1],
  });
};

export const DequantizeLinear: OpHandler = (ctx, node) => {
  const q = ctx.pendingQuantize.get(node.inputs[0]!);
  if (q) {
    const p = qparams(ctx, node, 0);
    if (p.scale.data.length !== 1 || p.scale.data[0] !== q.scale || (p.zeroPoint?.data[0] ?? 0) !== q.zeroPoint) {
      throw ctx.unsupported(
        node,
        `a DequantizeLinear whose scale/zero point differ from its QuantizeLinear "${q.nodeName}"`,
      );
    }
    const x = ctx.lookup(q.input)!;
    ctx.emit(
      node,
      { kind: "fakequant", scale: q.scale, zeroPoint: q.zeroPoint, qmin: q.qmin, qmax: q.qmax },
      [x],
      x.shape,
      node.outputs[0]!,
    );
    return;
  }
  const x = ctx.operand(node, 0);
  if (!x.constant)
    throw ctx.unsupported(
      node,
      `input "${x.name}" is neither a constant nor the output of a QuantizeLinear (QDQ format expected)`,
    );
  const p = qparams(ctx, node, x.shape.length);
  const data = x.constant.data.map((v, i) => {
    const [s, z] = paramAt(p, x.shape, i);
    return (v - z) * s;
  });
  // symmetric weights keep their integers: a Conv/Gemm can use them exactly (see quantizedWeight)
  const symmetric = !p.zeroPoint || p.zeroPoint.data.every((z) => z === 0);
  const quantized = symmetric
    ? { ints: x.constant.data, scale: p.scale.data, axis: p.scale.data.length === 1 ? -1 : p.axis }
    : undefined;
  ctx.setConstant(node.outputs[0]!, { shape: x.shape, data, ...(quantized ? { quantized } : {}) });
};
