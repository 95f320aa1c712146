/**
 * A snarkjs logger that feeds our progress line and keeps snarkjs's error messages, which
 * some of its functions log instead of throwing (newZKey returns -1 after logging).
 */
import type { Logger } from "snarkjs";
import type { Progress } from "../util/progress.js";

export interface CapturingLogger extends Logger {
  readonly errors: string[];
}

export function snarkLogger(label: string, progress?: Progress): CapturingLogger {
  const errors: string[] = [];
  const show = (msg: string) => progress?.update(`${label}: ${msg.slice(0, 60)}`);
  return { errors, debug: show, info: show, warn: show, error: (m: string) => errors.push(m) };
}
