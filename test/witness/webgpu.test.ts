/**
 * The webgpu backend gives the js reference's .wtns, byte for byte, on every op model and
 * every bundled fixture (also hashed and with private params), for random inputs: in Node on
 * whatever adapter Dawn finds (the software one, llvmpipe, in CI). The number formats are
 * checked by forcing wide arithmetic (2, 3 and 7 limbs) on today's small plans and by widening
 * a plan's bounds (its calls then need 2–3 limbs), and the per-call fallback by capping the
 * width at one limb, which sends those wider steps to the reference. Without an adapter these tests are skipped, unless ZKINFER_REQUIRE_WEBGPU=1
 * (set by .ci/run) makes that a failure.
 */
import { describe, expect, it } from "vitest";
import { nodeDevice, nodeGpu } from "../../src/witness/backends/webgpu/node-gpu.js";
import { openWebgpu } from "../../src/witness/backends/webgpu/generator.js";
import { witnessGenerator, type WitnessGenerator } from "../../src/witness/witness.js";
import type { Profile } from "../../src/witness/backend.js";
import { expectSameWitnesses, witnessCases, type WitnessCase } from "../helpers/witness-cases.js";
import { encodeOnnx } from "../helpers/onnx.js";
import { compileModel, DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { quantizeInput, qinputOf } from "../../src/quantize/input.js";

const gpu = await nodeGpu();
if (gpu.adapters.length === 0 && process.env.ZKINFER_REQUIRE_WEBGPU === "1")
  throw new Error(`ZKINFER_REQUIRE_WEBGPU=1 but ${gpu.problem}`);
const cases = witnessCases();

async function against(c: WitnessCase, runs: number, limbs?: { min?: number; max?: number }, profile?: Profile) {
  const gens: WitnessGenerator[] = [
    await witnessGenerator(c.plan, { backend: "js" }),
    await witnessGenerator(c.plan, { backend: "webgpu", limbs, profile }),
  ];
  try {
    await expectSameWitnesses(c, gens, runs);
  } finally {
    await Promise.all(gens.map((g) => g.close()));
  }
}

describe.skipIf(gpu.adapters.length === 0)(
  `webgpu and js agree byte for byte (${gpu.adapters[0]?.description})`,
  () => {
    for (const c of cases) it(c.name, () => against(c, 2));
  },
);

describe.skipIf(gpu.adapters.length === 0)("webgpu number formats", () => {
  const fixtures = cases.filter((c) => c.fixture && !c.name.includes("("));
  for (const min of [2, 3, 7]) {
    for (const c of fixtures) it(`${c.name}, every call at ≥ ${min} limbs`, () => against(c, 1, { min }));
  }
  it("every op model at ≥ 2 limbs", async () => {
    for (const c of cases.filter((x) => !x.fixture)) await against(c, 1, { min: 2 });
  });
  for (const c of fixtures) {
    it(`${c.name} with bounds widened 2^24× and 2^40×: on kernels at 2–3 limbs, or on the reference when capped at one`, async () => {
      for (const shift of [24, 40]) {
        const wide = widened(c, 2 ** shift);
        const onKernels: Profile = new Map();
        await against(wide, 1, {}, onKernels);
        expect([...onKernels.keys()].filter((k) => k.startsWith("js:"))).toEqual([]);
        const capped: Profile = new Map();
        await against(wide, 1, { max: 1 }, capped);
        expect([...capped.keys()]).toEqual(expect.arrayContaining(["js:input", "js:linear", "js:requant", "js:emit"]));
      }
    });
  }
});

describe.skipIf(gpu.adapters.length === 0)("webgpu wire windows", () => {
  // a binding of the wire buffer spans at most 256 wires: every kernel that writes more splits
  // into dispatches, as the large models' do at the device's real limit (128 MiB here)
  for (const c of cases.filter((x) => x.fixture || x.name.startsWith("MaxPool") || x.name.startsWith("Clip")))
    it(`${c.name}, in windows of 256 wires`, async () => {
      const { device } = await nodeDevice();
      const gens: WitnessGenerator[] = [
        await witnessGenerator(c.plan, { backend: "js" }),
        await openWebgpu(c.plan, device, { windowWires: 256 }),
      ];
      try {
        await expectSameWitnesses(c, gens, 1);
      } finally {
        await Promise.all(gens.map((g) => g.close()));
      }
    });
});

describe.skipIf(gpu.adapters.length === 0)("webgpu wire windows too small for one item", () => {
  it("cancer_logreg in windows of 8 wires: its sigmoid (over 8 wires per element) runs on the reference", async () => {
    const c = cases.find((x) => x.name === "cancer_logreg")!;
    const { device } = await nodeDevice();
    const profile: Profile = new Map();
    const gens: WitnessGenerator[] = [
      await witnessGenerator(c.plan, { backend: "js" }),
      await openWebgpu(c.plan, device, { windowWires: 8, profile }),
    ];
    try {
      await expectSameWitnesses(c, gens, 2);
    } finally {
      await Promise.all(gens.map((g) => g.close()));
    }
    expect(profile.has("js:requant")).toBe(true);
  });
});

/**
 * The same plan with every tensor's bounds `factor` times wider: still true bounds, but as a
 * wider plan (the real-architectures issue's) would state them, so its calls need wider formats.
 */
function widened(c: WitnessCase, factor: number): WitnessCase {
  const tensors = c.plan.tensors.map((t) => ({ ...t, lo: t.lo * factor, hi: t.hi * factor }));
  return { ...c, name: `${c.name} widened`, plan: { ...c.plan, tensors } };
}

describe.skipIf(gpu.adapters.length === 0)("webgpu activation windows", () => {
  // y = relu(x0 + x1) (then its square root, a step on the reference): calibrated on x0 ≈ -x1,
  // so x0 = x1 = 1.2 drives the rescale before the relu outside its window
  const calibration = {
    inputs: [
      [1, -1],
      [0.5, -0.5],
      [-1, 1],
      [0.9, -0.8],
      [0, 0],
    ],
  };
  const models = {
    "a windowed rescale on the kernels": [{ opType: "Relu", inputs: ["h"], outputs: ["y"] }],
    "a windowed rescale, then a step on the reference": [
      { opType: "Relu", inputs: ["h"], outputs: ["a"] },
      { opType: "Sqrt", inputs: ["a"], outputs: ["y"] },
    ],
  };
  for (const [name, tail] of Object.entries(models))
    it(`${name}: an input inside every window gives js's witness; one outside is refused in js's words`, async () => {
      const model = encodeOnnx({
        inputs: [{ name: "x", shape: [1, 2] }],
        initializers: [{ name: "W1", shape: [2, 1], data: [1, 1] }],
        nodes: [{ opType: "MatMul", inputs: ["x", "W1"], outputs: ["h"] }, ...tail],
        outputs: [{ name: "y" }],
      });
      const c = compileModel(model, calibration, DEFAULT_COMPILE, { model: "m.onnx", calibration: "c.json" });
      const plan = c.circuit.plan;
      expect(plan.steps.some((s) => s.kind === "requant" && s.window)).toBe(true);
      const q = (x: number[]) => quantizeInput(x, qinputOf(c.meta.input), false).tensor;
      const profile: Profile = new Map();
      const js = await witnessGenerator(plan, { backend: "js" });
      const gpu = await witnessGenerator(plan, { backend: "webgpu", profile });
      try {
        const inside = q([0.5, -0.4]);
        const [a, b] = [await js.witness(inside), await gpu.witness(inside)];
        expect(Buffer.compare(Buffer.from(a.wtns), Buffer.from(b.wtns))).toBe(0);
        expect(profile.has("js:requant")).toBe(false); // the window is checked on the GPU
        const outside = q([1.2, 1.2]);
        const refusal = await js.witness(outside).then(
          () => null,
          (e: Error) => e.message,
        );
        expect(refusal).toMatch(/node "Relu_\d+" \(Relu\): this input drives element 0 of its input to \d+, outside/);
        await expect(gpu.witness(outside)).rejects.toThrow(refusal!);
        // and the generator still works after a refusal
        expect(Buffer.compare(Buffer.from((await gpu.witness(inside)).wtns), Buffer.from(a.wtns))).toBe(0);
      } finally {
        await Promise.all([js.close(), gpu.close()]);
      }
    });
});
