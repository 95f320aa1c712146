/** Small ONNX models, one or a few ops each, shared by the import and compile tests. */
import { intTensor, randomTensor, type EncodeModel } from "./onnx.js";

/** One-op models checked against onnxruntime. */
export const OP_CASES: { name: string; inShape: number[]; build: (r: () => number) => Omit<EncodeModel, "inputs"> }[] = [
  {
    name: "Gemm transB, alpha, beta, row bias",
    inShape: [3, 5],
    build: (r) => ({
      initializers: [randomTensor("W", [4, 5], r), randomTensor("C", [4], r)],
      nodes: [{ opType: "Gemm", inputs: ["x", "W", "C"], outputs: ["y"], attrs: { transB: 1, alpha: { float: 0.5 }, beta: { float: 2 } } }],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Gemm with a full [M, N] C",
    inShape: [2, 3],
    build: (r) => ({
      initializers: [randomTensor("W", [3, 4], r), randomTensor("C", [2, 4], r)],
      nodes: [{ opType: "Gemm", inputs: ["x", "W", "C"], outputs: ["y"] }],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "MatMul (3-D input) + Add + Relu",
    inShape: [2, 3, 7],
    build: (r) => ({
      initializers: [randomTensor("W", [7, 5], r), randomTensor("b", [5], r)],
      nodes: [
        { opType: "MatMul", inputs: ["x", "W"], outputs: ["m"] },
        { opType: "Add", inputs: ["b", "m"], outputs: ["a"] },
        { opType: "Relu", inputs: ["a"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Conv stride 2, asymmetric pads, dilation 2, groups",
    inShape: [1, 4, 9, 8],
    build: (r) => ({
      initializers: [randomTensor("W", [6, 2, 3, 2], r), randomTensor("B", [6], r)],
      nodes: [{ opType: "Conv", inputs: ["x", "W", "B"], outputs: ["y"], attrs: { strides: [2, 1], pads: [1, 0, 2, 1], dilations: [2, 1], group: 2 } }],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Conv SAME_UPPER, no bias",
    inShape: [2, 1, 5, 5],
    build: (r) => ({
      initializers: [randomTensor("W", [3, 1, 2, 2], r)],
      nodes: [{ opType: "Conv", inputs: ["x", "W"], outputs: ["y"], attrs: { auto_pad: "SAME_UPPER", strides: [2, 2] } }],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "MaxPool with padding, stride and ceil_mode",
    inShape: [1, 2, 7, 6],
    build: () => ({
      initializers: [],
      nodes: [{ opType: "MaxPool", inputs: ["x"], outputs: ["y"], attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 1, 1, 0], ceil_mode: 1 } }],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Flatten, Reshape (-1 and 0), Identity, Sub/Mul/Div by constants",
    inShape: [2, 3, 4],
    build: (r) => ({
      initializers: [intTensor("shape", [0, -1]), randomTensor("s", [1, 4], r), randomTensor("k", [1], r)],
      nodes: [
        { opType: "Flatten", inputs: ["x"], outputs: ["f"], attrs: { axis: 2 } },
        { opType: "Reshape", inputs: ["f", "shape"], outputs: ["r"] },
        { opType: "Identity", inputs: ["r"], outputs: ["i"] },
        { opType: "Sub", inputs: ["s", "i"], outputs: ["d"] },
        { opType: "Mul", inputs: ["d", "k"], outputs: ["m"] },
        { opType: "Div", inputs: ["m", "k"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
];

