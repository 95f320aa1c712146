/**
 * The verifier page: files in (drop or pick, any order, several drops), the zkinfer/verify
 * module checks them in this page, the answer out. No network calls.
 */
import { FILE_ROLES, ROLE_FILES, identifyFiles, isZkError, verifyFiles, type FileRole, type TimedResult } from "../../src/verify/browser.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const drop = $<HTMLLabelElement>("drop");
const picker = $<HTMLInputElement>("files");

/** The latest file of each role (a later drop replaces an earlier file of the same kind). */
const files: Partial<Record<FileRole, { name: string; json: unknown }>> = {};

async function receive(list: FileList | null): Promise<void> {
  if (!list || list.length === 0) return;
  showError(null);
  try {
    const read = await Promise.all([...list].map(async (f) => ({ name: f.name, text: await f.text() })));
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
  ul.replaceChildren(...FILE_ROLES.map((r) => {
    const li = document.createElement("li");
    const f = files[r];
    li.textContent = f ? `✓ ${ROLE_FILES[r]}: ${f.name}` : `${ROLE_FILES[r]}: still needed`;
    li.className = f ? "got" : "missing";
    li.dataset.role = r;
    return li;
  }));
}

async function verify(): Promise<void> {
  const status = $("status");
  status.textContent = "verifying…";
  status.dataset.state = "";
  $("result").hidden = false;
  try {
    const names = Object.fromEntries(FILE_ROLES.map((r) => [r, files[r]!.name]));
    const r = await verifyFiles({ vkey: files.vkey!.json, proof: files.proof!.json, publicSignals: files.publicSignals!.json, model: files.model!.json }, names);
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
  renderChart(out, top);
  $("sha").firstElementChild!.textContent = r.modelSha256;
  $("time").textContent = `${r.ms.toFixed(0)} ms`;
  $("dev").hidden = !r.development;
}

/** A horizontal bar per output value, scaled to the largest magnitude; the argmax highlighted. */
function renderChart(values: readonly number[], top: number): void {
  const chart = $("chart");
  const scale = Math.max(1e-9, ...values.map(Math.abs));
  const hasNegative = values.some((v) => v < 0);
  chart.replaceChildren(...values.slice(0, 64).map((v, i) => {
    const row = document.createElement("div");
    row.className = i === top ? "bar top" : "bar";
    const label = document.createElement("span");
    label.textContent = String(i);
    const track = document.createElement("span");
    track.className = "track";
    const fill = document.createElement("span");
    fill.className = "fill";
    // with negative values the axis sits in the middle
    const w = (Math.abs(v) / scale) * (hasNegative ? 50 : 100);
    const left = hasNegative ? (v < 0 ? 50 - w : 50) : 0;
    fill.style.left = `${left}%`;
    fill.style.width = `${w}%`;
    track.append(fill);
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = v.toFixed(3);
    row.append(label, track, value);
    return row;
  }));
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
