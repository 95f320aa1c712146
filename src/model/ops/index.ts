/**
 * The ONNX op registry: op type → handler. Each handler validates its node, infers its output
 * shape and lowers it to primitives. An op type missing here is reported, with every other
 * unsupported node, in one error before any handler runs.
 */
import type { OpHandler } from "../context.js";
import { Gemm, MatMul } from "./gemm.js";
import { Conv } from "./conv.js";
import { MaxPool } from "./pool.js";
import { Add, Div, Mul, Sub } from "./arithmetic.js";
import { Relu } from "./activation.js";
import { Dropout, Flatten, Identity, Reshape, Squeeze, Unsqueeze } from "./layout.js";
import { Constant, Shape } from "./constant.js";

export const OP_HANDLERS: ReadonlyMap<string, OpHandler> = new Map<string, OpHandler>([
  ["Gemm", Gemm],
  ["MatMul", MatMul],
  ["Conv", Conv],
  ["MaxPool", MaxPool],
  ["Add", Add],
  ["Sub", Sub],
  ["Mul", Mul],
  ["Div", Div],
  ["Relu", Relu],
  ["Identity", Identity],
  ["Dropout", Dropout],
  ["Flatten", Flatten],
  ["Reshape", Reshape],
  ["Squeeze", Squeeze],
  ["Unsqueeze", Unsqueeze],
  ["Constant", Constant],
  ["Shape", Shape],
]);
