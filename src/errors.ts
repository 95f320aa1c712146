/**
 * The one error type the library throws for anything a user can cause: a bad model, input,
 * option or file. The CLI prints `message` (never a stack) and exits 2. Anything else that
 * escapes is a bug in zkinfer and is reported as such.
 */
export class ZkError extends Error {
  override readonly name = "ZkError";
  /** A short stable code for scripts (`--json` output carries it). */
  readonly code: ZkErrorCode;

  constructor(code: ZkErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export type ZkErrorCode =
  | "BAD_MODEL" // malformed or unsupported ONNX
  | "UNSUPPORTED_OP" // ONNX ops we cannot compile (all listed at once)
  | "BAD_CALIBRATION"
  | "BAD_INPUT" // input JSON: shape, type, NaN/Inf, range
  | "BAD_FILE" // a zkinfer/snarkjs artifact that is missing, corrupt or mismatched
  | "BAD_OPTION"
  | "OVERFLOW" // a value bound that could wrap the field or the witness arithmetic
  | "RESOURCE" // not enough ptau power, memory or time for the job
  | "UNSATISFIED" // a witness that does not satisfy the R1CS
  | "WORKER" // a witness worker thread threw or died (its message, and the step it was on, in `message`)
  | "GPU"; // no WebGPU adapter, or the GPU device failed (lost, a kernel that did not compile)

export function isZkError(e: unknown): e is ZkError {
  return e instanceof ZkError;
}

/** Describes an unknown thrown value in one line (for wrapping third-party errors). */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
