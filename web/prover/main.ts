/**
 * The proving page: a bundled model (models/index.json), an input drawn or picked, then in this
 * page the witness (witness.ts: WebGPU, or wasm in a Worker), the Groth16 proof (snarkjs in a
 * Worker), the verification (zkinfer/verify) and the output chart. Nothing is uploaded: the
 * page fetches only its own files and the proving key (streamed, cached: models.ts).
 *
 * For tests and the curious, `window.zkinferProver` exposes the witness alone:
 * `witness(planJsonText, inputValues, backend)` → its backend, sha256 and time.
 */
import { parsePlan } from "../../src/circuit/plan-json.js";
import type { WitnessPlan } from "../../src/circuit/plan.js";
import { saltsFor } from "../../src/circuit/salts.js";
import { isZkError, ZkError } from "../../src/errors.js";
import { parseModelMeta, type ModelMeta } from "../../src/meta/model.js";
import { parseInputJson, qinputOf, quantizeInput } from "../../src/quantize/input.js";
import { adapterName, type AdapterReport } from "../../src/witness/backends/webgpu/adapters.js";
import { verifyFiles } from "../../src/verify/browser.js";
import { renderChart } from "../shared/chart.js";
import { fetchJson, fetchText, loadCatalogue, provingKey, type BundledModel, type Samples } from "./models.js";
import { DigitPad } from "./pad.js";
import { client, type ProveReply, type ProveRequest } from "./protocol.js";
import { PageWitness, pageGpu, type PageBackend } from "./witness.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const index = new URL("./models/index.json", location.href);
const prover = client<ProveRequest, ProveReply>(
  () => new Worker(new URL("./prove-worker.ts", import.meta.url), { type: "module" }),
  "the prover worker",
);

interface Loaded {
  readonly entry: BundledModel;
  readonly meta: ModelMeta;
  readonly metaJson: unknown;
  readonly planText: string;
  readonly plan: WitnessPlan;
  readonly vkey: unknown;
  readonly samples: Samples;
}

let loaded: Loaded | null = null;
let input: number[] = [];
let busy = false;

const pad = new DigitPad($<HTMLCanvasElement>("pad"), () => {
  input = Array.from(pad.values);
  markSample(-1);
});

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function loadModel(entry: BundledModel): Promise<Loaded> {
  const at = (f: string) => new URL(f, index);
  const [metaJson, planText, vkey, samples] = await Promise.all([
    fetchJson<unknown>(at(entry.files.model)),
    fetchText(at(entry.files.plan)),
    fetchJson<unknown>(at(entry.files.vkey)),
    fetchJson<Samples>(at(entry.files.samples)),
  ]);
  const meta = parseModelMeta(metaJson, entry.files.model);
  return { entry, meta, metaJson, planText, plan: parsePlan(planText, entry.files.plan), vkey, samples };
}

function showModel(m: Loaded): void {
  $("about").textContent = m.entry.about;
  $("constraints").textContent = m.entry.constraints.toLocaleString("en");
  $("keysize").textContent = `${(m.entry.zkeyBytes / 2 ** 20).toFixed(1)} MiB`;
  $("dev").hidden = !m.entry.development;
  $("draw").hidden = m.entry.input !== "digits8x8";
  $("input-vector").hidden = m.entry.input === "digits8x8";
  $("samples").replaceChildren(
    ...m.samples.inputs.map((_, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.sample = String(i);
      b.textContent = `sample ${i} (label ${m.samples.labels[i]})`;
      b.addEventListener("click", () => pickSample(i));
      return b;
    }),
  );
  pickSample(0);
}

function pickSample(i: number): void {
  const x = loaded!.samples.inputs[i]!.flat(4) as number[];
  if (loaded!.entry.input === "digits8x8") pad.set(x);
  input = x;
  $("input-vector").textContent = `[${x.map((v) => v.toFixed(3)).join(", ")}]`;
  markSample(i);
}

function markSample(i: number): void {
  for (const b of $("samples").querySelectorAll("button")) b.classList.toggle("chosen", b.dataset.sample === String(i));
}

function step(text: string): HTMLLIElement {
  const li = document.createElement("li");
  li.textContent = text;
  $("steps").append(li);
  return li;
}

function showError(e: unknown): void {
  const box = $("error");
  box.hidden = e === null;
  box.textContent =
    e === null ? "" : isZkError(e) ? e.message : `unexpected error: ${(e as Error)?.message ?? String(e)}`;
}

async function prove(witness: PageWitness): Promise<void> {
  if (!loaded || busy) return;
  busy = true;
  $<HTMLButtonElement>("prove").disabled = true;
  showError(null);
  $("steps").replaceChildren();
  $("result").hidden = true;
  const status = $("status");
  status.dataset.state = "";
  const m = loaded;
  try {
    const keyStep = step("proving key…");
    const bar = $<HTMLProgressElement>("key-progress");
    const key = await provingKey(new URL(m.entry.files.zkey, index), m.entry, (got, total) => {
      bar.max = total;
      bar.value = got;
      $("key-status").textContent = `${(got / 2 ** 20).toFixed(1)} / ${(total / 2 ** 20).toFixed(1)} MiB`;
    });
    $("key-status").textContent += key.fromCache ? " (from the cache)" : " (downloaded, now cached)";
    keyStep.textContent = `proving key ${key.fromCache ? "from the cache" : "downloaded"}`;
    keyStep.className = "done";

    const q = quantizeInput(
      parseInputJson({ input }, m.meta.input.shape, "the input"),
      qinputOf(m.meta.input),
      false,
      "the input",
    );
    for (const w of q.warnings) step(`note: ${w}`);
    const wStep = step("witness…");
    const choice = $<HTMLSelectElement>("backend").value as PageBackend;
    const w = await witness.witness(m.planText, m.plan, q.tensor, saltsFor(m.meta), choice);
    const sha = await sha256Hex(new Uint8Array(w.wtns));
    wStep.textContent = `witness on ${w.backend === "webgpu" ? "WebGPU" : "WebAssembly"}: ${w.ms.toFixed(0)} ms`;
    wStep.className = "done";
    wStep.dataset.backend = w.backend;

    const pStep = step("proof (snarkjs, Groth16)…");
    const p = await prover({ zkey: key.bytes.slice(), wtns: w.wtns }, []);
    pStep.textContent = `proof: ${p.ms.toFixed(0)} ms`;
    pStep.className = "done";

    const r = await verifyFiles({ vkey: m.vkey, proof: p.proof, publicSignals: p.publicSignals, model: m.metaJson });
    step(`verification: ${r.ms.toFixed(0)} ms`).className = "done";
    status.textContent = r.valid ? "VALID" : "INVALID";
    status.dataset.state = r.valid ? "valid" : "invalid";
    $("reason").textContent = r.valid ? "" : (r.reason ?? "the pairing check failed");
    const out = r.valid ? r.output : [];
    const top = out.length > 1 ? out.indexOf(Math.max(...out)) : -1;
    $("argmax").textContent = top >= 0 ? String(top) : out.length === 1 ? `output ${out[0]!.toFixed(4)}` : "–";
    renderChart($("chart"), out, top);
    $("witness-time").textContent = `${w.ms.toFixed(0)} ms (${w.backend})`;
    $("witness-time").dataset.backend = w.backend;
    $("prove-time").textContent = `${p.ms.toFixed(0)} ms`;
    $("verify-time").textContent = `${r.ms.toFixed(0)} ms`;
    $("wtns-sha").firstElementChild!.textContent = sha;
    $("proof-json").textContent = JSON.stringify({ proof: p.proof, public: p.publicSignals }, null, 2);
    $("result").hidden = false;
  } catch (e) {
    status.dataset.state = "error";
    showError(e);
  } finally {
    busy = false;
    $<HTMLButtonElement>("prove").disabled = false;
  }
}

async function start(): Promise<void> {
  const [catalogue, gpu] = await Promise.all([loadCatalogue(index), pageGpu()]);
  const witness = new PageWitness(gpu);
  $("gpu").textContent = gpu.adapter ? adapterName(gpu.adapter) : `none (${gpu.problem})`;
  const wanted = new URLSearchParams(location.search).get("backend");
  if (wanted === "webgpu" || wanted === "wasm" || wanted === "auto") $<HTMLSelectElement>("backend").value = wanted;
  const select = $<HTMLSelectElement>("model");
  select.replaceChildren(
    ...catalogue.map((c) => {
      const o = document.createElement("option");
      o.value = c.id;
      o.textContent = c.title;
      return o;
    }),
  );
  const choose = async () => {
    const entry = catalogue.find((c) => c.id === select.value);
    if (!entry) return;
    $<HTMLButtonElement>("prove").disabled = true;
    try {
      loaded = await loadModel(entry);
      showModel(loaded);
      $<HTMLButtonElement>("prove").disabled = false;
    } catch (e) {
      showError(e);
    }
  };
  select.addEventListener("change", () => void choose());
  $("prove").addEventListener("click", () => void prove(witness));
  $("clear").addEventListener("click", () => pad.clear());
  const hooks: ProverHooks = {
    async witness(planText, values, backend) {
      const plan = parsePlan(planText, "plan.json");
      const data = Float64Array.from(values);
      const t = plan.tensors[plan.input]!;
      const r = await witness.witness(planText, plan, { shape: t.shape, data }, { input: 1n, output: 2n }, backend);
      return { backend: r.backend, sha256: await sha256Hex(new Uint8Array(r.wtns)), ms: r.ms };
    },
    gpu: gpu.adapter,
  };
  (window as unknown as { zkinferProver: ProverHooks }).zkinferProver = hooks;
  await choose();
  document.body.dataset.ready = "1";
}

/** The witness alone, for tests: a plan's witness on a backend, as its sha256. */
interface ProverHooks {
  witness(
    planText: string,
    values: readonly number[],
    backend: PageBackend,
  ): Promise<{ backend: string; sha256: string; ms: number }>;
  readonly gpu: AdapterReport | null;
}

start().catch((e: unknown) => {
  showError(e instanceof ZkError ? e : new ZkError("BAD_FILE", `the page could not start: ${String(e)}`));
  document.body.dataset.ready = "error";
});
