/**
 * The webgpu backend's witness generator for one plan on one GPUDevice. Free of Node APIs: Node
 * gets its device from node-gpu.ts (the `webgpu` package), the proving page from navigator.gpu.
 *
 * Opening a plan uploads everything that does not change between witnesses once: a buffer per
 * tensor (reshapes share their input's) in its number format (formats.ts), the constants each
 * call binds (calls.ts), the wire buffer with wire 0 = 1, the parameters of every dispatch, and
 * the compiled pipelines. A witness then writes the input, encodes every step's dispatches into
 * one command buffer (the tensors stay on the GPU between steps), and reads back only the wire
 * vector and the outputs. A step the kernels do not take (lowering.ts: products, division,
 * argmax, commitments, or bounds wider than the kernels) runs on the js reference through the
 * shared fallback: its inputs are read back, its output written to its buffer, its wires laid
 * over the wire vector after the read-back. Same code, same bytes. A windowed rescale that
 * meets an input outside its window sets a flag; the flags are read back with the wires, and a
 * set one refuses the input with the reference's own error (the reference is rerun to name it).
 */
import { isWide, type PlanStep, type Salts, type WitnessPlan } from "../../../circuit/plan.js";
import type { WireSink } from "../../../circuit/wires.js";
import { ZkError } from "../../../errors.js";
import { FIELD_BYTES, writeBigField, writeSignedField } from "../../../field.js";
import { wtnsLayout, wtnsPrefix } from "../../../formats/wtns.js";
import { sizeOf } from "../../../model/shapes.js";
import type { Ints, IntTensor, PlanValue } from "../../../quantize/qgraph.js";
import type { Profile, WitnessGenerator, WitnessResult } from "../../backend.js";
import { runReference, type TensorIO } from "../../fallback.js";
import { WindowError } from "../../../quantize/window.js";
import { runPlanJs } from "../js/reference.js";
import { aliases, lowerPlan, stepInputs, stepOutput, type KernelCall } from "../../lowering.js";
import { WEBGPU_OPS, bindCall, type Context, type TensorRef, type Use } from "./calls.js";
import { fromLimbs, fromLimbsWide, planFormats, toLimbs, type FormatOptions } from "./formats.js";
import { KERNELS, WORKGROUP, shaderSource, uniformLayout, type BindingKind, type KernelName } from "./shaders.js";

// WebGPU's flag values (fixed by the standard; Node's `webgpu` package has no globals for them)
const STORAGE = 0x80,
  UNIFORM = 0x40,
  COPY_DST = 0x8,
  COPY_SRC = 0x4,
  MAP_READ_USAGE = 0x1,
  MAP_READ = 0x1,
  COMPUTE_STAGE = 0x4;

export interface WebgpuOptions extends FormatOptions {
  /**
   * accumulate time here (benchmarks): per kernel (each dispatch then runs on its own, so the
   * witness is slower), `gpu` (the read-back's wait), `io`, `js:<step>`
   */
  readonly profile?: Profile;
  /** called as each plan step starts, with its index */
  readonly onStep?: (i: number) => void;
  /** test-only: the most wires one binding of the wire buffer may span (default: the device's limit) */
  readonly windowWires?: number;
}

interface Dispatch {
  readonly kernel: KernelName;
  readonly pipeline: GPUComputePipeline;
  readonly bindGroup: GPUBindGroup;
  readonly x: number;
  readonly y: number;
}

type Action =
  | { readonly kind: "gpu"; readonly dispatches: readonly Dispatch[] }
  | { readonly kind: "reference"; readonly step: PlanStep };

/** Opens `plan` on `device`: uploads the constants and compiles the pipelines, once. */
export async function openWebgpu(
  plan: WitnessPlan,
  device: GPUDevice,
  opts: WebgpuOptions = {},
): Promise<WitnessGenerator> {
  const limits = device.limits;
  const formats = planFormats(plan, opts);
  const root = aliases(plan);
  const owned: GPUBuffer[] = [];
  const buffer = (bytes: number, usage: number, label: string) => {
    const b = device.createBuffer({ size: Math.ceil(Math.max(bytes, 16) / 16) * 16, usage, label });
    owned.push(b);
    return b;
  };
  const size = (t: number) => sizeOf(plan.tensors[t]!.shape);
  const tensorBytes = (t: number) => size(t) * formats.limbs(t) * 4;

  const wireBytes = plan.nWires * FIELD_BYTES;
  if (wireBytes > limits.maxBufferSize)
    throw new ZkError(
      "GPU",
      `the witness has ${plan.nWires} wires (${mb(wireBytes)}), more than this GPU's largest buffer (${mb(limits.maxBufferSize)}); use --backend wasm`,
    );
  device.pushErrorScope("validation");
  device.pushErrorScope("out-of-memory");
  const wires = buffer(wireBytes, STORAGE | COPY_SRC | COPY_DST, "wires");
  device.queue.writeBuffer(wires, 0, Uint32Array.of(1)); // wire 0 is the constant 1, never rewritten
  const dummy = buffer(16, STORAGE, "unused binding");
  // one flag per windowed rescale (at most one per requant step), cleared before each witness
  const nFlags = plan.steps.filter((s) => s.kind === "requant" && s.window !== null).length;
  const flags = buffer(nFlags * 4, STORAGE | COPY_SRC | COPY_DST, "window flags");
  const flagsRef: TensorRef = { buffer: flags, limbs: 1 };
  let nextFlag = 0;

  const tensors = new Map<number, TensorRef>();
  const context: Context = {
    plan,
    formats,
    tensor(t) {
      const r = root[t]!;
      let ref = tensors.get(r);
      if (!ref) {
        ref = { buffer: buffer(tensorBytes(r), STORAGE | COPY_SRC | COPY_DST, `tensor ${r}`), limbs: formats.limbs(r) };
        tensors.set(r, ref);
      }
      return ref;
    },
    constant(values) {
      const limbs = formats.constLimbs(values);
      const data = toLimbs(values, limbs);
      const b = buffer(data.byteLength, STORAGE | COPY_DST, "constant");
      device.queue.writeBuffer(b, 0, data);
      return { buffer: b, limbs };
    },
    map(values) {
      const data = Int32Array.from(values);
      const b = buffer(data.byteLength, STORAGE | COPY_DST, "map");
      device.queue.writeBuffer(b, 0, data);
      return b;
    },
    fill(t, values) {
      device.queue.writeBuffer(context.tensor(t).buffer, 0, toLimbs(values, formats.limbs(t)));
    },
    flag() {
      if (nextFlag >= nFlags) throw new ZkError("GPU", "more windowed rescales than the plan has requant steps");
      return { ref: flagsRef, index: nextFlag++ };
    },
  };

  // which steps run on the kernels: every call accepted, every tensor within one binding
  const fits = (bytes: number) => bytes <= limits.maxStorageBufferBindingSize;
  const accepts = (c: KernelCall) => WEBGPU_OPS.has(c.op) && formats.accepts(c) && constantsFit(c, formats, fits);
  const lowered: KernelCall[][] = lowerPlan(plan, accepts).map((calls, i) => {
    const step = plan.steps[i]!;
    const out = stepOutput(step);
    const tensorsFit = [...stepInputs(step), ...(out === null ? [] : [out])].every((t) => fits(tensorBytes(t)));
    return tensorsFit ? calls : [{ op: "reference" as const, step }];
  });
  context.tensor(plan.input);
  for (const t of plan.outputs) context.tensor(t);

  const uses = lowered.map((calls) =>
    calls.flatMap((c) => (c.op === "reference" ? [] : bindCall(c, context)).filter((u) => u.items > 0)),
  );
  const uniforms = new UniformPacker(limits.minUniformBufferOffsetAlignment);
  const windows = new Windows(plan.nWires, limits, opts.windowWires);
  const pending = uses.map((us, i) => {
    const chunks = us.map((u) => windows.chunks(u));
    if (chunks.some((c) => c === null)) {
      // one item writes more wires than a binding holds: this step runs on the reference
      lowered[i] = [{ op: "reference", step: plan.steps[i]! }];
      return [];
    }
    return us.flatMap((u, k) => chunks[k]!.map((chunk) => ({ u, chunk })));
  });
  const pipelines = await Promise.all(
    pending.map((ds) => Promise.all(ds.map(({ u }) => pipelineFor(device, u.kernel, u.width, storageOf(u))))),
  );
  const ubuf = buffer(
    uniforms.reserve(pending.flat().map(({ u }) => uniformLayout(u.kernel, u.width).vec4s)),
    UNIFORM | COPY_DST,
    "parameters",
  );
  let slot = 0;
  const actions: Action[] = lowered.map((calls, i): Action => {
    const first = calls[0];
    if (first?.op === "reference") return { kind: "reference", step: first.step };
    const dispatches = pending[i]!.map(({ u, chunk }, j): Dispatch => {
      const at = uniforms.write(slot++, uniformValues(u, chunk));
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: ubuf, offset: at.offset, size: at.size } },
      ];
      bindingsOf(u).forEach(([name, kind], k) => {
        entries.push({ binding: k + 1, resource: resourceFor(u, name, kind, chunk, wires, dummy) });
      });
      const pipeline = pipelines[i]![j]!;
      const groups = Math.ceil(chunk.count / WORKGROUP);
      const x = Math.min(groups, limits.maxComputeWorkgroupsPerDimension);
      return {
        kernel: u.kernel,
        pipeline,
        bindGroup: device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }),
        x,
        y: Math.ceil(groups / x),
      };
    });
    return { kind: "gpu", dispatches };
  });
  device.queue.writeBuffer(ubuf, 0, uniforms.bytes);
  const oom = await device.popErrorScope();
  const invalid = await device.popErrorScope();
  if (oom || invalid) {
    for (const b of owned) b.destroy();
    throw new ZkError("GPU", `the GPU refused the plan's buffers or kernels: ${(oom ?? invalid)!.message}`);
  }

  const { size: wtnsSize, dataOffset } = wtnsLayout(plan.nWires);
  const wtns = new Uint8Array(wtnsSize);
  wtns.set(wtnsPrefix(plan.nWires));
  const wireStage = buffer(wireBytes, MAP_READ_USAGE | COPY_DST, "wires read-back");
  const outBytes = plan.outputs.map((t) => tensorBytes(t));
  const outStage = buffer(
    outBytes.reduce((a, b) => a + b, 0),
    MAP_READ_USAGE | COPY_DST,
    "outputs read-back",
  );
  const flagStage = buffer(nFlags * 4, MAP_READ_USAGE | COPY_DST, "window flags read-back");
  const noFlags = new Uint32Array(Math.ceil(Math.max(nFlags * 4, 16) / 16) * 4);

  /** Whether a windowed rescale flagged this input (after the work submitted so far; `staged`: already copied). */
  async function flagged(staged = false): Promise<boolean> {
    if (nextFlag === 0) return false;
    if (!staged) {
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(flags, 0, flagStage, 0, nextFlag * 4);
      device.queue.submit([encoder.finish()]);
    }
    await flagStage.mapAsync(MAP_READ, 0, nextFlag * 4);
    const set = new Uint32Array(flagStage.getMappedRange(0, nextFlag * 4)).some((f) => f !== 0);
    flagStage.unmap();
    return set;
  }

  /** The reference's own refusal of an input a windowed rescale flagged (the same words as every backend). */
  function refusal(input: IntTensor, salts: Salts): Error {
    try {
      runPlanJs(plan, input, undefined, salts);
    } catch (e) {
      if (e instanceof WindowError) return e;
    }
    return new ZkError("GPU", "a windowed rescale's kernel flagged an input the js reference accepts");
  }
  let lost: ZkError | null = null;
  void device.lost.then((info) => {
    lost = new ZkError("GPU", `the GPU device was lost (${info.reason}): ${info.message}`);
  });
  const { profile, onStep } = opts;
  const record = (name: string, ms: number) => {
    if (!profile) return;
    const e = profile.get(name) ?? { calls: 0, ms: 0, items: 0 };
    e.calls++;
    e.ms += ms;
    e.items++;
    profile.set(name, e);
  };

  /** Tensor t's limbs as the plan holds it: BigInt if its bounds are wide, else doubles. */
  const readLimbs = (t: number, u: Uint32Array, what: string): Ints =>
    isWide(plan.tensors[t]!) ? fromLimbsWide(u, formats.limbs(t)) : fromLimbs(u, formats.limbs(t), what);

  /** Tensors read back for a reference step (after the work before it). */
  async function readTensors(ts: readonly number[], encoder: GPUCommandEncoder): Promise<Map<number, Ints>> {
    const stages = ts.map((t) => {
      const s = device.createBuffer({ size: Math.max(16, tensorBytes(t)), usage: MAP_READ_USAGE | COPY_DST });
      encoder.copyBufferToBuffer(context.tensor(t).buffer, 0, s, 0, tensorBytes(t));
      return s;
    });
    device.queue.submit([encoder.finish()]);
    await Promise.all(stages.map((s) => s.mapAsync(MAP_READ)));
    const out = new Map<number, Ints>();
    ts.forEach((t, k) => {
      const u = new Uint32Array(stages[k]!.getMappedRange(0, tensorBytes(t)).slice(0));
      out.set(t, readLimbs(t, u, `tensor ${t}`));
      stages[k]!.destroy();
    });
    return out;
  }

  async function run(input: IntTensor, salts: Salts): Promise<WitnessResult> {
    if (lost) throw lost;
    const t0 = performance.now();
    device.pushErrorScope("validation");
    device.queue.writeBuffer(context.tensor(plan.input).buffer, 0, toLimbs(input.data, formats.limbs(plan.input)));
    if (nextFlag > 0) device.queue.writeBuffer(flags, 0, noFlags, 0, nextFlag);
    const overlay = new OverlaySink();
    let encoder = device.createCommandEncoder();
    let pass = encoder.beginComputePass();
    for (let i = 0; i < actions.length; i++) {
      onStep?.(i);
      const a = actions[i]!;
      if (a.kind === "gpu") {
        for (const d of a.dispatches) {
          pass.setPipeline(d.pipeline);
          pass.setBindGroup(0, d.bindGroup);
          pass.dispatchWorkgroups(d.x, d.y);
          if (profile) {
            // profiling: each dispatch on its own, timed to its end (slower, but says where the time goes)
            pass.end();
            const tk = performance.now();
            device.queue.submit([encoder.finish()]);
            await device.queue.onSubmittedWorkDone();
            record(d.kernel, performance.now() - tk);
            encoder = device.createCommandEncoder();
            pass = encoder.beginComputePass();
          }
        }
        continue;
      }
      pass.end();
      const ts = performance.now();
      const values = await readTensors([...new Set(stepInputs(a.step))], encoder);
      const io: TensorIO = {
        read: (t) => ({ shape: plan.tensors[t]!.shape, data: values.get(t)! }) as PlanValue,
        write: (t, data) => device.queue.writeBuffer(context.tensor(t).buffer, 0, toLimbs(data, formats.limbs(t))),
      };
      try {
        runReference(plan, a.step, io, overlay, salts);
      } catch (e) {
        // an input a rescale before this step flagged fails here too, perhaps otherwise: name it as the reference does
        await device.popErrorScope();
        if (await flagged()) throw refusal(input, salts);
        throw e;
      }
      record(`js:${a.step.kind}`, performance.now() - ts);
      encoder = device.createCommandEncoder();
      pass = encoder.beginComputePass();
    }
    pass.end();
    encoder.copyBufferToBuffer(wires, 0, wireStage, 0, wireBytes);
    let at = 0;
    for (const [k, t] of plan.outputs.entries()) {
      encoder.copyBufferToBuffer(context.tensor(t).buffer, 0, outStage, at, outBytes[k]!);
      at += outBytes[k]!;
    }
    if (nextFlag > 0) encoder.copyBufferToBuffer(flags, 0, flagStage, 0, nextFlag * 4);
    device.queue.submit([encoder.finish()]);
    const t1 = performance.now();
    await Promise.all([wireStage.mapAsync(MAP_READ), outStage.mapAsync(MAP_READ)]);
    const t2 = performance.now();
    wtns.set(new Uint8Array(wireStage.getMappedRange(0, wireBytes)), dataOffset);
    overlay.apply(wtns, dataOffset);
    const outU32 = new Uint32Array(outStage.getMappedRange().slice(0));
    at = 0;
    const outputs = plan.outputs.map((t, k) => {
      const data = readLimbs(t, outU32.subarray(at / 4, (at + outBytes[k]!) / 4), `output tensor ${t}`);
      at += outBytes[k]!;
      return { shape: plan.tensors[t]!.shape, data } as PlanValue;
    });
    wireStage.unmap();
    outStage.unmap();
    const err = await device.popErrorScope();
    if (err) throw new ZkError("GPU", `a witness kernel failed on the GPU: ${err.message}`);
    if (lost) throw lost;
    if (await flagged(true)) throw refusal(input, salts);
    record("gpu", t2 - t1);
    record("io", t1 - t0 + performance.now() - t2);
    return { wtns, outputs };
  }

  // one witness at a time: they share the buffers
  let last: Promise<unknown> = Promise.resolve();
  let closed = false;
  return {
    witness(input, salts = {}) {
      if (closed) return Promise.reject(new ZkError("GPU", "the webgpu witness generator has been closed"));
      const r = last.then(() => run(input, salts));
      last = r.catch(() => undefined);
      return r;
    },
    async close() {
      closed = true;
      await last;
      for (const b of owned) b.destroy();
    },
  };
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function constantsFit(
  c: KernelCall,
  formats: ReturnType<typeof planFormats>,
  fits: (bytes: number) => boolean,
): boolean {
  const ok = (v: ArrayLike<number> | undefined) => !v || fits(v.length * formats.constLimbs(v) * 4);
  switch (c.op) {
    case "matmul":
    case "conv":
      return ok(c.weight.data) && ok(c.bias?.data);
    case "affine":
      return ok(c.mul?.data) && ok(c.add?.data);
    default:
      return true;
  }
}

/** A use's bindings after the uniform, in declaration order. */
function bindingsOf(u: Use): [string, BindingKind][] {
  return Object.entries(KERNELS[u.kernel].bindings);
}

function storageOf(u: Use): Record<string, number> {
  const s: Record<string, number> = {};
  for (const [name, ref] of Object.entries(u.tensors as Record<string, TensorRef | null>)) s[name] = ref?.limbs ?? 1;
  return s;
}

interface Chunk {
  readonly base: number;
  readonly count: number;
  /** per wire binding: the window's first wire and its extent */
  readonly windows: Readonly<Record<string, { first: number; wires: number }>>;
}

/** Splits a use's items so each of its wire windows fits one storage binding (aligned as the GPU requires). */
class Windows {
  private readonly align: number;
  private readonly most: number;
  constructor(
    private readonly nWires: number,
    limits: GPUSupportedLimits,
    most = limits.maxStorageBufferBindingSize / FIELD_BYTES,
  ) {
    this.align = Math.max(1, Math.ceil(limits.minStorageBufferOffsetAlignment / FIELD_BYTES));
    this.most = Math.max(
      this.align,
      Math.floor(Math.min(most, limits.maxStorageBufferBindingSize / FIELD_BYTES) / this.align) * this.align,
    );
  }

  private window(lo: number, hi: number): { first: number; wires: number } {
    const first = Math.min(
      Math.floor(lo / this.align) * this.align,
      Math.floor((this.nWires - 1) / this.align) * this.align,
    );
    return { first, wires: Math.min(Math.max(hi, first + 1), this.nWires) - first };
  }

  /** The chunks of a use's items; null when a single item's wires exceed one binding. */
  chunks(u: Use): Chunk[] | null {
    const spans = Object.entries(
      u.wires as Record<string, ((a: number, b: number) => readonly [number, number]) | null>,
    );
    const fitsAll = (a: number, b: number) =>
      spans.every(([, s]) => {
        if (!s) return true;
        const [lo, hi] = s(a, b);
        return hi - Math.floor(lo / this.align) * this.align <= this.most;
      });
    const out: Chunk[] = [];
    for (let a = 0; a < u.items;) {
      let b = u.items;
      if (!fitsAll(a, b)) {
        // the largest b that fits, by bisection (spans grow with b)
        let lo = a + 1,
          hi = u.items;
        if (!fitsAll(a, lo)) return null;
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          if (fitsAll(a, mid)) lo = mid;
          else hi = mid - 1;
        }
        b = lo;
      }
      const windows: Record<string, { first: number; wires: number }> = {};
      for (const [name, s] of spans) windows[name] = s ? this.window(...s(a, b)) : { first: 0, wires: 1 };
      out.push({ base: a, count: b - a, windows });
      a = b;
    }
    return out;
  }
}

function resourceFor(
  u: Use,
  name: string,
  kind: BindingKind,
  chunk: Chunk,
  wires: GPUBuffer,
  dummy: GPUBuffer,
): GPUBufferBinding {
  switch (kind) {
    case "in":
    case "out": {
      const t = (u.tensors as Record<string, TensorRef | null>)[name];
      return { buffer: t?.buffer ?? dummy };
    }
    case "map":
      return { buffer: (u.maps as Record<string, GPUBuffer | null>)[name] ?? dummy };
    case "wires": {
      const span = (u.wires as Record<string, unknown>)[name];
      const w = chunk.windows[name]!;
      return span ? { buffer: wires, offset: w.first * FIELD_BYTES, size: w.wires * FIELD_BYTES } : { buffer: dummy };
    }
  }
}

/** A use's parameters for one chunk, as the uniform's u32 words (uniformLayout's order). */
function uniformValues(u: Use, chunk: Chunk): Uint32Array {
  const layout = uniformLayout(u.kernel, u.width);
  const words = new Uint32Array(layout.vec4s * 4);
  const params = u.params as Record<string, number>;
  layout.scalars.forEach((name, i) => {
    const v =
      name === "base"
        ? chunk.base
        : name === "count"
          ? chunk.count
          : name.endsWith("_base") && name.slice(0, -5) in chunk.windows
            ? chunk.windows[name.slice(0, -5)]!.first
            : params[name]!;
    words[i] = v >>> 0;
  });
  const wide = u.wide as Record<string, number>;
  for (const [name, at] of Object.entries(layout.wideAt)) words.set(toLimbs([wide[name]!], u.width), at * 4);
  return words;
}

/** The dispatches' parameters in one uniform buffer, one aligned slot each. */
class UniformPacker {
  private offsets: number[] = [];
  private sizes: number[] = [];
  bytes = new Uint8Array(0);
  constructor(private readonly align: number) {}
  reserve(vec4s: readonly number[]): number {
    let at = 0;
    for (const v of vec4s) {
      this.offsets.push(at);
      this.sizes.push(v * 16);
      at += Math.ceil((v * 16) / this.align) * this.align;
    }
    this.bytes = new Uint8Array(Math.max(at, 16));
    return this.bytes.length;
  }
  write(slot: number, words: Uint32Array): { offset: number; size: number } {
    const offset = this.offsets[slot]!;
    this.bytes.set(new Uint8Array(words.buffer, words.byteOffset, words.byteLength), offset);
    return { offset, size: this.sizes[slot]! };
  }
}

/** The wires reference steps write, kept aside and laid over the wire vector after the read-back. */
class OverlaySink implements WireSink {
  private wires: number[] = [];
  private data = new Uint8Array(32 * 64);
  private view = new DataView(this.data.buffer);
  private slot(wire: number): number {
    const k = this.wires.length;
    if ((k + 1) * FIELD_BYTES > this.data.length) {
      const bigger = new Uint8Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
      this.view = new DataView(bigger.buffer);
    }
    this.wires.push(wire);
    return k * FIELD_BYTES;
  }
  setInt(wire: number, v: number): void {
    const at = this.slot(wire); // first: it may grow the buffer
    writeSignedField(this.view, at, v);
  }
  setField(wire: number, v: bigint): void {
    const at = this.slot(wire);
    writeBigField(this.view, at, v);
  }
  apply(wtns: Uint8Array, dataOffset: number): void {
    this.wires.forEach((w, k) =>
      wtns.set(this.data.subarray(k * FIELD_BYTES, (k + 1) * FIELD_BYTES), dataOffset + w * FIELD_BYTES),
    );
  }
}

/** Pipelines and bind group layouts per device, compiled once per (kernel, width, storage widths). */
const compiled = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();
const layouts = new WeakMap<GPUDevice, Map<KernelName, GPUPipelineLayout>>();

function layoutFor(device: GPUDevice, kernel: KernelName): GPUPipelineLayout {
  let m = layouts.get(device);
  if (!m) layouts.set(device, (m = new Map()));
  let l = m.get(kernel);
  if (!l) {
    const entries: GPUBindGroupLayoutEntry[] = [{ binding: 0, visibility: COMPUTE_STAGE, buffer: { type: "uniform" } }];
    Object.values(KERNELS[kernel].bindings).forEach((kind: BindingKind, k) =>
      entries.push({
        binding: k + 1,
        visibility: COMPUTE_STAGE,
        buffer: { type: kind === "in" || kind === "map" ? "read-only-storage" : "storage" },
      }),
    );
    const bgl = device.createBindGroupLayout({ label: kernel, entries });
    l = device.createPipelineLayout({ label: kernel, bindGroupLayouts: [bgl] });
    m.set(kernel, l);
  }
  return l;
}

function pipelineFor(
  device: GPUDevice,
  kernel: KernelName,
  width: number,
  storage: Record<string, number>,
): Promise<GPUComputePipeline> {
  let m = compiled.get(device);
  if (!m) compiled.set(device, (m = new Map()));
  const key = `${kernel}/${width}/${JSON.stringify(storage)}`;
  let p = m.get(key);
  if (!p) {
    const code = shaderSource(kernel, width, storage);
    const module = device.createShaderModule({ label: key, code });
    p = device
      .createComputePipelineAsync({
        label: key,
        layout: layoutFor(device, kernel),
        compute: { module, entryPoint: "main" },
      })
      .catch(async (e: unknown) => {
        const info = await module.getCompilationInfo();
        const msgs = info.messages.map((x) => `${x.lineNum}:${x.linePos} ${x.message}`).join("; ");
        throw new ZkError(
          "GPU",
          `the webgpu kernel ${key} did not compile: ${msgs || (e instanceof Error ? e.message : String(e))}`,
        );
      });
    m.set(key, p);
  }
  return p;
}
