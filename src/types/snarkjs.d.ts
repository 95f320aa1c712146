// The parts of snarkjs (no bundled types) that zkinfer uses.
declare module "snarkjs" {
  /** A file name, or an in-memory file as fastfile understands it. */
  export type FileRef = string | { type: "mem"; data: Uint8Array };
  export interface Logger {
    debug(msg: string): void;
    info(msg: string): void;
    warn(msg: string): void;
    error(msg: string): void;
  }
  export interface Groth16Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  export interface VerificationKey {
    protocol: string;
    curve: string;
    nPublic: number;
    IC?: string[][];
    [key: string]: unknown;
  }
  export const groth16: {
    prove(zkey: FileRef, witness: FileRef, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vk: VerificationKey, publicSignals: string[], proof: Groth16Proof, logger?: Logger): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: string[]): Promise<string>;
  };
  export const zKey: {
    newZKey(r1cs: FileRef, ptau: FileRef, zkey: FileRef, logger?: Logger): Promise<unknown>;
    contribute(oldZkey: FileRef, newZkey: FileRef, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    exportVerificationKey(zkey: FileRef, logger?: Logger): Promise<VerificationKey>;
    /** Whether the key is `zkey new` of this r1cs and ptau followed by valid contributions. */
    verifyFromR1cs(r1cs: FileRef, ptau: FileRef, zkey: FileRef, logger?: Logger): Promise<boolean>;
    exportSolidityVerifier(zkey: FileRef, templates: Record<string, string>, logger?: Logger): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: FileRef, logger?: Logger): Promise<unknown>;
    contribute(oldPtau: FileRef, newPtau: FileRef, name: string, entropy: string, logger?: Logger): Promise<unknown>;
    preparePhase2(oldPtau: FileRef, newPtau: FileRef, logger?: Logger): Promise<unknown>;
  };
  export const wtns: {
    check(r1cs: FileRef, wtns: FileRef, logger?: Logger): Promise<boolean>;
  };
  export const r1cs: {
    info(
      r1cs: FileRef,
      logger?: Logger,
    ): Promise<{ nConstraints: number; nVars: number; nOutputs: number; nPubInputs: number; nPrvInputs: number }>;
  };
}

// The parts of circomlibjs (no bundled types) that zkinfer uses.
declare module "circomlibjs" {
  export interface Poseidon {
    (inputs: readonly bigint[]): Uint8Array;
    F: { toObject(a: Uint8Array): bigint };
  }
  export function buildPoseidon(): Promise<Poseidon>;
}

declare module "ejs" {
  const ejs: { render(template: string, data: object): string };
  export default ejs;
}
