/**
 * The verifier page: files in (drop or pick, any order, several drops), the zkinfer/verify
 * module checks them in this page, the answer out. Besides the four files it takes the
 * openings a verifier may hold (an input and its salt, a claimed output, the ONNX model) and
 * checks each against the proof. A split model's files (a manifest among them) take the
 * chain's path instead: identifyChainFiles sorts them onto the manifest's segments and
 * verifyChainFiles checks every segment and every link. No network calls.
 */
import {
  FILE_ROLES,
  OPENING_ROLES,
  ROLE_FILES,
  ZkError,
  chainInputsOf,
  identifyChainFiles,
  identifyFiles,
  isZkError,
  verifyChainFiles,
  verifyFiles,
  type AnyRole,
  type ChainFileSet,
  type ChainVerifyResult,
  type NamedFile,
  type TimedResult,
} from "../../src/verify/browser.js";
import { renderChart } from "../shared/chart.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const drop = $<HTMLLabelElement>("drop");
const picker = $<HTMLInputElement>("files");

/** The latest file of each role (a later drop replaces an earlier file of the same kind). */
const files: Partial<Record<AnyRole, { name: string; json: unknown }>> = {};
/** An ONNX model, when one was dropped: checked against the params commitment (or the compiled model). */
let onnx: { name: string; bytes: Uint8Array } | null = null;
/** Every JSON file received, in order: a split model's files are sorted from all of them at each drop. */
const received: NamedFile[] = [];
/** A split model's files as sorted so far; null while no file is a split model's own (one circuit's flow). */
let chain: ChainFileSet | null = null;

async function receive(list: FileList | null): Promise<void> {
  if (!list || list.length === 0) return;
  showError(null);
  try {
    const all = [...list];
    const model = all.find((f) => /\.onnx$/i.test(f.name));
    const read = await Promise.all(
      all.filter((f) => f !== model).map(async (f) => ({ name: f.name, text: await f.text() })),
    );
    // a batch that does not sort is refused whole, and not kept for the next drop
    const next = await identifyChainFiles([...received, ...read]);
    if (next && model)
      throw new ZkError(
        "BAD_FILE",
        `${model.name}: a split model's weights are fixed in its segments' keys; there is nothing to check`,
      );
    received.push(...read);
    chain = next;
    if (model) onnx = { name: model.name, bytes: new Uint8Array(await model.arrayBuffer()) };
    if (!chain) Object.assign(files, identifyFiles(read).found);
  } catch (e) {
    showError(e);
    return;
  }
  if (chain) return receiveChain(chain);
  renderReceived();
  const missing = FILE_ROLES.filter((r) => !files[r]);
  if (missing.length === 0) await verify();
  else $("result").hidden = true;
}

async function receiveChain(set: ChainFileSet): Promise<void> {
  renderChainReceived(set);
  const inputs = chainInputsOf(set);
  if (!inputs) {
    $("result").hidden = true;
    return;
  }
  startVerifying();
  try {
    render(await verifyChainFiles(inputs));
  } catch (e) {
    $("result").hidden = true;
    showError(e);
  }
}

const item = (text: string, cls: string, role: string) => {
  const li = document.createElement("li");
  li.textContent = text;
  li.className = cls;
  li.dataset.role = role;
  return li;
};

/** What a split model's verification has and still needs, segment by segment. */
function renderChainReceived(set: ChainFileSet): void {
  const got = (role: string, what: string, f: { name: string } | null) =>
    f ? item(`✓ ${what}: ${f.name}`, "got", role) : item(`${what}: still needed`, "missing", role);
  const dirs = set.manifest?.parsed.segments.map((s) => s.dir) ?? [];
  $("received").replaceChildren(
    got("manifest", "manifest.json", set.manifest),
    ...set.segments.flatMap((s, i) => [
      got(`model:${i}`, `${dirs[i]}/model.json`, s.model),
      got(`vkey:${i}`, `${dirs[i]}/verification_key.json`, s.vkey),
    ]),
    ...(set.waiting > 0 ? [item(`${set.waiting} segment file(s) wait for manifest.json`, "missing", "waiting")] : []),
    got("proof", "proof.json (the chain's)", set.proof),
    got("publicSignals", "public.json (the chain's)", set.publicSignals),
  );
}

function renderReceived(): void {
  const ul = $("received");
  ul.replaceChildren(
    ...FILE_ROLES.map((r) =>
      files[r]
        ? item(`✓ ${ROLE_FILES[r]}: ${files[r]!.name}`, "got", r)
        : item(`${ROLE_FILES[r]}: still needed`, "missing", r),
    ),
    ...OPENING_ROLES.filter((r) => files[r]).map((r) =>
      item(`✓ ${ROLE_FILES[r]} (to check): ${files[r]!.name}`, "got", r),
    ),
    ...(onnx ? [item(`✓ model (to check): ${onnx.name}`, "got", "onnx")] : []),
  );
}

function startVerifying(): void {
  const status = $("status");
  status.textContent = "verifying…";
  status.dataset.state = "";
  $("result").hidden = false;
}

async function verify(): Promise<void> {
  startVerifying();
  try {
    const names = {
      ...Object.fromEntries(Object.entries(files).map(([r, f]) => [r, f.name])),
      ...(onnx ? { onnx: onnx.name } : {}),
    };
    const r = await verifyFiles(
      {
        vkey: files.vkey!.json,
        proof: files.proof!.json,
        publicSignals: files.publicSignals!.json,
        model: files.model!.json,
        input: files.input?.json,
        inputSalt: files.inputSalt?.json,
        output: files.output?.json,
        onnx: onnx?.bytes,
      },
      names,
    );
    render(r);
  } catch (e) {
    $("result").hidden = true;
    showError(e);
  }
}

/** One circuit's result, or a chain's (its segment count and split id instead of one key). */
function render(r: TimedResult | (ChainVerifyResult & { readonly ms: number })): void {
  const isChain = "segments" in r;
  for (const el of document.querySelectorAll<HTMLElement>("[data-mode]"))
    el.hidden = el.dataset.mode !== (isChain ? "chain" : "single");
  if (isChain) {
    $("segments").textContent = String(r.segments);
    $("splitid").firstElementChild!.textContent = r.splitId;
  }
  const status = $("status");
  status.textContent = r.valid ? "VALID" : "INVALID";
  status.dataset.state = r.valid ? "valid" : "invalid";
  $("reason").textContent = r.valid ? "" : (r.reason ?? "the pairing check failed");
  const out = r.valid ? r.output : [];
  const top = out.length > 1 ? out.indexOf(Math.max(...out)) : -1;
  $("argmax").textContent = top >= 0 ? String(top) : out.length === 1 ? `output ${out[0]!.toFixed(4)}` : "–";
  renderChart($("chart"), out, top);
  $("name").textContent = r.model.name;
  $("sha").firstElementChild!.textContent = r.model.onnxSha256;
  $("arch").firstElementChild!.textContent = r.model.architectureSha256;
  $("vkhash").firstElementChild!.textContent = r.model.verificationKeySha256;
  $("checks").replaceChildren(
    ...r.checks.map((c) => {
      const li = document.createElement("li");
      li.className = c.match ? "match" : "mismatch";
      li.dataset.what = c.what;
      li.textContent = `${c.match ? "MATCH" : "MISMATCH"} ${c.what}: ${c.detail}`;
      return li;
    }),
  );
  $("time").textContent = `${r.ms.toFixed(0)} ms`;
  $("dev").hidden = !r.development;
}

function showError(e: unknown): void {
  const box = $("error");
  if (e === null) {
    box.hidden = true;
    box.textContent = "";
    return;
  }
  box.hidden = false;
  box.textContent = isZkError(e) ? e.message : `unexpected error: ${(e as Error)?.message ?? String(e)}`;
}

picker.addEventListener("change", () => void receive(picker.files).then(() => (picker.value = "")));
drop.addEventListener("dragover", (ev) => {
  ev.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (ev) => {
  ev.preventDefault();
  drop.classList.remove("over");
  void receive(ev.dataTransfer?.files ?? null);
});
renderReceived();
