/**
 * A bare instance of ffjavascript's BN254 wasm module (wasmcurves' code, the same snarkjs
 * runs) with a memory of its own: what ptau generation's worker threads compute with.
 *
 * Why not ffjavascript's curve object there: ffjavascript loads the web-worker shim, which
 * takes any thread that is not the main one for one of its own workers and fails on import
 * (chain-worker.ts). The module itself needs nothing but its memory, so a thread instantiates
 * the compiled module it is handed (curve.ts compiles it once) and calls its exports.
 *
 * The module keeps its free pointer in the memory's first word, and its batch functions
 * (batchInverse, batchToAffine) take scratch space past it: `alloc` keeps `SLACK` bytes free
 * above the pointer, which covers a batch of 4096 G2 coordinates with room to spare.
 */
const PAGE = 65536;
const SLACK = 4 << 20;

type WasmFn = (...args: number[]) => number;

export interface WasmCurve {
  /** The module's exported functions by name ("g1m_addMixed", "frm_mul", ...). */
  fn(name: string): WasmFn;
  /** The memory as bytes: a fresh view after any alloc (growing the memory detaches the old one). */
  bytes(): Uint8Array;
  /** `n` bytes at a pointer 8-aligned, growing the memory as needed. */
  alloc(n: number): number;
  /** The free pointer now, to hand back to `release` (scratch space is a stack). */
  mark(): number;
  release(mark: number): void;
}

export function instantiateCurve(module: WebAssembly.Module): WasmCurve {
  const memory = new WebAssembly.Memory({ initial: 25 });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as Record<string, unknown>;
  let u8 = new Uint8Array(memory.buffer);
  let u32 = new Uint32Array(memory.buffer);
  const fns = new Map<string, WasmFn>();
  return {
    fn(name) {
      let f = fns.get(name);
      if (!f) {
        const e = exports[name];
        if (typeof e !== "function") throw new Error(`the bn128 wasm module has no function ${name}`);
        f = e as WasmFn;
        fns.set(name, f);
      }
      return f;
    },
    bytes() {
      if (u8.buffer !== memory.buffer) u8 = new Uint8Array(memory.buffer);
      return u8;
    },
    alloc(n) {
      if (u32.buffer !== memory.buffer) u32 = new Uint32Array(memory.buffer);
      const p = (u32[0]! + 7) & ~7;
      const need = p + n + SLACK - memory.buffer.byteLength;
      if (need > 0) {
        memory.grow(Math.ceil(need / PAGE));
        u32 = new Uint32Array(memory.buffer);
      }
      u32[0] = p + n;
      return p;
    },
    mark() {
      if (u32.buffer !== memory.buffer) u32 = new Uint32Array(memory.buffer);
      return u32[0]!;
    },
    release(mark) {
      if (u32.buffer !== memory.buffer) u32 = new Uint32Array(memory.buffer);
      u32[0] = mark;
    },
  };
}
