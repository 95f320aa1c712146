// Bundles the fixture models with the proving page (npm run build:prover runs this after the
// page's Vite build): each is compiled and set up (a development-only key: the ptau comes from
// zkinfer's dev generator, cached), and its model.json, plan.json, proving key, verification
// key and samples are copied to dist/prover/models/<id>/, listed in models/index.json with the
// key's size and SHA-256 (the page checks its download and its cache against them). The
// compiled folders are kept under the ptau cache (ZKINFER_CACHE), so a rebuild skips setup.
// Needs dist/ (npm run build:lib).
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const lib = path.join(root, "dist", "src", "index.js");
if (!existsSync(lib)) throw new Error(`${lib} is missing: run npm run build:lib first`);
const { compileToDir, setupDir, DEFAULT_COMPILE, FILES, releaseCurve } = await import(lib);
const { cacheDir } = await import(path.join(root, "dist", "src", "prove", "ptau.js"));

const MODELS = [
  {
    id: "digits_cnn",
    title: "Handwritten digit, CNN (8×8)",
    about: "Conv 3×3 → ReLU → MaxPool → Gemm on scikit-learn's 8×8 digits: draw a digit, or pick a test sample.",
    input: "digits8x8",
  },
  {
    id: "digits_mlp",
    title: "Handwritten digit, MLP (8×8)",
    about: "A 64-32-16-10 perceptron with ReLUs on scikit-learn's 8×8 digits: draw a digit, or pick a test sample.",
    input: "digits8x8",
  },
  {
    id: "cancer_logreg",
    title: "Breast cancer, logistic regression",
    about: "30 standardized features of scikit-learn's breast-cancer set → P(benign): pick a test sample.",
    input: "samples",
  },
];

const out = path.join(root, "dist", "prover", "models");
if (!existsSync(path.join(root, "dist", "prover", "index.html")))
  throw new Error(
    "dist/prover/index.html is missing: build the page first (vite build --config web/prover/vite.config.mjs)",
  );
const sha256 = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");
const entries = [];
for (const m of MODELS) {
  const fixture = path.join(root, "test", "fixtures", m.id);
  const work = path.join(cacheDir(), "prover-models", m.id);
  const compiled = await compileToDir(
    path.join(fixture, "model.onnx"),
    path.join(fixture, "calibration.json"),
    work,
    DEFAULT_COMPILE,
  );
  const setup = await setupDir(work, {});
  const dir = path.join(out, m.id);
  mkdirSync(dir, { recursive: true });
  for (const f of [FILES.model, FILES.plan, FILES.zkey, FILES.vkey])
    copyFileSync(path.join(work, f), path.join(dir, f));
  const samples = JSON.parse(readFileSync(path.join(fixture, "samples.json"), "utf8"));
  writeFileSync(path.join(dir, "samples.json"), JSON.stringify({ inputs: samples.inputs, labels: samples.labels }));
  const zkey = path.join(dir, FILES.zkey);
  entries.push({
    ...m,
    files: Object.fromEntries(
      [
        ["model", FILES.model],
        ["plan", FILES.plan],
        ["vkey", FILES.vkey],
        ["zkey", FILES.zkey],
        ["samples", "samples.json"],
      ].map(([k, f]) => [k, `${m.id}/${f}`]),
    ),
    zkeyBytes: statSync(zkey).size,
    zkeySha256: sha256(zkey),
    development: setup.info.ptau.development,
    constraints: compiled.meta.circuit.constraints,
  });
  console.log(`bundled ${m.id}: ${compiled.meta.circuit.constraints} constraints, key ${statSync(zkey).size} bytes`);
}
writeFileSync(
  path.join(out, "index.json"),
  JSON.stringify({ format: "zkinfer-prover-models", version: 1, models: entries }, null, 2) + "\n",
);
await releaseCurve();
