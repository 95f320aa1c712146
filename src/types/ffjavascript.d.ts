// The parts of ffjavascript (no bundled types) that zkinfer uses.
declare module "ffjavascript" {
  export interface WasmField {
    readonly p: bigint;
    readonly n8: number;
    readonly w: Uint8Array[];
    e(v: bigint | number | string): Uint8Array;
    toObject(a: Uint8Array): bigint;
  }
  export interface WasmGroup {
    readonly F: { readonly n8: number };
    readonly oneAffine: Uint8Array;
    readonly one: Uint8Array;
    batchApplyKey(buff: Uint8Array, first: Uint8Array, inc: Uint8Array, inType?: string, outType?: string): Promise<Uint8Array>;
    timesScalar(a: Uint8Array, s: Uint8Array): Uint8Array;
    toAffine(a: Uint8Array): Uint8Array;
    eq(a: Uint8Array, b: Uint8Array): boolean;
  }
  export interface ThreadManager {
    readonly memory: WebAssembly.Memory;
    u8: Uint8Array;
    u32: Uint32Array;
    readonly instance: WebAssembly.Instance;
    readonly concurrency: number;
    alloc(length: number): number;
    setBuff(pointer: number, buffer: Uint8Array): void;
  }
  export interface Curve {
    readonly name: string;
    readonly q: bigint;
    readonly r: bigint;
    readonly Fr: WasmField;
    readonly G1: WasmGroup;
    readonly G2: WasmGroup;
    readonly tm: ThreadManager;
    terminate(): Promise<void>;
  }
  export function buildBn128(singleThread?: boolean): Promise<Curve>;
}
