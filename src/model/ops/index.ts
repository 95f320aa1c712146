/**
 * The ONNX op registry: op type → handler. Each handler validates its node, infers its output
 * shape and lowers it to primitives. An op type missing here is reported, with every other
 * unsupported node, in one error before any handler runs.
 */
import type { OpHandler } from "../context.js";
import { Gemm, MatMul } from "./gemm.js";
import { Conv } from "./conv.js";
import { ConvTranspose } from "./conv-transpose.js";
import { Einsum } from "./einsum.js";
import { Abs, Max, Min, Neg, Pow } from "./elementwise.js";
import { Expand, Split, Tile, Where } from "./movement.js";
import { Resize, Upsample } from "./resize.js";
import { AveragePool, GlobalAveragePool, GlobalMaxPool, MaxPool } from "./pool.js";
import { Add, Div, Mul, Reciprocal, Sqrt, Sub } from "./arithmetic.js";
import {
  Clip,
  Erf,
  Exp,
  Gelu,
  HardSigmoid,
  HardSwish,
  LeakyRelu,
  Log,
  LogSoftmax,
  Relu,
  Sigmoid,
  Softmax,
  Tanh,
} from "./activation.js";
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
import { ArgMax, ArgMin, ReduceL2, ReduceMax, ReduceMean, ReduceSum, ReduceSumSquare } from "./reduce.js";
import { BatchNormalization, GroupNormalization, InstanceNormalization, LayerNormalization } from "./normalization.js";
import { DequantizeLinear, QuantizeLinear } from "./quant.js";
import { Cast, Constant, ConstantOfShape, Range, Shape, Size } from "./constant.js";

export const OP_HANDLERS: ReadonlyMap<string, OpHandler> = new Map<string, OpHandler>([
  // linear with constants: free in the circuit
  ["Gemm", Gemm],
  ["MatMul", MatMul],
  ["Conv", Conv],
  ["ConvTranspose", ConvTranspose],
  ["Einsum", Einsum],
  ["BatchNormalization", BatchNormalization],
  ["Add", Add],
  ["Sub", Sub],
  ["Mul", Mul],
  ["Div", Div],
  ["Neg", Neg],
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
  ["Split", Split],
  ["Expand", Expand],
  ["Tile", Tile],
  ["Where", Where],
  ["Resize", Resize],
  ["Upsample", Upsample],
  // non-linear: constrained
  ["Relu", Relu],
  ["Clip", Clip],
  ["HardSigmoid", HardSigmoid],
  ["HardSwish", HardSwish],
  ["Abs", Abs],
  ["Max", Max],
  ["Min", Min],
  ["Pow", Pow],
  ["LeakyRelu", LeakyRelu],
  ["Sigmoid", Sigmoid],
  ["Tanh", Tanh],
  ["Exp", Exp],
  ["Log", Log],
  ["Erf", Erf],
  ["Gelu", Gelu],
  ["Softmax", Softmax],
  ["LogSoftmax", LogSoftmax],
  ["MaxPool", MaxPool],
  ["GlobalMaxPool", GlobalMaxPool],
  ["ReduceMax", ReduceMax],
  ["ReduceSumSquare", ReduceSumSquare],
  ["ReduceL2", ReduceL2],
  ["ArgMax", ArgMax],
  ["ArgMin", ArgMin],
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
  ["Range", Range],
  ["Shape", Shape],
  ["Size", Size],
  ["Cast", Cast],
]);
