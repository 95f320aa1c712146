import * as path from "node:path";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The zkinfer package root (works from src/ under tsx and from dist/ alike). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = path.join(dir, "package.json");
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, "utf8")) as { name?: string }).name === "zkinfer") return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find the zkinfer package root");
    dir = up;
  }
}

/** A bundled example model: test/fixtures/<name>/{model.onnx, calibration.json, samples.json}. */
export function fixtureDir(name: string): string {
  return path.join(packageRoot(), "test", "fixtures", name);
}
