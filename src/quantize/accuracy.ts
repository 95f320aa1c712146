/** How far the quantized model is from the float model, measured on the calibration samples. */
import type { Tensor } from "../model/graph.js";
import type { QGraph } from "./qgraph.js";
import { runQuantized } from "./reference.js";
import { argmax } from "../util/argmax.js";
import { dequantize, quantizeInput } from "./input.js";

export interface AccuracyReport {
  readonly samples: number;
  readonly maxAbsError: number;
  readonly meanAbsError: number;
  /** fraction of samples whose decision (see `decide`) on the first output agrees */
  readonly argmaxAgreement: number;
}

export { argmax };

/** A classifier's decision: the argmax, or for a single output (a probability) whether it is ≥ 0.5. */
export function decide(v: ArrayLike<number>): number {
  return v.length === 1 ? (v[0]! >= 0.5 ? 1 : 0) : argmax(v);
}

export function measureAccuracy(
  q: QGraph,
  samples: readonly Tensor[],
  floatOutputs: readonly (readonly Tensor[])[],
): AccuracyReport {
  let maxErr = 0,
    sumErr = 0,
    count = 0,
    agree = 0;
  samples.forEach((sample, s) => {
    const qin = quantizeInput(Array.from(sample.data), q.input, false);
    const values = runQuantized(q, qin.tensor);
    q.outputs.forEach((o, oi) => {
      const got = dequantize(values.get(o.name)!, o.scale);
      const want = floatOutputs[s]![oi]!.data;
      for (let i = 0; i < got.length; i++) {
        const e = Math.abs(got[i]! - want[i]!);
        maxErr = Math.max(maxErr, e);
        sumErr += e;
        count++;
      }
      if (oi === 0 && decide(got) === decide(want)) agree++;
    });
  });
  return {
    samples: samples.length,
    maxAbsError: maxErr,
    meanAbsError: count ? sumErr / count : 0,
    argmaxAgreement: samples.length ? agree / samples.length : 1,
  };
}
