/**
 * User input → quantized input tensor. Accepts `{"input": [...]}` (flat or nested) and EZKL's
 * `{"input_data": [[...]]}`. Values outside the accepted range are clamped with a warning, or
 * refused when `strict` is set; NaN, Infinity and non-numbers are always refused.
 */
import type { Ints, IntTensor, PlanValue, QInput } from "./qgraph.js";
import { flattenNumbers } from "./calibration.js";
import { shapeStr, sizeOf } from "../model/shapes.js";
import { ZkError } from "../errors.js";

/** Pulls the input numbers out of a parsed input file. */
export function parseInputJson(json: unknown, shape: readonly number[], file: string): number[] {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ZkError(
      "BAD_INPUT",
      `${file}: expected an object like {"input": [...]}, got ${Array.isArray(json) ? "an array" : typeof json}`,
    );
  }
  const obj = json as Record<string, unknown>;
  let raw: unknown;
  let field: string;
  if ("input" in obj) {
    raw = obj.input;
    field = "input";
  } else if ("input_data" in obj) {
    if (!Array.isArray(obj.input_data) || obj.input_data.length !== 1) {
      throw new ZkError(
        "BAD_INPUT",
        `${file}: "input_data" must be a list with one entry per model input (this model has 1)`,
      );
    }
    raw = obj.input_data[0];
    field = "input_data[0]";
  } else {
    throw new ZkError("BAD_INPUT", `${file}: no "input" field (found: ${Object.keys(obj).join(", ") || "nothing"})`);
  }
  if (!Array.isArray(raw))
    throw new ZkError("BAD_INPUT", `${file}: "${field}" must be an array of numbers, got ${typeof raw}`);
  const values = flattenNumbers(raw, `${file}: ${field}`, "BAD_INPUT");
  if (values.length !== sizeOf(shape)) {
    throw new ZkError(
      "BAD_INPUT",
      `${file}: "${field}" has ${values.length} numbers but the model input ${shapeStr(shape)} needs ${sizeOf(shape)}`,
    );
  }
  return values;
}

export interface QuantizedInput {
  readonly tensor: IntTensor;
  /** how many values were outside the accepted range and clamped */
  readonly clamped: number;
  readonly warnings: readonly string[];
}

export function quantizeInput(
  values: readonly number[],
  spec: QInput,
  strict: boolean,
  what = "input",
): QuantizedInput {
  const k = 2 ** spec.scale;
  const data = new Float64Array(values.length);
  let clamped = 0;
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new ZkError("BAD_INPUT", `${what}[${i}] is ${v}, not a finite number`);
    let q = Math.round(v * k);
    if (q < spec.lo || q > spec.hi) {
      const dist = q < spec.lo ? spec.floatLo - v : v - spec.floatHi;
      if (dist > worst) {
        worst = dist;
        worstAt = i;
      }
      clamped++;
      q = Math.min(Math.max(q, spec.lo), spec.hi);
    }
    data[i] = q;
  }
  const warnings: string[] = [];
  if (clamped > 0) {
    const msg =
      `${clamped} of ${values.length} input values lie outside the accepted range [${spec.floatLo}, ${spec.floatHi}] ` +
      `(from calibration); e.g. ${what}[${worstAt}] = ${values[worstAt]}`;
    if (strict)
      throw new ZkError(
        "BAD_INPUT",
        `${msg}. Recompile with calibration data that covers such inputs, or drop --strict to clamp`,
      );
    warnings.push(`${msg}; clamped them (use --strict to refuse instead)`);
  }
  return { tensor: { shape: spec.shape, data }, clamped, warnings };
}

/** The quantized input spec a compiled model accepts, from model.json's input section. */
export function qinputOf(input: {
  readonly name: string;
  readonly shape: readonly number[];
  readonly scale: number;
  readonly range: readonly [number, number];
  readonly floatRange: readonly [number, number];
}): QInput {
  const [lo, hi] = input.range;
  const [floatLo, floatHi] = input.floatRange;
  return {
    name: input.name,
    shape: input.shape,
    scale: input.scale,
    lo,
    hi,
    floatLo,
    floatHi,
    err: 2 ** -(input.scale + 1),
  };
}

/**
 * A tensor's exact integers as decimal strings (output.json's "integers"): a wide value has no
 * exact double, and the opening of a hashed output must be the committed integers themselves.
 */
export function integersOf(t: PlanValue): string[] {
  return Array.from(t.data as Ints, (v) => BigInt(v).toString());
}

export function dequantize(t: PlanValue, scale: number): number[] {
  const k = 2 ** -scale;
  // a wide value rounds to its nearest double first: a float output needs no more
  return Array.from(t.data as Ints, (v) => Number(v) * k);
}
