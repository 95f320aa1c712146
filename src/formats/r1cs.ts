/**
 * The iden3 .r1cs format (what circom writes and snarkjs reads), version 1:
 *   header:      field size n8, prime, nWires, nPubOut, nPubIn, nPrvIn, nLabels (u64), nConstraints
 *   constraints: for each constraint, A, B, C: nTerms u32, then (wire u32, coeff n8 bytes LE)
 *   wire2label:  nWires × u64 label id
 * Wire order: 0 = constant 1, then public outputs, public inputs, private inputs, internal.
 */
import { BinFileWriter, readBinFile } from "./binfile.js";
import { FIELD_BYTES, P, mod } from "../field.js";
import { ZkError } from "../errors.js";

export const R1CS_MAGIC = "r1cs";
export const R1CS_VERSION = 1;
export const R1CS_SECTION = { HEADER: 1, CONSTRAINTS: 2, WIRE2LABEL: 3 } as const;

/** A linear combination as the format sees it: wire → coefficient (the circuit's LinearCombination is one). */
export interface Terms {
  readonly terms: ReadonlyMap<number, bigint>;
}

export interface Constraint<L extends Terms = Terms> {
  readonly a: L;
  readonly b: L;
  readonly c: L;
}

export interface R1cs<L extends Terms = Terms> {
  readonly nWires: number;
  readonly nPubOut: number;
  readonly nPubIn: number;
  readonly nPrvIn: number;
  readonly constraints: readonly Constraint<L>[];
}

/** Terms as plain arrays, the form the checker and readers use (no Map per LC). */
export interface SparseLc {
  readonly wires: Uint32Array;
  readonly coeffs: readonly bigint[];
}

export interface ParsedR1cs {
  readonly prime: bigint;
  readonly nWires: number;
  readonly nPubOut: number;
  readonly nPubIn: number;
  readonly nPrvIn: number;
  readonly nLabels: number;
  readonly constraints: readonly (readonly [SparseLc, SparseLc, SparseLc])[];
}

export function writeR1cs(r1cs: R1cs): Uint8Array {
  const f = new BinFileWriter(R1CS_MAGIC, R1CS_VERSION, 3);
  f.section(R1CS_SECTION.HEADER, (w) => {
    w.u32(FIELD_BYTES);
    w.fieldLE(P, FIELD_BYTES);
    w.u32(r1cs.nWires);
    w.u32(r1cs.nPubOut);
    w.u32(r1cs.nPubIn);
    w.u32(r1cs.nPrvIn);
    w.u64(r1cs.nWires); // labels: one per wire, no wires are optimised away
    w.u32(r1cs.constraints.length);
  });
  f.section(R1CS_SECTION.CONSTRAINTS, (w) => {
    for (const { a, b, c } of r1cs.constraints) {
      for (const lc of [a, b, c]) {
        // snarkjs expects terms sorted by wire id within each LC
        const terms = [...lc.terms.entries()].sort((x, y) => x[0] - y[0]);
        w.u32(terms.length);
        for (const [wire, coeff] of terms) {
          w.u32(wire);
          w.fieldLE(mod(coeff), FIELD_BYTES);
        }
      }
    }
  });
  f.section(R1CS_SECTION.WIRE2LABEL, (w) => {
    for (let i = 0; i < r1cs.nWires; i++) w.u64(i);
  });
  return f.finish();
}

export function readR1cs(bytes: Uint8Array, what = ".r1cs file"): ParsedR1cs {
  const file = readBinFile(bytes, R1CS_MAGIC, R1CS_VERSION, what);
  const h = file.section(R1CS_SECTION.HEADER, "header");
  const n8 = h.u32();
  if (n8 !== FIELD_BYTES)
    throw new ZkError("BAD_FILE", `${what}: field size ${n8} bytes, expected ${FIELD_BYTES} (BN254)`);
  const prime = h.fieldLE(n8);
  if (prime !== P) throw new ZkError("BAD_FILE", `${what}: prime is not BN254's scalar field`);
  const nWires = h.u32();
  const nPubOut = h.u32();
  const nPubIn = h.u32();
  const nPrvIn = h.u32();
  const nLabels = h.u64();
  const nConstraints = h.u32();
  h.done();
  if (1 + nPubOut + nPubIn + nPrvIn > nWires) {
    throw new ZkError(
      "BAD_FILE",
      `${what}: header counts ${1 + nPubOut + nPubIn + nPrvIn} signal wires but only ${nWires} wires`,
    );
  }
  const s = file.section(R1CS_SECTION.CONSTRAINTS, "constraints");
  const readLc = (): SparseLc => {
    const n = s.u32();
    if (n > s.remaining / (4 + n8))
      throw new ZkError("BAD_FILE", `${what}: linear combination claims ${n} terms, more than the section holds`);
    const wires = new Uint32Array(n);
    const coeffs: bigint[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const wire = s.u32();
      if (wire >= nWires)
        throw new ZkError("BAD_FILE", `${what}: term refers to wire ${wire} but the circuit has ${nWires} wires`);
      wires[i] = wire;
      coeffs[i] = s.fieldLE(n8);
    }
    return { wires, coeffs };
  };
  const constraints: (readonly [SparseLc, SparseLc, SparseLc])[] = [];
  for (let i = 0; i < nConstraints; i++) constraints.push([readLc(), readLc(), readLc()]);
  s.done();
  return { prime, nWires, nPubOut, nPubIn, nPrvIn, nLabels, constraints };
}
