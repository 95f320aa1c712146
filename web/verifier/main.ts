/**
 * The verifier page: files in (drop or pick, any order, several drops), the zkinfer/verify
 * module checks them in this page, the answer out. Besides the four files it takes the
 * openings a verifier may hold (an input and its salt, a claimed output, the ONNX model) and
 * checks each against the proof. No network calls.
 */
import {
  FILE_ROLES,
  OPENING_ROLES,
  ROLE_FILES,
  identifyFiles,
  isZkError,
  verifyFiles,
  type AnyRole,
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

async function receive(list: FileList | null): Promise<void> {
  if (!list || list.length === 0) return;
  showError(null);
  try {
    const all = [...list];
    const model = all.find((f) => /\.onnx$/i.test(f.name));
    if (model) onnx = { name: model.name, bytes: new Uint8Array(await model.arrayBuffer()) };
    const read = await Promise.all(
      all.filter((f) => f !== model).map(async (f) => ({ name: f.name, text: await f.text() })),
    );
    const { found } = identifyFiles(read);
    Object.assign(files, found);
  } catch (e) {
    showError(e);
    return;
  }
  renderReceived();
  const missing = FILE_ROLES.filter((r) => !files[r]);
  if (missing.length === 0) await verify();
  else $("result").hidden = true;
}

function renderReceived(): void {
  const ul = $("received");
  const item = (text: string, cls: string, role: string) => {
    const li = document.createElement("li");
    li.textContent = text;
    li.className = cls;
    li.dataset.role = role;
    return li;
  };
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

async function verify(): Promise<void> {
  const status = $("status");
  status.textContent = "verifying…";
  status.dataset.state = "";
  $("result").hidden = false;
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

function render(r: TimedResult): void {
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
