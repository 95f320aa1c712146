/**
 * The importer-only ops (lowered to existing primitives) in the opset forms test/helpers/models.ts
 * does not build: older and newer attributes, compared with onnxruntime where it runs them
 * (opset 7 and up) and with hand-computed values below that; and the forms zkinfer refuses,
 * each refused by name.
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../src/model/import.js";
import { runFloat } from "../../src/model/evaluate.js";
import { ZkError } from "../../src/errors.js";
import { DataType, encodeOnnx, intTensor, runOrt, type EncodeModel } from "../helpers/onnx.js";

function run(m: EncodeModel, x: number[]): number[][] {
  const { graph } = importOnnx(encodeOnnx(m), "test");
  const input = graph.inputs[0]!;
  const v = runFloat(graph, new Map([[input.name, { shape: input.shape, data: Float64Array.from(x) }]]));
  return graph.outputs.map((o) => Array.from(v.get(o.name)!.data));
}

async function matchesOrt(m: EncodeModel, x: number[]): Promise<void> {
  const want = await runOrt(encodeOnnx(m), Float32Array.from(x), [...(m.inputs[0]!.shape as number[])]);
  run(m, x).forEach((got, k) => {
    expect(got.length).toBe(want[k]!.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[k]![i]!, 6)); // onnxruntime computes in float32
  });
}

function errorOf(m: EncodeModel): string {
  try {
    importOnnx(encodeOnnx(m), "test");
  } catch (e) {
    expect(e).toBeInstanceOf(ZkError);
    return (e as ZkError).message;
  }
  throw new Error("expected an error");
}

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);
const single = (
  opset: number,
  shape: number[],
  opType: string,
  inputs: string[],
  attrs: EncodeModel["nodes"][number]["attrs"] = {},
  initializers: EncodeModel["initializers"] = [],
  outputs = ["y"],
): EncodeModel => ({
  opset,
  inputs: [{ name: "x", shape }],
  initializers,
  nodes: [{ opType, inputs, outputs, attrs, name: "n" }],
  outputs: outputs.map((name) => ({ name })),
});

describe("older and newer opset forms, against onnxruntime", () => {
  it("Pow with integer exponents, different per element (x^0 and x^−2 among them)", async () => {
    const e = { name: "e", shape: [6], data: [4, 5, 0, 2, -2, 1] };
    await matchesOrt(
      single(13, [2, 6], "Pow", ["x", "e"], {}, [e]),
      [1.5, -2, 3, 0.5, 2, -1.25, -1, 2, 1.1, 3, -0.5, 4],
    );
    const six = { name: "e", shape: [], data: [6] };
    await matchesOrt(single(13, [3], "Pow", ["x", "e"], {}, [six]), [1.5, -0.75, 2]);
  });

  it("Einsum diagonals and a trace", async () => {
    await matchesOrt(single(12, [2, 3, 3], "Einsum", ["x"], { equation: "...ii->...i" }), iota(18));
    await matchesOrt(single(12, [3, 3], "Einsum", ["x"], { equation: "ii" }), iota(9));
  });

  it("Resize linear and cubic, and Upsample linear (opset 9)", async () => {
    const up = { name: "s", shape: [4], data: [1, 1, 2, 1.5] };
    // small values: onnxruntime computes the weights in float32, within 5e-7 of ours here
    const eighths = iota(6).map((v) => v / 8);
    await matchesOrt(single(13, [1, 1, 2, 3], "Resize", ["x", "", "s"], { mode: "linear" }, [up]), eighths);
    await matchesOrt(single(13, [1, 1, 2, 3], "Resize", ["x", "", "s"], { mode: "cubic" }, [up]), eighths);
    const s9 = { name: "s", shape: [4], data: [1, 1, 2, 2] };
    await matchesOrt(single(9, [1, 1, 2, 3], "Upsample", ["x", "s"], { mode: "linear" }, [s9]), eighths);
  });

  it("Split with the split attribute (opset 11) and equal parts", async () => {
    await matchesOrt(single(11, [2, 6], "Split", ["x"], { axis: 1, split: [1, 2, 3] }, [], ["a", "b", "c"]), iota(12));
    await matchesOrt(single(11, [4, 3], "Split", ["x"], {}, [], ["a", "b"]), iota(12));
  });

  it("Upsample with the scales attribute (opset 7) and input (opset 9)", async () => {
    await matchesOrt(single(7, [1, 1, 2, 3], "Upsample", ["x"], { scales: { floats: [1, 1, 2, 1.5] } }), iota(6));
    const scales = { name: "s", shape: [4], data: [1, 2, 3, 2] };
    await matchesOrt(single(9, [1, 2, 2, 2], "Upsample", ["x", "s"], {}, [scales]), iota(8));
  });

  it("Resize at opset 10 (scales only; onnxruntime truncates when enlarging and ceils when shrinking)", async () => {
    const scales = { name: "s", shape: [4], data: [1, 1, 2.5, 0.5] };
    await matchesOrt(single(10, [1, 1, 3, 5], "Resize", ["x", "s"], { mode: "nearest" }, [scales]), iota(15));
  });

  it("Resize at opset 18 (axes, keep_aspect_ratio_policy) and 19 (half_pixel_symmetric)", async () => {
    const sizes = intTensor("z", [7, 3]);
    for (const policy of ["not_larger", "not_smaller"])
      await matchesOrt(
        single(18, [1, 1, 4, 5], "Resize", ["x", "", "", "z"], { axes: [2, 3], keep_aspect_ratio_policy: policy }, [
          sizes,
        ]),
        iota(20),
      );
    const scales = { name: "s", shape: [2], data: [1.6, 0.7] };
    await matchesOrt(
      single(
        19,
        [1, 2, 5, 4],
        "Resize",
        ["x", "", "s"],
        { axes: [2, 3], coordinate_transformation_mode: "half_pixel_symmetric" },
        [scales],
      ),
      iota(40),
    );
  });

  it("ReduceSumSquare with axes as an input (opset 18), ArgMin keepdims 0", async () => {
    await matchesOrt(
      single(18, [2, 3, 2], "ReduceSumSquare", ["x", "ax"], { keepdims: 0 }, [intTensor("ax", [-1])]),
      [1, -2, 3, 0.5, -1, 4, 2, 2, -3, 1, 0, 5],
    );
    const m = single(13, [2, 3], "ArgMin", ["x"], { axis: 1, keepdims: 0 });
    await matchesOrt({ ...m, outputs: [{ name: "y", elemType: DataType.INT64 }] }, [3, 1, 2, -1, 5, -1]);
  });

  it("HardSigmoid's defaults, Max and Min of one input, Expand to a smaller-rank shape", async () => {
    await matchesOrt(single(6, [5], "HardSigmoid", ["x"]), [-4, -1, 0, 1, 4]);
    await matchesOrt(single(13, [3], "Max", ["x"]), [1, -2, 3]);
    await matchesOrt(single(8, [3, 1], "Expand", ["x", "s"], {}, [intTensor("s", [2])]), [1, 2, 3]);
  });
});

describe("opsets below 7 (hand-computed)", () => {
  it("Tile's tiles and axis inputs (opset 1)", () => {
    const m = single(1, [2, 2], "Tile", ["x", "t", "a"], {}, [intTensor("t", [3]), intTensor("a", [1])]);
    expect(run(m, [1, 2, 3, 4])[0]).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
  });

  it("Upsample's height_scale and width_scale (opset 1)", () => {
    const m = single(1, [1, 1, 1, 2], "Upsample", ["x"], { height_scale: { float: 2 }, width_scale: { float: 2 } });
    expect(run(m, [5, 6])[0]).toEqual([5, 5, 6, 6, 5, 5, 6, 6]);
  });
});

describe("what is refused, by name", () => {
  it("Pow with an exponent it has no form for (alone or among others), or a computed one", () => {
    expect(errorOf(single(13, [2], "Pow", ["x", "e"], {}, [{ name: "e", shape: [], data: [1.5] }]))).toMatch(
      /node "n" \(Pow\): exponent 1\.5: a constant exponent must be an integer in −16\.\.16, 0\.5 or −0\.5/,
    );
    expect(errorOf(single(13, [3], "Pow", ["x", "e"], {}, [{ name: "e", shape: [3], data: [2, 17, 0.25] }]))).toMatch(
      /node "n" \(Pow\): exponent 17, 0\.25: a constant exponent must be/,
    );
    expect(errorOf(single(13, [2], "Pow", ["x", "x"]))).toMatch(/node "n" \(Pow\): a computed exponent/);
  });

  it("Where with a computed condition", () => {
    expect(errorOf(single(13, [2], "Where", ["x", "x", "x"]))).toMatch(/node "n" \(Where\): a computed condition/);
  });

  it("Einsum equations that are not a product, a transpose, a sum or a diagonal", () => {
    expect(errorOf(single(12, [3], "Einsum", ["x"], { equation: "i->ii" }))).toMatch(
      /node "n" \(Einsum\): equation "i->ii": a label repeats in the output/,
    );
    expect(errorOf(single(12, [3, 3], "Einsum", ["x", "x", "x"], { equation: "ij,jk,kl->il" }))).toMatch(
      /equation "ij,jk,kl->il": 3 operands/,
    );
  });

  it("Resize with antialias (opset 18), or a mode it does not know", () => {
    const s = { name: "s", shape: [4], data: [1, 1, 0.5, 0.5] };
    expect(errorOf(single(18, [1, 1, 4, 4], "Resize", ["x", "", "s"], { mode: "linear", antialias: 1 }, [s]))).toMatch(
      /node "n" \(Resize\): antialias=1/,
    );
    expect(errorOf(single(13, [1, 1, 4, 4], "Resize", ["x", "", "s"], { mode: "area" }, [s]))).toMatch(
      /\(Resize\): mode "area" \(nearest, linear and cubic are supported\)/,
    );
  });

  it("Range whose operands depend on the input (its length would too)", () => {
    const m = single(11, [1], "Range", ["x", "l", "d"], {}, [
      { name: "l", shape: [], data: [5] },
      { name: "d", shape: [], data: [1] },
    ]);
    expect(errorOf(m)).toMatch(
      /node "n" \(Range\): start \("x"\) is computed from the model input: the output's length would depend on the input/,
    );
  });
});
