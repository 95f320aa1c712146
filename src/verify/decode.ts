/**
 * Public signals → what was proven: each public tensor (the outputs, and the input when it is
 * public) decoded from field elements to signed integers and then to floats by its scale.
 */
import type { ModelMeta } from "../artifacts.js";
import { P } from "../circuit/field.js";
import { ZkError } from "../errors.js";

export interface DecodedTensor {
  readonly role: "output" | "input";
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: number[];
}

export function decodeSignal(s: string, index: number): bigint {
  if (typeof s !== "string" || !/^[0-9]+$/.test(s)) throw new ZkError("BAD_FILE", `public signal ${index} is not a decimal field element: ${JSON.stringify(s)?.slice(0, 40)}`);
  const v = BigInt(s);
  if (v >= P) throw new ZkError("BAD_FILE", `public signal ${index} is not below the field modulus`);
  return v > P / 2n ? v - P : v;
}

export function decodeOutputs(meta: Pick<ModelMeta, "publicSignals">, publicSignals: readonly string[]): DecodedTensor[] {
  return meta.publicSignals.layout.map((e) => ({
    role: e.role,
    name: e.name,
    shape: e.shape,
    values: Array.from({ length: e.count }, (_, i) => Number(decodeSignal(publicSignals[e.offset + i]!, e.offset + i)) / 2 ** e.scale),
  }));
}
