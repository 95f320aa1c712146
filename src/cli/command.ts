import type { Options } from "./args.js";
import type { Out } from "./output.js";

/** A CLI command: parses its own argv, calls the library, prints; returns the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Options;
  run(argv: string[], out: Out): Promise<number>;
}
