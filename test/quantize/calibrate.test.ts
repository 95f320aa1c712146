/**
 * `zkinfer calibrate`: the bit search (quantize/search.ts) finds a cheaper point that still
 * meets its target, its dry constraint counts are the real ones, settings files parse with
 * errors that name the field, and compile --settings builds exactly the circuit calibrate
 * reported.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { importOnnx } from "../../src/model/import.js";
import { calibrate, parseCalibration } from "../../src/quantize/calibration.js";
import { quantize } from "../../src/quantize/quantize.js";
import { measureAgreement, searchBits } from "../../src/quantize/search.js";
import { parseSettings, settingsJson } from "../../src/quantize/settings.js";
import { compileCircuit } from "../../src/circuit/compile.js";
import { DEFAULT_COMPILE } from "../../src/circuit/options.js";
import { fixture, loadModel } from "../helpers/fixtures.js";
import { zkinfer } from "../helpers/cli.js";

const root = mkdtempSync(path.join(os.tmpdir(), "zkinfer-calibrate-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function setup(name: string) {
  const graph = importOnnx(readFileSync(fixture(name, "model.onnx")), name).graph;
  const samples = parseCalibration(
    JSON.parse(readFileSync(fixture(name, "calibration.json"), "utf8")),
    graph.inputs[0]!.shape,
    "calibration",
  );
  return { graph, calib: calibrate(graph, samples) };
}

const cost = (q: Parameters<typeof compileCircuit>[0]) =>
  compileCircuit(q, { ...DEFAULT_COMPILE, dry: true }).nConstraints;

describe("the bit search", () => {
  it("finds fewer constraints on digits_mlp and keeps its target", () => {
    const { graph, calib } = setup("digits_mlp");
    const r = searchBits({ graph, calib, start: DEFAULT_COMPILE, targetAgreement: 0.99, maxError: 0.05, cost });
    expect(r.start.feasible).toBe(true);
    expect(r.best.feasible).toBe(true);
    expect(r.best.constraints!).toBeLessThan(r.start.constraints!);
    // lower bits than the start somewhere: the saving came from the bits, not from nothing
    const o = r.best.opts;
    const lowered =
      o.activationBits < DEFAULT_COMPILE.activationBits ||
      o.weightBits < DEFAULT_COMPILE.weightBits ||
      o.inputBits < DEFAULT_COMPILE.inputBits ||
      Object.keys(o.layers ?? {}).length > 0;
    expect(lowered).toBe(true);
    // measured again from scratch, the result is what the search said
    const q = quantize(graph, calib, o);
    const again = measureAgreement(q, calib.samples, calib.outputs);
    expect(again.agreement).toBe(r.best.agreement);
    expect(again.agreement).toBeGreaterThanOrEqual(0.99);
    expect(again.maxError).toBeLessThanOrEqual(0.05);
    expect(compileCircuit(q, DEFAULT_COMPILE).r1cs.constraints.length).toBe(r.best.constraints);
    // the taken path only ever gets cheaper, and every taken point is feasible
    const taken = r.explored.filter((c) => c.taken);
    expect(taken.every((c) => c.feasible)).toBe(true);
    for (let i = 1; i < taken.length; i++)
      expect(taken[i]!.constraints!).toBeLessThanOrEqual(taken[i - 1]!.constraints!);
  });

  it("an unreachable target keeps the start and says it is not feasible", () => {
    const { graph, calib } = setup("cancer_logreg");
    const r = searchBits({ graph, calib, start: DEFAULT_COMPILE, targetAgreement: 1, maxError: 1e-9, cost });
    expect(r.best.feasible).toBe(false);
    expect(r.best.opts).toEqual(r.start.opts);
  });

  it("stops at maxEvaluations and says so", () => {
    const { graph, calib } = setup("digits_mlp");
    const r = searchBits({
      graph,
      calib,
      start: DEFAULT_COMPILE,
      targetAgreement: 0.99,
      maxError: 0.05,
      cost,
      maxEvaluations: 3,
    });
    expect(r.explored.length).toBe(3);
    expect(r.truncated).toBe(true);
  });
});

describe("dry constraint counts", () => {
  for (const name of ["digits_mlp", "digits_cnn", "cancer_logreg"] as const)
    it(`${name}: a dry compile counts exactly the constraints a real one builds`, () => {
      const { q } = loadModel(name);
      const dry = compileCircuit(q, { ...DEFAULT_COMPILE, dry: true }).nConstraints;
      expect(dry).toBe(compileCircuit(q, DEFAULT_COMPILE).r1cs.constraints.length);
    });

  it("per-layer bits change only their layer, and an unknown layer is refused by name", () => {
    const { graph, calib } = setup("digits_mlp");
    const layer = graph.nodes.find((n) => n.op.kind === "gemm")!.name;
    const base = compileCircuit(quantize(graph, calib, DEFAULT_COMPILE), DEFAULT_COMPILE).nConstraints;
    const fewer = compileCircuit(
      quantize(graph, calib, { ...DEFAULT_COMPILE, layers: { [layer]: { activationBits: 6 } } }),
      DEFAULT_COMPILE,
    ).nConstraints;
    expect(fewer).toBeLessThan(base);
    expect(() => quantize(graph, calib, { ...DEFAULT_COMPILE, layers: { "no-such-node": { weightBits: 6 } } })).toThrow(
      /no-such-node/,
    );
  });
});

describe("settings files", () => {
  const good = { format: "zkinfer-settings", version: 1, options: { activationBits: 9 }, layers: {} };
  it("round-trips, an activation margin of Infinity as null", () => {
    const s = parseSettings(
      { ...good, options: { activationBits: 9, activationMargin: null }, layers: { fc1: { weightBits: 5 } } },
      "s.json",
    );
    expect(s.options).toEqual({ activationBits: 9, activationMargin: Infinity });
    expect(parseSettings(JSON.parse(JSON.stringify(settingsJson(s))), "s.json")).toEqual(s);
  });
  const cases: [string, unknown, RegExp][] = [
    ["not an object", [1], /s\.json: \(the file\) is not a JSON object/],
    ["wrong format", { ...good, format: "other" }, /s\.json: format must be "zkinfer-settings"/],
    ["wrong version", { ...good, version: 2 }, /s\.json: version must be 1/],
    ["unknown option", { ...good, options: { bits: 3 } }, /s\.json: options\.bits is not a setting/],
    ["option not a number", { ...good, options: { weightBits: "8" } }, /options\.weightBits must be a number/],
    ["layer not an object", { ...good, layers: { fc1: 3 } }, /layers\["fc1"\] must be an object/],
    ["layer key", { ...good, layers: { fc1: { inputBits: 3 } } }, /layers\["fc1"\]\.inputBits is not a layer setting/],
    ["layer bits", { ...good, layers: { fc1: { weightBits: 4.5 } } }, /layers\["fc1"\]\.weightBits must be an integer/],
  ];
  for (const [what, j, re] of cases) it(`refuses ${what}`, () => expect(() => parseSettings(j, "s.json")).toThrow(re));
});

describe("zkinfer calibrate → compile --settings", () => {
  const model = fixture("digits_mlp", "model.onnx");
  const cal = fixture("digits_mlp", "calibration.json");
  const settings = path.join(root, "settings.json");

  it("writes settings whose compile is the circuit it reported", () => {
    const r = zkinfer(["calibrate", model, "-c", cal, "-o", settings, "--max-evaluations", "40", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.result.feasible).toBe(true);
    expect(j.result.agreement).toBeGreaterThanOrEqual(0.99);
    expect(j.result.constraints).toBeLessThan(j.start.constraints);
    const file = JSON.parse(readFileSync(settings, "utf8"));
    expect(file.format).toBe("zkinfer-settings");
    const c = zkinfer(["compile", model, "-c", cal, "--settings", settings, "-o", path.join(root, "c"), "--json"]);
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout).constraints).toBe(j.result.constraints);
    expect(c.stderr).not.toMatch(/was searched for/);
  });

  it("warns when the settings were searched for another model", () => {
    const other = JSON.parse(readFileSync(settings, "utf8"));
    other.model.sha256 = "0".repeat(64);
    const f = path.join(root, "other.json");
    writeFileSync(f, JSON.stringify(other));
    const c = zkinfer(["compile", model, "-c", cal, "--settings", f, "-o", path.join(root, "c2"), "--json"]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/was searched for model\.onnx/);
  });

  it("bad options and files are clean errors", () => {
    const a = zkinfer(["calibrate", model, "-c", cal, "--target-agreement", "2"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--target-agreement must be in 0\.\.1/);
    const f = path.join(root, "bad.json");
    writeFileSync(f, JSON.stringify({ format: "zkinfer-settings", version: 1, layers: { x: { weightBits: "a" } } }));
    const b = zkinfer(["compile", model, "-c", cal, "--settings", f, "-o", path.join(root, "c3")]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/bad\.json: layers\["x"\]\.weightBits must be an integer/);
  });
});
