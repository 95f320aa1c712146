/**
 * Running circom (the circom2 npm package: circom compiled to WebAssembly, run under WASI)
 * and its generated witness calculator, for the export test and the field benchmarks.
 *
 * circom2 resolves paths relative to the working directory it is started in (it preopens that
 * directory and its parents), so it runs from the package root with relative paths.
 * The generated `*_js/` folder is CommonJS inside an ESM package: a package.json saying so
 * goes into it (see shared TOOLCHAIN notes).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { packageRoot } from "../src/util/paths.js";

export interface CircomBuild {
  readonly r1cs: string;
  readonly wasm: string;
  readonly jsDir: string;
  /** the compiler's own summary */
  readonly nonLinear: number;
  readonly linear: number;
  readonly wires: number;
  readonly seconds: number;
  readonly peakRss: number;
}

/** circom FILE --r1cs --wasm --O1 -o OUTDIR (with circomlib on the include path). */
export function compileCircom(
  file: string,
  outDir: string,
  opt: "O0" | "O1" | "O2" = "O1",
  extraIncludes: readonly string[] = [],
): CircomBuild {
  const root = packageRoot();
  const rel = (p: string) => path.relative(root, path.resolve(p)) || ".";
  const cli = path.join(root, "node_modules", "circom2", "cli.js");
  const includes = [path.join(root, "node_modules"), path.join(root, "circuits"), ...extraIncludes].flatMap((d) => [
    "-l",
    rel(d),
  ]);
  const t0 = performance.now();
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "%M", process.execPath, cli, rel(file), "--r1cs", "--wasm", `--${opt}`, ...includes, "-o", rel(outDir)],
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  // circom colours its report: drop the ANSI escapes (ESC [ ... m)
  const plain = out.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g"), "");
  if (r.status !== 0 || !/Everything went okay/.test(plain))
    throw new Error(`circom ${file} failed:\n${plain.split("\n").slice(0, 30).join("\n")}`);
  const num = (label: string) => Number(new RegExp(`^${label}: (\\d+)`, "m").exec(plain)?.[1] ?? NaN);
  const base = path.basename(file, ".circom");
  const jsDir = path.join(outDir, `${base}_js`);
  writeFileSync(path.join(jsDir, "package.json"), JSON.stringify({ type: "commonjs" }) + "\n");
  const rss = Number(/(\d+)\s*$/.exec(r.stderr.trim())?.[1] ?? 0) * 1024;
  return {
    r1cs: path.join(outDir, `${base}.r1cs`),
    wasm: path.join(jsDir, `${base}.wasm`),
    jsDir,
    nonLinear: num("non-linear constraints"),
    linear: num("linear constraints"),
    wires: num("wires"),
    seconds,
    peakRss: rss,
  };
}

type Calculator = {
  calculateWitness(input: unknown, sanityCheck: boolean): Promise<bigint[]>;
  calculateWTNSBin(input: unknown, sanityCheck: boolean): Promise<Uint8Array>;
};

/** circom's own witness calculator for a build, loaded once. */
export async function circomCalculator(build: CircomBuild): Promise<Calculator> {
  const require = createRequire(import.meta.url);
  const make = require(path.resolve(build.jsDir, "witness_calculator.js")) as (code: Uint8Array) => Promise<Calculator>;
  return make(readFileSync(build.wasm));
}
