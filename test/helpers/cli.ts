/** Running the real CLI (bin/zkinfer.js over dist/) and plain snarkjs in tests. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function zkinfer(args: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [path.resolve("bin/zkinfer.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function snarkjsCli(args: string[]): Run {
  const r = spawnSync(process.execPath, [path.resolve("node_modules/snarkjs/build/cli.cjs"), ...args], {
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
