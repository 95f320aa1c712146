/**
 * The `wasm` backend's plan preparation: one linear memory laid out once per plan — an i64
 * buffer per tensor (reshapes share their input's), the constants each lowered call places
 * (calls.ts), scratch, and the complete .wtns file, whose wires the kernels encode in place.
 * `bind` writes the constants and returns the runner, which only copies the input in, runs the
 * calls and hands out a view of the .wtns. Steps the kernels do not cover run on the shared js
 * reference (witness/fallback.ts): the same code, so the bytes are the same.
 */
import { isWide, tensorAbs, type Salts, type WitnessPlan } from "../../../circuit/plan.js";
import type { IntTensor, PlanValue } from "../../../quantize/qgraph.js";
import { sizeOf } from "../../../model/shapes.js";
import { wtnsLayout, wtnsPrefix } from "../../../formats/wtns.js";
import { FIELD_BYTES } from "../../../field.js";
import { aliases, lowerPlan } from "../../lowering.js";
import type { Profile } from "../../backend.js";
import type { Executor } from "./executor.js";
import { Arena } from "./layout.js";
import { I64_ABS, WASM_OPS, bindCall, fitsI64, type Layout, type Run } from "./calls.js";

export { WASM_OPS };
export { singleThread, type Executor } from "./executor.js";
export type { Profile };

function record(profile: Profile, name: string, ms: number, items: number): void {
  const e = profile.get(name) ?? { calls: 0, ms: 0, items: 0 };
  e.calls++;
  e.ms += ms;
  e.items += items;
  profile.set(name, e);
}

/** An executor that times every kernel call into `profile` (for the benchmarks). */
function profiled(exec: Executor, profile: Profile): Executor {
  return {
    k: exec.k,
    async run(name, args, n, cost) {
      const t = performance.now();
      await exec.run(name, args, n, cost);
      record(profile, name, performance.now() - t, n);
    },
  };
}

export interface Prepared {
  /** bytes of memory the plan needs */
  readonly size: number;
  /**
   * Writes the constants, then returns the runner; `memory` must be at least `size` bytes. The
   * runner's `wtns` is a view into the memory, valid until its next run (no copy per witness).
   */
  bind(
    memory: WebAssembly.Memory,
    exec: Executor,
    opts?: BindOptions,
  ): (input: IntTensor, salts?: Salts) => Promise<{ wtns: Uint8Array; outputs: PlanValue[] }>;
}

export interface BindOptions {
  readonly profile?: Profile;
  /** called as each plan step starts, with its index (so a failure can name the step it happened in) */
  readonly onStep?: (i: number) => void;
}

export function prepare(plan: WitnessPlan, heapBase: number): Prepared {
  const arena = new Arena(heapBase);
  // the .wtns file lives in the memory: its header, then the wires, which every run rewrites
  // in full (a fresh memory is zeroed, so nothing else needs writing)
  const wtnsSize = wtnsLayout(plan.nWires).size;
  const wtns = arena.alloc(wtnsSize);
  arena.writes.push({ at: wtns, bytes: wtnsPrefix(plan.nWires) });
  const wires = wtns + wtnsLayout(plan.nWires).dataOffset;
  // wire 0 is the constant 1, never rewritten
  arena.writes.push({ at: wires, bytes: Uint8Array.of(1) });

  // tensors: an i64 buffer each, reshapes share their input's; a tensor past the i64 kernels'
  // range (I64_ABS) lives on the host as BigInt instead, and only the js reference touches it
  const root = aliases(plan);
  const groupAbs = plan.tensors.map(() => 0);
  root.forEach((r, t) => (groupAbs[r] = Math.max(groupAbs[r]!, tensorAbs(plan.tensors[t]!))));
  const onHost = (t: number) => groupAbs[root[t]!]! > I64_ABS;
  const own = plan.tensors.map((t, i) => (root[i] === i && !onHost(i) ? arena.alloc(8 * sizeOf(t.shape)) : -1));
  const ptr = root.map((r) => own[r]!);
  const host = new Map<number, readonly bigint[]>();
  const size = (t: number) => sizeOf(plan.tensors[t]!.shape);
  const f64Scratch = arena.alloc(8 * Math.max(...plan.tensors.map((t) => sizeOf(t.shape))));
  const layout: Layout = {
    plan,
    arena,
    ptr: (t) => ptr[t]!,
    wire: (w) => wires + w * FIELD_BYTES,
    wires,
    scratch: { at: -1, bytes: 0 },
    read(memory, k, t) {
      const shape = plan.tensors[t]!.shape;
      if (onHost(t)) return { shape, data: host.get(root[t]!)! };
      if (isWide(plan.tensors[t]!))
        return { shape, data: Array.from(new BigInt64Array(memory.buffer, ptr[t]!, size(t))) };
      k.i64_to_f64(ptr[t]!, f64Scratch, 0, size(t));
      return { shape, data: new Float64Array(memory.buffer, f64Scratch, size(t)).slice() };
    },
    write(memory, k, t, values) {
      if (onHost(t)) host.set(root[t]!, Array.from(values, BigInt));
      else if (values instanceof Float64Array) {
        new Float64Array(memory.buffer, f64Scratch, values.length).set(values);
        k.f64_to_i64(f64Scratch, ptr[t]!, 0, values.length);
      } else new BigInt64Array(memory.buffer, ptr[t]!, values.length).set(Array.from(values, BigInt));
    },
  };
  const lowered = lowerPlan(plan, (c) => WASM_OPS.has(c.op) && fitsI64(c, plan));
  const steps = lowered.map((calls) => calls.map((c) => bindCall(c, layout)));
  layout.scratch.at = arena.alloc(layout.scratch.bytes);

  return {
    size: arena.size,
    bind(memory, exec, { profile, onStep } = {}) {
      const k = exec.k;
      const u8 = new Uint8Array(memory.buffer);
      for (const w of arena.writes) u8.set(w.bytes, w.at);
      const kexec = profile ? profiled(exec, profile) : exec;
      const runners = steps.map((calls, i): Run => {
        const runs = calls.map((b) => b(k, kexec, memory));
        const first = lowered[i]![0];
        const reference = first?.op === "reference" ? first.step.kind : null;
        return async (salts) => {
          const t = performance.now();
          for (const r of runs) await r(salts);
          if (profile && reference) record(profile, `js:${reference}`, performance.now() - t, 1);
        };
      });
      return async (input, salts = {}) => {
        const t0 = performance.now();
        layout.write(memory, k, plan.input, input.data);
        const t1 = performance.now();
        for (let i = 0; i < runners.length; i++) {
          onStep?.(i);
          await runners[i]!(salts);
        }
        const t2 = performance.now();
        const outputs = plan.outputs.map((t) => layout.read(memory, k, t));
        if (profile) record(profile, "io", t1 - t0 + performance.now() - t2, 1);
        return { wtns: new Uint8Array(memory.buffer, wtns, wtnsSize), outputs };
      };
    },
  };
}
