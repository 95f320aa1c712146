/**
 * `zkinfer prove` when a witness worker fails (a fault injected with ZKINFER_TEST_FAULT, see
 * src/witness/fault.ts): exit code 2, one line on stderr naming the worker, the step and its
 * message, no stack trace, no output file left, and no hang. The batch path is the one that
 * starts workers for a fixture-sized model: one input alone runs on the main thread (the
 * fixtures are far below `usefulThreads`' threshold), where test faults never strike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_COMPILE } from "../../src/circuit/compile-model.js";
import { compileToDir } from "../../src/artifacts.js";
import { setupDir } from "../../src/prove/setup.js";
import { releaseCurve } from "../../src/prove/curve.js";
import { zkinfer, type Run } from "../helpers/cli.js";
import { fixture, loadSamples } from "../helpers/fixtures.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-faults-"));
const dir = path.join(root, "cancer");
const f = (name: string) => path.join(root, name);

beforeAll(async () => {
  await compileToDir(
    fixture("cancer_logreg", "model.onnx"),
    fixture("cancer_logreg", "calibration.json"),
    dir,
    DEFAULT_COMPILE,
  );
  await setupDir(dir, {});
  const samples = loadSamples("cancer_logreg");
  for (const i of [0, 1]) writeFileSync(f(`in${i}.json`), JSON.stringify({ input: samples.inputs[i] }));
});

afterAll(async () => {
  rmSync(root, { recursive: true, force: true });
  await releaseCurve();
});

/** A batch of two inputs on two workers, with `fault` in the environment; and its wall time. */
function proveBatch(fault: string, out: string): Run & { seconds: number } {
  const t = performance.now();
  const r = zkinfer(["prove", dir, "-i", f("in0.json"), "-i", f("in1.json"), "-o", f(out), "--threads", "2"], {
    ZKINFER_TEST_FAULT: fault,
  });
  return { ...r, seconds: (performance.now() - t) / 1000 };
}

function expectOneLineError(r: Run, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Files left under `out`, tmp files of an interrupted write included. */
function filesUnder(out: string): string[] {
  return existsSync(out)
    ? readdirSync(out, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
    : [];
}

describe("prove with a failing witness worker", () => {
  it("a worker that exits mid-witness: exit 2, one line, nothing written, no hang", () => {
    const r = proveBatch("exit@3", "out-exit");
    expectOneLineError(
      r,
      /^zkinfer prove: error: witness worker \(thread \d+\) died while computing step \d+ \([a-z ]+\): worker exited with code: 3$/,
    );
    expect(r.seconds).toBeLessThan(10);
    expect(filesUnder(f("out-exit"))).toEqual([]);
  });

  it("a worker whose kernel throws: exit 2 with the worker's message", () => {
    const r = proveBatch("throw@3", "out-throw");
    expectOneLineError(
      r,
      /^zkinfer prove: error: witness worker \(thread \d+\) failed while computing step \d+ \([a-z ]+\): injected fault: kernel call 3 \(\w+\) threw$/,
    );
    expect(r.seconds).toBeLessThan(10);
    expect(filesUnder(f("out-throw"))).toEqual([]);
  });

  it("--json carries the WORKER code", () => {
    const r = zkinfer(
      ["prove", dir, "-i", f("in0.json"), "-i", f("in1.json"), "-o", f("out-json"), "--threads", "2", "--json"],
      { ZKINFER_TEST_FAULT: "exit@2" },
    );
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe("WORKER");
  });

  it("a fault never strikes the main thread: one input alone still proves", () => {
    const r = zkinfer(["prove", dir, "-i", f("in0.json"), "-o", f("out-one")], { ZKINFER_TEST_FAULT: "exit@1" });
    expect(r.code, r.stderr).toBe(0);
  });

  it("a malformed ZKINFER_TEST_FAULT is refused", () => {
    expectOneLineError(proveBatch("boom", "out-bad"), /ZKINFER_TEST_FAULT must be KIND@CALL/);
  });
});
