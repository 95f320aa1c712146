/**
 * The ONNX op registry: op type → handler. Each handler validates its node, infers its output
 * shape and lowers it to primitives. An op type missing here is reported, with every other
 * unsupported node, in one error before any handler runs.
 */
import type { OpHandler } from "../context.js";
import { Gemm, MatMul } from "./gemm.js";
import { Conv } from "./conv.js";
import { AveragePool, GlobalAveragePool, GlobalMaxPool, MaxPool } from "./pool.js";
import { Add, Div, Mul, Reciprocal, Sqrt, Sub } from "./arithmetic.js";
import { Clip, Erf, Exp, Gelu, LeakyRelu, Relu, Sigmoid, Softmax, Tanh } from "./activation.js";
import {
  Concat,
  Dropout,
  Flatten,
  Gather,
  Identity,
  Pad,
  Reshape,
  Slice,
  Squeeze,
  Transpose,
  Unsqueeze,
} from "./layout.js";
import { ArgMax, ReduceMax, ReduceMean, ReduceSum } from "./reduce.js";
import { BatchNormalization, GroupNormalization, InstanceNormalization, LayerNormalization } from "./normalization.js";
import { DequantizeLinear, QuantizeLinear } from "./quant.js";
import { Cast, Constant, ConstantOfShape, Shape } from "./constant.js";

export const OP_HANDLERS: ReadonlyMap<string, OpHandler> = new Map<string, OpHandler>([
  // linear with constants: free in the circuit
  ["Gemm", Gemm],
  ["MatMul", MatMul],
  ["Conv", Conv],
  ["BatchNormalization", BatchNormalization],
  ["Add", Add],
  ["Sub", Sub],
  ["Mul", Mul],
  ["Div", Div],
  ["AveragePool", AveragePool],
  ["GlobalAveragePool", GlobalAveragePool],
  ["ReduceSum", ReduceSum],
  ["ReduceMean", ReduceMean],
  // data movement: free
  ["Identity", Identity],
  ["Dropout", Dropout],
  ["Flatten", Flatten],
  ["Reshape", Reshape],
  ["Squeeze", Squeeze],
  ["Unsqueeze", Unsqueeze],
  ["Transpose", Transpose],
  ["Slice", Slice],
  ["Gather", Gather],
  ["Concat", Concat],
  ["Pad", Pad],
  // non-linear: constrained
  ["Relu", Relu],
  ["Clip", Clip],
  ["LeakyRelu", LeakyRelu],
  ["Sigmoid", Sigmoid],
  ["Tanh", Tanh],
  ["Exp", Exp],
  ["Erf", Erf],
  ["Gelu", Gelu],
  ["Softmax", Softmax],
  ["MaxPool", MaxPool],
  ["GlobalMaxPool", GlobalMaxPool],
  ["ReduceMax", ReduceMax],
  ["ArgMax", ArgMax],
  ["Sqrt", Sqrt],
  ["Reciprocal", Reciprocal],
  ["LayerNormalization", LayerNormalization],
  ["InstanceNormalization", InstanceNormalization],
  ["GroupNormalization", GroupNormalization],
  // quantized (QDQ) models
  ["QuantizeLinear", QuantizeLinear],
  ["DequantizeLinear", DequantizeLinear],
  // constants and shape arithmetic
  ["Constant", Constant],
  ["ConstantOfShape", ConstantOfShape],
  ["Shape", Shape],
  ["Cast", Cast],
]);
