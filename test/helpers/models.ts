/** Small ONNX models, one or a few ops each, shared by the import and compile tests. */
import { DataType, intTensor, randomTensor, type EncodeModel } from "./onnx.js";

/** One-op models checked against onnxruntime. */
export interface OpCase {
  readonly name: string;
  readonly inShape: number[];
  readonly build: (r: () => number) => Omit<EncodeModel, "inputs">;
  /** the input range to draw from (default [-1, 1]) */
  readonly range?: [number, number];
}

const f = (name: string, v: number) => ({ name, shape: [], data: [v] });

export const OP_CASES: OpCase[] = [
  {
    name: "Gemm transB, alpha, beta, row bias",
    inShape: [3, 5],
    build: (r) => ({
      initializers: [randomTensor("W", [4, 5], r), randomTensor("C", [4], r)],
      nodes: [
        {
          opType: "Gemm",
          inputs: ["x", "W", "C"],
          outputs: ["y"],
          attrs: { transB: 1, alpha: { float: 0.5 }, beta: { float: 2 } },
        },
      ],
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
      nodes: [
        {
          opType: "Conv",
          inputs: ["x", "W", "B"],
          outputs: ["y"],
          attrs: { strides: [2, 1], pads: [1, 0, 2, 1], dilations: [2, 1], group: 2 },
        },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Conv SAME_UPPER, no bias",
    inShape: [2, 1, 5, 5],
    build: (r) => ({
      initializers: [randomTensor("W", [3, 1, 2, 2], r)],
      nodes: [
        { opType: "Conv", inputs: ["x", "W"], outputs: ["y"], attrs: { auto_pad: "SAME_UPPER", strides: [2, 2] } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "MaxPool with padding, stride and ceil_mode",
    inShape: [1, 2, 7, 6],
    build: () => ({
      initializers: [],
      nodes: [
        {
          opType: "MaxPool",
          inputs: ["x"],
          outputs: ["y"],
          attrs: { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 1, 1, 0], ceil_mode: 1 },
        },
      ],
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
  {
    name: "AveragePool with padding, count_include_pad 0 and 1",
    inShape: [1, 2, 7, 6],
    build: () => ({
      initializers: [],
      nodes: [
        {
          opType: "AveragePool",
          inputs: ["x"],
          outputs: ["a"],
          attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
        },
        {
          opType: "AveragePool",
          inputs: ["x"],
          outputs: ["b"],
          attrs: { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 0, 1], count_include_pad: 1 },
        },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"] },
        { opType: "Concat", inputs: ["fa", "fb"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "GlobalAveragePool and GlobalMaxPool, 2×2 average exact",
    inShape: [2, 3, 5, 4],
    build: () => ({
      initializers: [],
      nodes: [
        { opType: "GlobalAveragePool", inputs: ["x"], outputs: ["a"] },
        { opType: "GlobalMaxPool", inputs: ["x"], outputs: ["m"] },
        { opType: "AveragePool", inputs: ["x"], outputs: ["p"], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { opType: "Flatten", inputs: ["p"], outputs: ["fp"] },
        { opType: "Add", inputs: ["a", "m"], outputs: ["am"] },
        { opType: "Flatten", inputs: ["am"], outputs: ["fam"] },
        { opType: "Concat", inputs: ["fam", "fp"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Pad (constant value, asymmetric, negative) then Conv",
    inShape: [1, 2, 5, 5],
    build: (r) => ({
      initializers: [
        intTensor("pads", [0, 0, 2, -1, 0, 0, 1, 3]),
        { name: "v", shape: [], data: [0.5] },
        randomTensor("W", [3, 2, 3, 3], r),
      ],
      nodes: [
        { opType: "Pad", inputs: ["x", "pads", "v"], outputs: ["p"] },
        { opType: "Conv", inputs: ["p", "W"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "BatchNormalization folded into Conv, and standalone on the input",
    inShape: [2, 3, 4, 4],
    build: (r) => ({
      initializers: [
        randomTensor("s0", [3], r),
        randomTensor("b0", [3], r),
        randomTensor("m0", [3], r),
        { name: "v0", shape: [3], data: [0.5, 1.5, 2] },
        randomTensor("W", [4, 3, 3, 3], r),
        randomTensor("B", [4], r),
        randomTensor("s1", [4], r),
        randomTensor("b1", [4], r),
        randomTensor("m1", [4], r),
        { name: "v1", shape: [4], data: [1, 2, 0.25, 0.7] },
      ],
      nodes: [
        { opType: "BatchNormalization", inputs: ["x", "s0", "b0", "m0", "v0"], outputs: ["n0"] },
        { opType: "Conv", inputs: ["n0", "W", "B"], outputs: ["c"], attrs: { pads: [1, 1, 1, 1] } },
        {
          opType: "BatchNormalization",
          inputs: ["c", "s1", "b1", "m1", "v1"],
          outputs: ["n1"],
          attrs: { epsilon: { float: 1e-3 } },
        },
        { opType: "Relu", inputs: ["n1"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Add, Sub, Mul of two computed tensors with broadcasting",
    inShape: [2, 3, 5],
    build: (r) => ({
      initializers: [intTensor("axes", [1]), randomTensor("W", [5, 5], r)],
      nodes: [
        { opType: "ReduceMean", inputs: ["x"], outputs: ["m"], attrs: { axes: [1] } },
        { opType: "MatMul", inputs: ["x", "W"], outputs: ["xw"] },
        { opType: "Add", inputs: ["xw", "m"], outputs: ["a"] },
        { opType: "Sub", inputs: ["m", "x"], outputs: ["s"] },
        { opType: "Mul", inputs: ["a", "s"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "MatMul of two computed tensors (attention scores) with Softmax",
    inShape: [2, 4, 6],
    build: (r) => ({
      initializers: [randomTensor("Wq", [6, 3], r), randomTensor("Wk", [6, 3], r), randomTensor("Wv", [6, 3], r)],
      nodes: [
        { opType: "MatMul", inputs: ["x", "Wq"], outputs: ["q"] },
        { opType: "MatMul", inputs: ["x", "Wk"], outputs: ["k"] },
        { opType: "MatMul", inputs: ["x", "Wv"], outputs: ["v"] },
        { opType: "Transpose", inputs: ["k"], outputs: ["kt"], attrs: { perm: [0, 2, 1] } },
        { opType: "MatMul", inputs: ["q", "kt"], outputs: ["s"] },
        { opType: "Softmax", inputs: ["s"], outputs: ["p"], attrs: { axis: -1 } },
        { opType: "MatMul", inputs: ["p", "v"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Transpose, Slice (steps, negative), Gather (2-D indices), Concat, Squeeze, Unsqueeze",
    inShape: [2, 5, 4],
    build: () => ({
      initializers: [
        intTensor("st", [4, 0]),
        intTensor("en", [0, 3]),
        intTensor("ax", [1, 2]),
        intTensor("sp", [-2, 1]),
        { name: "gi", shape: [2, 2], data: [-1, 0, 2, 2], dataType: DataType.INT64 },
        intTensor("u", [0]),
      ],
      nodes: [
        { opType: "Transpose", inputs: ["x"], outputs: ["t"], attrs: { perm: [2, 0, 1] } },
        { opType: "Slice", inputs: ["x", "st", "en", "ax", "sp"], outputs: ["s"] },
        { opType: "Gather", inputs: ["s", "gi"], outputs: ["g"], attrs: { axis: 2 } },
        { opType: "Flatten", inputs: ["t"], outputs: ["ft"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["g"], outputs: ["fg"], attrs: { axis: 0 } },
        { opType: "Concat", inputs: ["ft", "fg"], outputs: ["c"], attrs: { axis: 1 } },
        { opType: "Squeeze", inputs: ["c", "u"], outputs: ["sq"] },
        { opType: "Unsqueeze", inputs: ["sq", "u"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    // what torch exports for x.chunk(2, dim=1) (ShuffleNetV2), F.pad's ConstantOfShape, an empty slice, constants in Concat
    name: "chunk's shape arithmetic (integer Div), Slice past the end, Concat with constants, ConstantOfShape",
    inShape: [1, 6, 2, 2],
    build: (r) => ({
      initializers: [
        intTensor("one", [1]),
        intTensor("two", [2]),
        intTensor("zero", [0]),
        intTensor("far", [10]),
        intTensor("farther", [20]),
        intTensor("ushape", [1, 1, 2, 2]),
        randomTensor("k", [1, 2, 2, 2], r),
      ],
      nodes: [
        { opType: "Shape", inputs: ["x"], outputs: ["s"] },
        { opType: "Gather", inputs: ["s", "one"], outputs: ["c"], attrs: { axis: 0 } },
        { opType: "Add", inputs: ["c", "one"], outputs: ["c1"] },
        { opType: "Div", inputs: ["c1", "two"], outputs: ["half"] }, // (6 + 1) / 2 = 3 in int64
        { opType: "Mul", inputs: ["half", "two"], outputs: ["end"] },
        { opType: "Slice", inputs: ["x", "zero", "half", "one"], outputs: ["a"] },
        { opType: "Slice", inputs: ["x", "half", "end", "one"], outputs: ["b"] },
        { opType: "Slice", inputs: ["x", "far", "farther", "one"], outputs: ["empty"] },
        {
          opType: "ConstantOfShape",
          inputs: ["ushape"],
          outputs: ["u"],
          attrs: { value: { name: "v", shape: [1], data: [0.5] } },
        },
        { opType: "Concat", inputs: ["b", "empty", "k", "a"], outputs: ["y"], attrs: { axis: 1 } },
        { opType: "Concat", inputs: ["u", "a", "u"], outputs: ["y2"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }, { name: "y2" }],
    }),
  },
  {
    name: "Clip (Relu6), LeakyRelu",
    inShape: [3, 7],
    range: [-8, 8],
    build: (r) => ({
      initializers: [f("lo", 0), f("hi", 6), f("lo2", -2.5), randomTensor("W", [7, 7], r)],
      nodes: [
        { opType: "Clip", inputs: ["x", "lo", "hi"], outputs: ["c"] },
        { opType: "MatMul", inputs: ["c", "W"], outputs: ["m"] },
        { opType: "LeakyRelu", inputs: ["m"], outputs: ["l"], attrs: { alpha: { float: 0.1 } } },
        { opType: "Clip", inputs: ["l", "lo2"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Sigmoid, Tanh, Exp",
    inShape: [2, 9],
    range: [-4, 4],
    build: (r) => ({
      initializers: [randomTensor("W", [9, 9], r)],
      nodes: [
        { opType: "Sigmoid", inputs: ["x"], outputs: ["s"] },
        { opType: "MatMul", inputs: ["x", "W"], outputs: ["m"] },
        { opType: "Tanh", inputs: ["m"], outputs: ["t"] },
        { opType: "Exp", inputs: ["x"], outputs: ["e"] },
        { opType: "Concat", inputs: ["s", "t", "e"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Erf, Gelu (opset 20, both forms), GELU as PyTorch exports it",
    inShape: [2, 8],
    range: [-3, 3],
    build: () => ({
      opset: 20,
      initializers: [f("sqrt2", Math.SQRT2), f("one", 1), f("half", 0.5)],
      nodes: [
        { opType: "Erf", inputs: ["x"], outputs: ["e"] },
        { opType: "Gelu", inputs: ["x"], outputs: ["g"] },
        { opType: "Gelu", inputs: ["x"], outputs: ["gt"], attrs: { approximate: "tanh" } },
        { opType: "Div", inputs: ["x", "sqrt2"], outputs: ["d"] },
        { opType: "Erf", inputs: ["d"], outputs: ["ed"] },
        { opType: "Add", inputs: ["ed", "one"], outputs: ["a"] },
        { opType: "Mul", inputs: ["x", "a"], outputs: ["xa"] },
        { opType: "Mul", inputs: ["xa", "half"], outputs: ["pg"] },
        { opType: "Concat", inputs: ["e", "g", "gt", "pg"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Softmax over a middle axis (opset 13) and coerced 2-D (opset 11)",
    inShape: [2, 3, 4],
    range: [-3, 3],
    build: () => ({
      opset: 11,
      initializers: [],
      nodes: [{ opType: "Softmax", inputs: ["x"], outputs: ["y"], attrs: { axis: 1 } }],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "ReduceSum, ReduceMean, ReduceMax (keepdims 0), ArgMax",
    inShape: [3, 4, 5],
    build: () => ({
      initializers: [intTensor("ax", [0, 2]), intTensor("u0", [0])],
      nodes: [
        { opType: "ReduceSum", inputs: ["x", "ax"], outputs: ["s"], attrs: { keepdims: 0 } },
        { opType: "ReduceMean", inputs: ["x"], outputs: ["m"], attrs: { axes: [1], keepdims: 0 } },
        { opType: "ReduceMax", inputs: ["x"], outputs: ["x2"], attrs: { axes: [2], keepdims: 0 } },
        { opType: "ArgMax", inputs: ["x"], outputs: ["am"], attrs: { axis: 1, keepdims: 0 } },
        { opType: "Flatten", inputs: ["m"], outputs: ["fm"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["x2"], outputs: ["fx"], attrs: { axis: 0 } },
        { opType: "Unsqueeze", inputs: ["s", "u0"], outputs: ["us"] },
        { opType: "Concat", inputs: ["us", "fm", "fx"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }, { name: "am", elemType: DataType.INT64 }],
    }),
  },
  {
    name: "QDQ model: quantized input, int8 per-channel Conv weights, quantized activations",
    inShape: [1, 2, 6, 6],
    build: (r) => ({
      initializers: [
        f("xs", 1 / 64),
        { name: "xz", shape: [], data: [128], dataType: DataType.UINT8 },
        {
          name: "Wq",
          shape: [3, 2, 3, 3],
          data: Array.from({ length: 54 }, () => Math.round(r() * 254 - 127)),
          dataType: DataType.INT8,
        },
        { name: "ws", shape: [3], data: [0.004, 0.007, 0.002] },
        { name: "wz", shape: [3], data: [0, 0, 0], dataType: DataType.INT8 },
        f("as", 0.05),
        { name: "az", shape: [], data: [0], dataType: DataType.INT8 },
      ],
      nodes: [
        { opType: "QuantizeLinear", inputs: ["x", "xs", "xz"], outputs: ["xq"] },
        { opType: "DequantizeLinear", inputs: ["xq", "xs", "xz"], outputs: ["xd"] },
        { opType: "DequantizeLinear", inputs: ["Wq", "ws", "wz"], outputs: ["W"], attrs: { axis: 0 } },
        { opType: "Conv", inputs: ["xd", "W"], outputs: ["c"] },
        { opType: "QuantizeLinear", inputs: ["c", "as", "az"], outputs: ["cq"] },
        { opType: "DequantizeLinear", inputs: ["cq", "as", "az"], outputs: ["cd"] },
        { opType: "Relu", inputs: ["cd"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "LayerNormalization (opset 17) over the last axis, with Scale and B",
    inShape: [2, 3, 8],
    build: (r) => ({
      opset: 17,
      initializers: [randomTensor("g", [8], r), randomTensor("b", [8], r)],
      nodes: [
        {
          opType: "LayerNormalization",
          inputs: ["x", "g", "b"],
          outputs: ["y"],
          attrs: { axis: -1, epsilon: { float: 1e-5 } },
        },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "LayerNorm as opset 13 exports it: ReduceMean, Sub, Pow 2, ReduceMean, Add ε, Sqrt, Div, Mul, Add",
    inShape: [4, 6],
    build: (r) => ({
      opset: 13,
      initializers: [f("two", 2), f("eps", 1e-5), randomTensor("g", [6], r), randomTensor("b", [6], r)],
      nodes: [
        { opType: "ReduceMean", inputs: ["x"], outputs: ["mu"], attrs: { axes: [-1] } },
        { opType: "Sub", inputs: ["x", "mu"], outputs: ["d"] },
        { opType: "Mul", inputs: ["d", "d"], outputs: ["sq"] },
        { opType: "ReduceMean", inputs: ["sq"], outputs: ["v"], attrs: { axes: [-1] } },
        { opType: "Add", inputs: ["v", "eps"], outputs: ["ve"] },
        { opType: "Sqrt", inputs: ["ve"], outputs: ["sd"] },
        { opType: "Div", inputs: ["d", "sd"], outputs: ["n"] },
        { opType: "Mul", inputs: ["n", "g"], outputs: ["m"] },
        { opType: "Add", inputs: ["m", "b"], outputs: ["y"] },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Sqrt, Reciprocal, Div by a computed tensor, a constant over a computed tensor (of u = x² + 0.5)",
    inShape: [2, 5],
    build: () => ({
      initializers: [f("c", 3), f("half", 0.5)],
      nodes: [
        { opType: "Mul", inputs: ["x", "x"], outputs: ["x2"] },
        { opType: "Add", inputs: ["x2", "half"], outputs: ["u"] },
        { opType: "Sqrt", inputs: ["u"], outputs: ["s"] },
        { opType: "Reciprocal", inputs: ["u"], outputs: ["r"] },
        { opType: "Div", inputs: ["x", "u"], outputs: ["q"] },
        { opType: "Div", inputs: ["c", "u"], outputs: ["k"] },
        { opType: "Add", inputs: ["s", "r"], outputs: ["a1"] },
        { opType: "Add", inputs: ["q", "k"], outputs: ["a2"] },
        { opType: "Concat", inputs: ["a1", "a2"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "InstanceNormalization and GroupNormalization (opset 18: per-group scale)",
    inShape: [1, 4, 3, 3],
    build: (r) => ({
      opset: 18,
      initializers: [
        randomTensor("s", [4], r),
        randomTensor("b", [4], r),
        randomTensor("gs", [2], r),
        randomTensor("gb", [2], r),
      ],
      nodes: [
        {
          opType: "InstanceNormalization",
          inputs: ["x", "s", "b"],
          outputs: ["i"],
          attrs: { epsilon: { float: 1e-5 } },
        },
        { opType: "GroupNormalization", inputs: ["i", "gs", "gb"], outputs: ["y"], attrs: { num_groups: 2 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "HardSigmoid after a Conv, HardSwish, Neg, Abs",
    inShape: [1, 2, 5, 5],
    range: [-4, 4],
    build: (r) => ({
      opset: 14,
      initializers: [randomTensor("W", [3, 2, 3, 3], r)],
      nodes: [
        { opType: "Conv", inputs: ["x", "W"], outputs: ["c"] },
        {
          opType: "HardSigmoid",
          inputs: ["c"],
          outputs: ["hs"],
          attrs: { alpha: { float: 0.3 }, beta: { float: 0.4 } },
        },
        { opType: "HardSwish", inputs: ["x"], outputs: ["hw"] },
        { opType: "Neg", inputs: ["x"], outputs: ["n"] },
        { opType: "Abs", inputs: ["c"], outputs: ["a"] },
        { opType: "Flatten", inputs: ["hs"], outputs: ["f1"] },
        { opType: "Flatten", inputs: ["hw"], outputs: ["f2"] },
        { opType: "Flatten", inputs: ["n"], outputs: ["f3"] },
        { opType: "Flatten", inputs: ["a"], outputs: ["f4"] },
        { opType: "Concat", inputs: ["f1", "f2", "f3", "f4"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Max and Min: two computed, a scalar constant, a constant tensor, variadic with broadcasting",
    inShape: [2, 3, 4],
    build: (r) => ({
      initializers: [
        randomTensor("W", [4, 4], r),
        f("q", 0.25),
        randomTensor("c", [3, 1], r),
        randomTensor("c4", [4], r),
      ],
      nodes: [
        { opType: "MatMul", inputs: ["x", "W"], outputs: ["m"] },
        { opType: "Max", inputs: ["x", "m"], outputs: ["a"] },
        { opType: "Min", inputs: ["m", "x"], outputs: ["b"] },
        { opType: "Max", inputs: ["x", "q"], outputs: ["d"] },
        { opType: "Min", inputs: ["c", "x"], outputs: ["e"] },
        { opType: "Max", inputs: ["c4", "x"], outputs: ["g"] },
        { opType: "Min", inputs: ["x", "m", "c4", "q"], outputs: ["h"] },
        { opType: "Concat", inputs: ["a", "b", "d", "e", "g", "h"], outputs: ["y"], attrs: { axis: 2 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Where with a constant condition: computed, constant-tensor and scalar operands, broadcasting",
    inShape: [2, 3, 4],
    build: (r) => ({
      initializers: [
        { name: "cond", shape: [3, 4], data: [1, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1], dataType: DataType.BOOL },
        { name: "row", shape: [1, 4], data: [0, 1, 1, 0], dataType: DataType.BOOL },
        randomTensor("W", [4, 4], r),
        randomTensor("k", [4], r),
        f("half", 0.5),
      ],
      nodes: [
        { opType: "MatMul", inputs: ["x", "W"], outputs: ["m"] },
        { opType: "Where", inputs: ["cond", "x", "m"], outputs: ["a"] },
        { opType: "Where", inputs: ["cond", "k", "x"], outputs: ["b"] },
        { opType: "Where", inputs: ["row", "half", "m"], outputs: ["c"] },
        { opType: "Concat", inputs: ["a", "b", "c"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Split (the split input, equal parts), Expand, Tile (odd repeats)",
    inShape: [2, 3, 4],
    build: () => ({
      initializers: [intTensor("sp", [1, 3]), intTensor("shape", [2, 2, 3, 4]), intTensor("rep", [1, 3, 2])],
      nodes: [
        { opType: "Split", inputs: ["x", "sp"], outputs: ["s1", "s2"], attrs: { axis: 2 } },
        { opType: "Split", inputs: ["x"], outputs: ["e1", "e2"] },
        { opType: "Expand", inputs: ["s1", "shape"], outputs: ["ex"] },
        { opType: "Tile", inputs: ["s2", "rep"], outputs: ["t"] },
        { opType: "Sub", inputs: ["e2", "e1"], outputs: ["d"] },
        { opType: "Flatten", inputs: ["ex"], outputs: ["f1"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["t"], outputs: ["f2"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["d"], outputs: ["f3"], attrs: { axis: 0 } },
        { opType: "Concat", inputs: ["f1", "f2", "f3"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Split with num_outputs (opset 18, a shorter last part), Tile of a 1-element axis",
    inShape: [2, 5, 1],
    build: () => ({
      opset: 18,
      initializers: [intTensor("rep", [2, 1, 3])],
      nodes: [
        { opType: "Split", inputs: ["x"], outputs: ["a", "b", "c"], attrs: { axis: 1, num_outputs: 3 } },
        { opType: "Tile", inputs: ["c", "rep"], outputs: ["t"] },
        { opType: "Add", inputs: ["a", "b"], outputs: ["ab"] },
        { opType: "Flatten", inputs: ["ab"], outputs: ["f1"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["t"], outputs: ["f2"], attrs: { axis: 0 } },
        { opType: "Concat", inputs: ["f1", "f2"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Pow 2, ReduceSumSquare, Range (folded) as an addend",
    inShape: [2, 3, 4],
    build: () => ({
      initializers: [
        f("two", 2),
        { name: "r0", shape: [], data: [-1], dataType: DataType.INT64 },
        { name: "r1", shape: [], data: [3], dataType: DataType.INT64 },
        { name: "rd", shape: [], data: [1], dataType: DataType.INT64 },
      ],
      nodes: [
        { opType: "Pow", inputs: ["x", "two"], outputs: ["p"] },
        { opType: "ReduceSumSquare", inputs: ["x"], outputs: ["s"], attrs: { axes: [1] } },
        { opType: "Range", inputs: ["r0", "r1", "rd"], outputs: ["ri"] },
        { opType: "Cast", inputs: ["ri"], outputs: ["rf"], attrs: { to: DataType.FLOAT } },
        { opType: "Add", inputs: ["s", "rf"], outputs: ["sr"] },
        { opType: "Concat", inputs: ["p", "sr"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "ConvTranspose: strides, asymmetric pads, output_padding, dilations, groups, bias",
    inShape: [1, 4, 3, 4],
    build: (r) => ({
      initializers: [randomTensor("W", [4, 3, 3, 2], r), randomTensor("B", [6], r)],
      nodes: [
        {
          opType: "ConvTranspose",
          inputs: ["x", "W", "B"],
          outputs: ["y"],
          attrs: { strides: [2, 3], pads: [1, 0, 0, 1], output_padding: [1, 0], dilations: [1, 2], group: 2 },
        },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "ConvTranspose: SAME_UPPER (odd total padding), output_shape, pads that crop past the kernel",
    inShape: [1, 2, 3, 3],
    build: (r) => ({
      initializers: [randomTensor("W", [2, 2, 3, 3], r), randomTensor("W2", [2, 1, 2, 2], r)],
      nodes: [
        {
          opType: "ConvTranspose",
          inputs: ["x", "W"],
          outputs: ["a"],
          attrs: { auto_pad: "SAME_UPPER", strides: [2, 2] },
        },
        {
          opType: "ConvTranspose",
          inputs: ["x", "W"],
          outputs: ["b"],
          attrs: { strides: [3, 2], output_shape: [10, 8] },
        },
        {
          opType: "ConvTranspose",
          inputs: ["x", "W2"],
          outputs: ["c"],
          attrs: { pads: [2, 0, 1, 1], strides: [1, 2] },
        },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"] },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"] },
        { opType: "Concat", inputs: ["fa", "fb", "fc"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "1-D Conv, ConvTranspose, MaxPool and AveragePool on (N, C, L)",
    inShape: [2, 3, 11],
    build: (r) => ({
      initializers: [randomTensor("W", [4, 3, 3], r), randomTensor("B", [4], r), randomTensor("Wt", [3, 2, 4], r)],
      nodes: [
        {
          opType: "Conv",
          inputs: ["x", "W", "B"],
          outputs: ["c"],
          attrs: { strides: [2], pads: [1, 2], dilations: [2] },
        },
        { opType: "ConvTranspose", inputs: ["x", "Wt"], outputs: ["t"], attrs: { strides: [2], pads: [1, 0] } },
        { opType: "MaxPool", inputs: ["x"], outputs: ["m"], attrs: { kernel_shape: [3], strides: [2], pads: [1, 1] } },
        {
          opType: "AveragePool",
          inputs: ["x"],
          outputs: ["a"],
          attrs: { kernel_shape: [2], strides: [3], pads: [1, 0], count_include_pad: 1 },
        },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"] },
        { opType: "Flatten", inputs: ["t"], outputs: ["ft"] },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Concat", inputs: ["fc", "ft", "fa"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      // the padded MaxPool is an output of its own: concatenated with a linear value, a padded
      // max pool's hashed output fails the opening audit with a private input (2-D too, see
      // docs/real-architectures-status.md)
      outputs: [{ name: "y" }, { name: "m" }],
    }),
  },
  {
    name: "3-D Conv (strides, pads, groups), MaxPool and AveragePool on (N, C, D, H, W)",
    inShape: [1, 2, 4, 5, 4],
    build: (r) => ({
      initializers: [randomTensor("W", [4, 1, 2, 3, 2], r), randomTensor("B", [4], r)],
      nodes: [
        {
          opType: "Conv",
          inputs: ["x", "W", "B"],
          outputs: ["c"],
          attrs: { strides: [2, 1, 2], pads: [1, 1, 0, 0, 1, 1], group: 2 },
        },
        { opType: "MaxPool", inputs: ["x"], outputs: ["m"], attrs: { kernel_shape: [2, 2, 2], strides: [2, 2, 2] } },
        {
          opType: "AveragePool",
          inputs: ["x"],
          outputs: ["a"],
          attrs: { kernel_shape: [3, 1, 2], pads: [1, 0, 0, 1, 0, 1] },
        },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"] },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Concat", inputs: ["fc", "fa"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }, { name: "m" }], // (as in the 1-D case)
    }),
  },
  {
    name: "Resize nearest: half_pixel ×2 (scales), asymmetric floor and align_corners ceil (sizes), tf_crop_and_resize",
    inShape: [1, 2, 4, 5],
    build: () => ({
      initializers: [
        { name: "up", shape: [4], data: [1, 1, 2, 2] },
        intTensor("down", [1, 2, 3, 7]),
        { name: "roi", shape: [8], data: [0, 0, 0.2, 0.1, 1, 1, 0.9, 1.3] },
        intTensor("crop", [1, 2, 3, 4]),
      ],
      nodes: [
        { opType: "Resize", inputs: ["x", "", "up"], outputs: ["a"], attrs: { mode: "nearest" } },
        {
          opType: "Resize",
          inputs: ["x", "", "", "down"],
          outputs: ["b"],
          attrs: { coordinate_transformation_mode: "asymmetric", nearest_mode: "floor" },
        },
        {
          opType: "Resize",
          inputs: ["x", "", "", "down"],
          outputs: ["c"],
          attrs: { coordinate_transformation_mode: "align_corners", nearest_mode: "ceil" },
        },
        {
          opType: "Resize",
          inputs: ["x", "roi", "", "crop"],
          outputs: ["d"],
          attrs: { coordinate_transformation_mode: "tf_crop_and_resize", extrapolation_value: { float: -0.5 } },
        },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"] },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"] },
        { opType: "Flatten", inputs: ["d"], outputs: ["fd"] },
        { opType: "Concat", inputs: ["fa", "fb", "fc", "fd"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Resize nearest, odd cases: pytorch_half_pixel to length 1, tf_half_pixel_for_nn, round_prefer_ceil, scales 1.7 and 0.6",
    inShape: [1, 3, 5, 4],
    build: () => ({
      initializers: [{ name: "odd", shape: [4], data: [1, 1, 1.7, 0.6] }, intTensor("one", [1, 3, 1, 7])],
      nodes: [
        {
          opType: "Resize",
          inputs: ["x", "", "odd"],
          outputs: ["a"],
          attrs: { coordinate_transformation_mode: "tf_half_pixel_for_nn", nearest_mode: "round_prefer_ceil" },
        },
        {
          opType: "Resize",
          inputs: ["x", "", "", "one"],
          outputs: ["b"],
          attrs: { coordinate_transformation_mode: "pytorch_half_pixel" },
        },
        { opType: "Resize", inputs: ["x", "", "odd"], outputs: ["c"] },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"] },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"] },
        { opType: "Concat", inputs: ["fa", "fb", "fc"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Resize linear and cubic: half_pixel ×2, align_corners to 0.6, exclude_outside, tf_crop_and_resize's outside",
    inShape: [1, 2, 4, 5],
    build: () => ({
      initializers: [
        { name: "up", shape: [4], data: [1, 1, 2, 2] },
        { name: "down", shape: [4], data: [1, 1, 0.6, 0.6] },
        { name: "roi", shape: [8], data: [0, 0, -0.25, 0.2, 1, 1, 0.9, 1.3] },
        intTensor("crop", [1, 2, 3, 4]),
      ],
      nodes: [
        { opType: "Resize", inputs: ["x", "", "up"], outputs: ["a"], attrs: { mode: "linear" } },
        {
          opType: "Resize",
          inputs: ["x", "", "down"],
          outputs: ["b"],
          attrs: { mode: "linear", coordinate_transformation_mode: "align_corners" },
        },
        {
          opType: "Resize",
          inputs: ["x", "", "up"],
          outputs: ["c"],
          attrs: { mode: "cubic", cubic_coeff_a: -0.5, exclude_outside: 1 },
        },
        {
          opType: "Resize",
          inputs: ["x", "roi", "", "crop"],
          outputs: ["d"],
          attrs: { mode: "linear", coordinate_transformation_mode: "tf_crop_and_resize", extrapolation_value: 0.5 },
        },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"] },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"] },
        { opType: "Flatten", inputs: ["d"], outputs: ["fd"] },
        { opType: "Concat", inputs: ["fa", "fb", "fc", "fd"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Einsum diagonals: ...ii->...i, a trace, a diagonal against a computed operand",
    inShape: [2, 3, 3],
    build: () => ({
      initializers: [],
      nodes: [
        { opType: "Einsum", inputs: ["x"], outputs: ["a"], attrs: { equation: "...ii->...i" } },
        { opType: "Einsum", inputs: ["x"], outputs: ["b"], attrs: { equation: "bii" } },
        { opType: "Einsum", inputs: ["x", "x"], outputs: ["c"], attrs: { equation: "bij,bjj->bi" } },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"] },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"] },
        { opType: "Concat", inputs: ["fa", "fb", "fc"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Einsum: batched QKᵀ (computed), weights (constant), transpose with ..., a sum",
    inShape: [2, 3, 4],
    build: (r) => ({
      initializers: [randomTensor("W", [4, 5], r)],
      nodes: [
        { opType: "Einsum", inputs: ["x", "x"], outputs: ["a"], attrs: { equation: "bij,bkj->bik" } },
        { opType: "Einsum", inputs: ["x", "W"], outputs: ["b"], attrs: { equation: "bij,jk->bki" } },
        { opType: "Einsum", inputs: ["x"], outputs: ["c"], attrs: { equation: "...ij->...ji" } },
        { opType: "Einsum", inputs: ["x"], outputs: ["d"], attrs: { equation: "bij->bj" } },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"] },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"] },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"] },
        { opType: "Flatten", inputs: ["d"], outputs: ["fd"] },
        { opType: "Concat", inputs: ["fa", "fb", "fc", "fd"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Einsum, odd cases: a constant first operand with a batch only on the right, implicit output, an outer product",
    inShape: [2, 3, 4],
    build: (r) => ({
      initializers: [randomTensor("A", [5, 3], r), randomTensor("v", [2], r)],
      nodes: [
        { opType: "Einsum", inputs: ["A", "x"], outputs: ["a"], attrs: { equation: "ij,bjk->bik" } },
        { opType: "Einsum", inputs: ["x", "A"], outputs: ["b"], attrs: { equation: "bjk,ij" } },
        { opType: "Einsum", inputs: ["v", "x"], outputs: ["c"], attrs: { equation: "p,bjk->pbkj" } },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"], attrs: { axis: 0 } },
        { opType: "Concat", inputs: ["fa", "fb", "fc"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "MatMul against batched constants: per-batch weights, broadcast batch, constant on the left, batch-1 weights",
    inShape: [2, 3, 4],
    build: (r) => ({
      initializers: [
        randomTensor("B", [2, 4, 5], r),
        randomTensor("A", [3, 1, 2, 3], r),
        randomTensor("B1", [1, 4, 2], r),
      ],
      nodes: [
        { opType: "MatMul", inputs: ["x", "B"], outputs: ["a"] },
        { opType: "MatMul", inputs: ["A", "x"], outputs: ["b"] },
        { opType: "MatMul", inputs: ["x", "B1"], outputs: ["c"] },
        { opType: "Flatten", inputs: ["a"], outputs: ["fa"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["b"], outputs: ["fb"], attrs: { axis: 0 } },
        { opType: "Flatten", inputs: ["c"], outputs: ["fc"], attrs: { axis: 0 } },
        { opType: "Concat", inputs: ["fa", "fb", "fc"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "ArgMax and ArgMin with select_last_index (ties from a Clip), ArgMin",
    inShape: [3, 4, 5],
    build: () => ({
      initializers: [f("lo", -0.3), f("hi", 0.3)],
      nodes: [
        { opType: "Clip", inputs: ["x", "lo", "hi"], outputs: ["c"] },
        { opType: "ArgMax", inputs: ["c"], outputs: ["a"], attrs: { axis: 2, select_last_index: 1 } },
        { opType: "ArgMin", inputs: ["c"], outputs: ["b"], attrs: { axis: 1, keepdims: 0, select_last_index: 1 } },
        { opType: "ArgMin", inputs: ["x"], outputs: ["m"], attrs: { axis: 0 } },
      ],
      outputs: [
        { name: "a", elemType: DataType.INT64 },
        { name: "b", elemType: DataType.INT64 },
        { name: "m", elemType: DataType.INT64 },
      ],
    }),
  },
  {
    name: "Pow 0.5, −0.5, −1 (of u = x² + 0.5), 1, 3 and 0; ReduceL2 over an axis and over everything",
    inShape: [2, 5],
    build: () => ({
      initializers: [f("half", 0.5), f("p05", 0.5), f("m05", -0.5), f("m1", -1), f("p1", 1), f("p3", 3), f("p0", 0)],
      nodes: [
        { opType: "Mul", inputs: ["x", "x"], outputs: ["x2"] },
        { opType: "Add", inputs: ["x2", "half"], outputs: ["u"] },
        { opType: "Pow", inputs: ["u", "p05"], outputs: ["a"] },
        { opType: "Pow", inputs: ["u", "m05"], outputs: ["b"] },
        { opType: "Pow", inputs: ["u", "m1"], outputs: ["c"] },
        { opType: "Pow", inputs: ["x", "p1"], outputs: ["d"] },
        { opType: "Pow", inputs: ["x", "p3"], outputs: ["e"] },
        { opType: "Pow", inputs: ["x", "p0"], outputs: ["one"] },
        { opType: "Add", inputs: ["e", "one"], outputs: ["e1"] },
        { opType: "ReduceL2", inputs: ["x"], outputs: ["l"], attrs: { axes: [1] } },
        { opType: "ReduceL2", inputs: ["x"], outputs: ["l0"], attrs: { keepdims: 0 } },
        { opType: "Add", inputs: ["l", "l0"], outputs: ["ll"] },
        { opType: "Concat", inputs: ["a", "b", "c", "d", "e1", "ll"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Pow 4 and 5, and exponents per element (0, 2, 6, 1 and −2 of u = x² + 0.5)",
    inShape: [2, 5],
    build: () => ({
      initializers: [f("half", 0.5), f("p4", 4), f("p5", 5), { name: "each", shape: [5], data: [0, 2, 6, 1, -2] }],
      nodes: [
        { opType: "Pow", inputs: ["x", "p4"], outputs: ["a"] },
        { opType: "Pow", inputs: ["x", "p5"], outputs: ["b"] },
        { opType: "Mul", inputs: ["x", "x"], outputs: ["x2"] },
        { opType: "Add", inputs: ["x2", "half"], outputs: ["u"] },
        { opType: "Pow", inputs: ["u", "each"], outputs: ["c"] },
        { opType: "Concat", inputs: ["a", "b", "c"], outputs: ["y"], attrs: { axis: 1 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "Log (of u = x² + 0.5), LogSoftmax over the last axis of a computed tensor",
    inShape: [2, 3, 4],
    range: [-2, 2],
    build: (r) => ({
      initializers: [f("half", 0.5), randomTensor("W", [4, 4], r)],
      nodes: [
        { opType: "Mul", inputs: ["x", "x"], outputs: ["x2"] },
        { opType: "Add", inputs: ["x2", "half"], outputs: ["u"] },
        { opType: "Log", inputs: ["u"], outputs: ["g"] },
        { opType: "MatMul", inputs: ["x", "W"], outputs: ["m"] },
        { opType: "LogSoftmax", inputs: ["m"], outputs: ["s"], attrs: { axis: -1 } },
        { opType: "Concat", inputs: ["g", "s"], outputs: ["y"], attrs: { axis: 2 } },
      ],
      outputs: [{ name: "y" }],
    }),
  },
  {
    name: "LogSoftmax at opset 11: over every axis from axis 1 on",
    inShape: [2, 3, 4],
    range: [-3, 3],
    build: () => ({
      opset: 11,
      initializers: [],
      nodes: [{ opType: "LogSoftmax", inputs: ["x"], outputs: ["y"], attrs: { axis: 1 } }],
      outputs: [{ name: "y" }],
    }),
  },
  {
    // the function body of LayerNormalization (opset 17), as ONNX's own `_expanded` tests write it:
    // the variance as E[x²] − E[x]², its square root both divided by and inverted (InvStdDev)
    name: "LayerNorm as ONNX's function body: E[x²] − E[x]², Sqrt, Div and Reciprocal of σ, Mean and InvStdDev outputs",
    inShape: [3, 8],
    build: (r) => ({
      opset: 13,
      initializers: [f("eps", 1e-5), randomTensor("g", [8], r), randomTensor("b", [8], r)],
      nodes: [
        { opType: "ReduceMean", inputs: ["x"], outputs: ["mu"], attrs: { axes: [1] } },
        { opType: "Mul", inputs: ["x", "x"], outputs: ["sq"] },
        { opType: "ReduceMean", inputs: ["sq"], outputs: ["msq"], attrs: { axes: [1] } },
        { opType: "Mul", inputs: ["mu", "mu"], outputs: ["sqm"] },
        { opType: "Sub", inputs: ["msq", "sqm"], outputs: ["v"] },
        { opType: "Add", inputs: ["v", "eps"], outputs: ["ve"] },
        { opType: "Sqrt", inputs: ["ve"], outputs: ["sd"] },
        { opType: "Sub", inputs: ["x", "mu"], outputs: ["d"] },
        { opType: "Div", inputs: ["d", "sd"], outputs: ["n"] },
        { opType: "Mul", inputs: ["n", "g"], outputs: ["m"] },
        { opType: "Add", inputs: ["m", "b"], outputs: ["y"] },
        { opType: "Reciprocal", inputs: ["sd"], outputs: ["inv"] },
      ],
      outputs: [{ name: "y" }, { name: "mu" }, { name: "inv" }],
    }),
  },
];
