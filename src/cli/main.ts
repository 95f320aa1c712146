/**
 * The zkinfer command line: a table of commands, each a thin wrapper over the library.
 * Exit codes: 0 success (and "valid"), 1 "invalid" from verify, 2 any error. Errors print
 * one line naming the problem, never a stack trace (ZKINFER_DEBUG=1 shows one).
 */
import { isZkError } from "../errors.js";
import { VERSION } from "../version.js";
import { releaseCurve } from "../prove/curve.js";
import type { Command } from "./command.js";
import { makeOut } from "./output.js";
import { compile } from "./commands/compile.js";
import { setup } from "./commands/setup.js";
import { prove } from "./commands/prove.js";
import { verify } from "./commands/verify.js";
import { run } from "./commands/run.js";
import { demo } from "./commands/demo.js";
import { check } from "./commands/check.js";
import { exportVerifier } from "./commands/export-verifier.js";
import { calldata } from "./commands/calldata.js";
import { exportCircomCommand } from "./commands/export-circom.js";
import { calibrateCommand } from "./commands/calibrate.js";
import { serve } from "./commands/serve.js";
import { worker } from "./commands/worker.js";
import { info } from "./commands/info.js";

const COMMANDS: readonly Command[] = [
  calibrateCommand,
  compile,
  setup,
  prove,
  verify,
  run,
  check,
  exportVerifier,
  exportCircomCommand,
  calldata,
  serve,
  worker,
  demo,
  info,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `zkinfer ${VERSION}: zero-knowledge proofs of neural-network inference (ONNX → Groth16)`,
    "",
    "usage: zkinfer <command> [options]    (zkinfer <command> --help for its options)",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Typical use: compile → setup → prove → verify. `zkinfer demo` runs all four on a bundled model.",
  ].join("\n");
}

/** A reader that stops early (`zkinfer ... | head`) closes stdout: that is not an error. */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  quietOnClosedPipe();
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help() + "\n");
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(VERSION + "\n");
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`zkinfer: unknown command "${name}"\n\n${help()}\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${cmd.summary}\n\nusage: ${cmd.usage}\n`);
    return 0;
  }
  const json = rest.includes("--json");
  try {
    return await cmd.run(rest, makeOut(json));
  } catch (e) {
    if (isZkError(e)) {
      process.stderr.write(`zkinfer ${cmd.name}: error: ${e.message}\n`);
      if (json) process.stdout.write(JSON.stringify({ error: { code: e.code, message: e.message } }) + "\n");
    } else {
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(
        `zkinfer ${cmd.name}: internal error: ${msg}\n(this is a bug in zkinfer; set ZKINFER_DEBUG=1 for details)\n`,
      );
      if (json) process.stdout.write(JSON.stringify({ error: { code: "INTERNAL", message: msg } }) + "\n");
    }
    if (process.env.ZKINFER_DEBUG && e instanceof Error && e.stack) process.stderr.write(e.stack + "\n");
    return 2;
  } finally {
    await releaseCurve();
  }
}
