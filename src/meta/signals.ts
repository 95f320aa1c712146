/**
 * Public signals → what was proven: each public tensor (the outputs, and the input when it is
 * public) decoded from field elements to signed integers and then to floats by its scale;
 * each commitment (a hashed input, output or params) as its field element.
 */
import type { ModelMeta } from "./model.js";
import type { PublicRole } from "./model.js";
import { P } from "../field.js";
import { ZkError } from "../errors.js";

export interface DecodedTensor {
  readonly role: PublicRole;
  readonly name: string;
  readonly shape: readonly number[];
  /** decoded values (outputs and public inputs); empty for commitments */
  readonly values: number[];
  /** the same values as the exact signed integers the proof holds (a wide one has no exact double) */
  readonly ints: bigint[];
  /** the commitment, a decimal field element (the *_hash roles) */
  readonly hash?: string;
}

export function decodeSignal(s: string, index: number): bigint {
  if (typeof s !== "string" || !/^[0-9]+$/.test(s))
    throw new ZkError(
      "BAD_FILE",
      `public signal ${index} is not a decimal field element: ${JSON.stringify(s)?.slice(0, 40)}`,
    );
  const v = BigInt(s);
  if (v >= P) throw new ZkError("BAD_FILE", `public signal ${index} is not below the field modulus`);
  return v > P / 2n ? v - P : v;
}

export function isHash(role: PublicRole): boolean {
  return role.endsWith("_hash");
}

export function decodeOutputs(
  meta: Pick<ModelMeta, "publicSignals">,
  publicSignals: readonly string[],
): DecodedTensor[] {
  return meta.publicSignals.layout.map((e) => {
    if (isHash(e.role)) {
      decodeSignal(publicSignals[e.offset]!, e.offset);
      return { role: e.role, name: e.name, shape: e.shape, values: [], ints: [], hash: publicSignals[e.offset]! };
    }
    const ints = Array.from({ length: e.count }, (_, i) => decodeSignal(publicSignals[e.offset + i]!, e.offset + i));
    return { role: e.role, name: e.name, shape: e.shape, values: ints.map((v) => Number(v) / 2 ** e.scale), ints };
  });
}
