/**
 * Start-up stays cheap: `zkinfer --help` and a command's --help load no stage's heavy
 * dependency (snarkjs, ffjavascript, protobufjs, piscina, webgpu). A command that imports one
 * at the top of its file (as export-circom once did, costing 4× a bare node) fails here by name;
 * the timing itself is a benchmark (npm run bench:startup), not a test.
 */
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

const HEAVY = ["snarkjs", "ffjavascript", "protobufjs", "piscina", "webgpu", "bullmq", "fastify"];
const tmp = mkdtempSync(path.join(os.tmpdir(), "zkinfer-startup-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hook = path.join(tmp, "hook.mjs");
writeFileSync(
  hook,
  `export async function resolve(spec, ctx, next) { process.stderr.write("RESOLVE " + spec + "\\n"); return next(spec, ctx); }\n`,
);
const register = path.join(tmp, "register.mjs");
writeFileSync(
  register,
  `import { register } from "node:module"; register(${JSON.stringify(pathToFileURL(hook).href)});\n`,
);

function loaded(args: string[]): string[] {
  const r = spawnSync(process.execPath, ["--import", register, path.resolve("bin/zkinfer.js"), ...args], {
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stderr
    .split("\n")
    .filter((l) => l.startsWith("RESOLVE "))
    .map((l) => l.slice(8));
}

describe("start-up", () => {
  for (const args of [["--help"], ["verify", "--help"], ["export-circom", "--help"], ["prove", "--help"]])
    it(`zkinfer ${args.join(" ")} loads no heavy dependency`, () => {
      const specs = loaded(args);
      expect(specs.length).toBeGreaterThan(5); // the hook saw the CLI's own modules
      expect(specs.filter((s) => HEAVY.some((h) => s === h || s.startsWith(`${h}/`)))).toEqual([]);
    });
});
