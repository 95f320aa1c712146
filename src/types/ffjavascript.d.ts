// The parts of ffjavascript (no bundled types) that zkinfer uses.
declare module "ffjavascript" {
  export interface WasmField {
    readonly p: bigint;
    readonly n8: number;
    readonly w: Uint8Array[];
    e(v: bigint | number | string): Uint8Array;
    toObject(a: Uint8Array): bigint;
    /** Scalars in Montgomery form, power-of-two count; the inverse includes the 1/n. */
    fft(buff: Uint8Array): Promise<Uint8Array>;
    ifft(buff: Uint8Array): Promise<Uint8Array>;
    batchToMontgomery(buff: Uint8Array): Promise<Uint8Array>;
    batchFromMontgomery(buff: Uint8Array): Promise<Uint8Array>;
  }
  export interface WasmGroup {
    readonly F: { readonly n8: number };
    readonly oneAffine: Uint8Array;
    readonly one: Uint8Array;
    /** Jacobian. */
    readonly zero: Uint8Array;
    /** Σ s_i·P_i over affine bases; scalars standard-form little-endian, any equal width each; a Jacobian result. */
    multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Uint8Array>;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    neg(a: Uint8Array): Uint8Array;
    isZero(a: Uint8Array): boolean;
    batchApplyKey(
      buff: Uint8Array,
      first: Uint8Array,
      inc: Uint8Array,
      inType?: string,
      outType?: string,
    ): Promise<Uint8Array>;
    timesScalar(a: Uint8Array, s: Uint8Array): Uint8Array;
    /** Times a scalar field element (Fr.e's Montgomery form); a Jacobian result. */
    timesFr(a: Uint8Array, s: Uint8Array): Uint8Array;
    /** The generator (Jacobian). */
    readonly g: Uint8Array;
    /** A point drawn from the generator's group with `rng`, as snarkjs's contributions draw theirs. */
    fromRng(rng: ChaCha): Uint8Array;
    /** Affine, Montgomery, little-endian, as .zkey files hold points. */
    toRprLEM(arr: Uint8Array, offset: number, a: Uint8Array): void;
    /** Big-endian standard coordinates, as snarkjs hashes points. */
    toRprUncompressed(arr: Uint8Array, offset: number, a: Uint8Array): void;
    toAffine(a: Uint8Array): Uint8Array;
    eq(a: Uint8Array, b: Uint8Array): boolean;
  }
  export interface ThreadManager {
    readonly memory: WebAssembly.Memory;
    u8: Uint8Array;
    u32: Uint32Array;
    readonly instance: WebAssembly.Instance;
    readonly concurrency: number;
    /** The wasm module's code; kept by single-thread curves only (`buildBn128(true)`). */
    readonly code?: Uint8Array;
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
    /** Π e(g1_i, g2_i) == 1 over the pairs given. */
    pairingEq(...pairs: Uint8Array[]): Promise<boolean>;
    terminate(): Promise<void>;
  }
  export function buildBn128(singleThread?: boolean): Promise<Curve>;
  /** The ChaCha20 stream snarkjs derives points from (seeded by eight 32-bit words). */
  export class ChaCha {
    constructor(seed?: readonly number[]);
  }
}
