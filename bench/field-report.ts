/** The field benchmark's report: the stdout table, Markdown, and an SVG chart of constraints. */
import type { FieldReport } from "./field.js";
import type { FieldRow, ProverRow } from "./field.js";

const sec = (s: number | null | undefined) =>
  s == null ? "–" : s < 1 ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 0)} ms` : `${s.toFixed(2)} s`;
const mb = (b: number | undefined) => (b == null ? "–" : `${(b / 2 ** 20).toFixed(0)} MB`);
const num = (n: number | null | undefined, est = false) =>
  n == null ? "–" : `${est ? "≈" : ""}${n.toLocaleString("en-US")}`;
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a && b ? `${(a / b).toFixed(a / b < 10 ? 1 : 0)}×` : "–";

function proverCells(r: ProverRow, witness: number | null | undefined): string[] {
  // a baseline that cannot express the model (an op circomlib-ml has no circuit for) has no count at all
  const none = r.skipped !== undefined && r.constraints === 0;
  return [
    none ? "–" : num(r.constraints, r.estimatedCount),
    num(r.wires || null),
    none ? "–" : String(r.ptauPower),
    sec(r.compile),
    sec(r.setup),
    sec(witness),
    sec(r.prove),
    sec(r.verify),
    r.proofBytes == null ? "–" : `${r.proofBytes} B`,
    mb(r.peakRss.prove),
  ];
}

const HEADER = [
  "model",
  "prover",
  "constraints",
  "wires",
  "power",
  "compile",
  "setup",
  "witness",
  "prove",
  "verify",
  "proof",
  "peak RSS (prove)",
];

function rowsOf(r: FieldRow): string[][] {
  const zkWitness = r.zkinfer.witness.wasm ?? r.zkinfer.witness.js;
  return [
    [r.label, "zkinfer (wasm witness)", ...proverCells(r.zkinfer, zkWitness)],
    [
      "",
      "  js witness · circom calc on export",
      "",
      "",
      "",
      "",
      "",
      `${sec(r.zkinfer.witness.js)} · ${sec(r.export.witness)}`,
      "",
      "",
      "",
      "",
    ],
    ["", "baseline (circomlib-ml style)", ...proverCells(r.baseline, r.baseline.witness.circom)],
    ["", "baseline + input range check", ...proverCells(r.baselineChecked, r.baselineChecked.witness.circom)],
  ];
}

function ratiosOf(r: FieldRow): string[] {
  const zk = r.zkinfer;
  return [
    r.label,
    ratio(r.baseline.constraints, zk.constraints),
    ratio(r.baselineChecked.constraints, zk.constraints),
    ratio(r.export.witness, zk.witness.wasm),
    ratio(r.baselineChecked.prove, zk.prove),
    r.export.publicSignalsEqual == null ? "–" : r.export.publicSignalsEqual ? "yes" : "NO",
  ];
}
const RATIO_HEADER = [
  "model",
  "baseline / ours (constraints)",
  "checked baseline / ours",
  "circom witness / our wasm",
  "checked baseline / ours (prove)",
  "export's public signals = ours",
];

function table(header: string[], lines: string[][], md: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) => "| " + cells.map((c, i) => (c ?? "").padEnd(widths[i]!)).join(" | ") + " |";
  const rule = md
    ? "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|"
    : "|" + widths.map((w) => "-".repeat(w + 2)).join("+") + "|";
  return [fmt(header), rule, ...lines.map(fmt)].join("\n");
}

function skips(rep: FieldReport): string[] {
  return rep.rows.flatMap((r) => [
    ...(r.zkinfer.skipped ? [`${r.label}, zkinfer: ${r.zkinfer.skipped}`] : []),
    ...(r.export.skipped ? [`${r.label}, circom export: ${r.export.skipped}`] : []),
    ...(r.baseline.skipped ? [`${r.label}, baseline: ${r.baseline.skipped}`] : []),
    ...(r.baselineChecked.skipped ? [`${r.label}, checked baseline: ${r.baselineChecked.skipped}`] : []),
  ]);
}

function machineLine(rep: FieldReport): string {
  const m = rep.machine;
  return (
    `${m.cpus} × ${m.cpu}, ${m.memGiB} GiB, Node ${m.node}; ${rep.date.slice(0, 10)}; whole suite ${rep.seconds.toFixed(0)} s. ` +
    "Setup: zkinfer's development keys are written directly from their secrets (no ptau file); the baselines' snarkjs setup excludes generating its development ptau (cached by power). Development keys are not for production. ≈: counted from the peers' cost formula, not compiled."
  );
}

export function fieldTable(rep: FieldReport): string {
  return [
    table(HEADER, rep.rows.flatMap(rowsOf), false),
    "",
    table(RATIO_HEADER, rep.rows.map(ratiosOf), false),
    "",
    ...skips(rep).map((s) => `skipped: ${s}`),
    "",
    machineLine(rep),
  ].join("\n");
}

export function fieldMarkdown(rep: FieldReport): string {
  return [
    "# Field benchmark (bench/field.ts)",
    "",
    table(HEADER, rep.rows.flatMap(rowsOf), true),
    "",
    table(RATIO_HEADER, rep.rows.map(ratiosOf), true),
    "",
    ...skips(rep).map((s) => `- skipped: ${s}`),
    "",
    machineLine(rep),
    "",
  ].join("\n");
}

/** Constraints per model, log scale: zkinfer, the baselines, and the peers' published count. */
export function fieldSvg(rep: FieldReport): string {
  const series = [
    { name: "zkinfer", color: "#2b7a3d", get: (r: FieldRow) => r.zkinfer.constraints },
    { name: "baseline (as published)", color: "#9aa5b1", get: (r: FieldRow) => r.baseline.constraints },
    { name: "baseline + input check", color: "#52606d", get: (r: FieldRow) => r.baselineChecked.constraints },
    {
      name: "published (circomlib-ml)",
      color: "#c05621",
      get: (r: FieldRow) =>
        rep.published.find((p) => p.model === r.label && p.tool.startsWith("circomlib-ml"))?.constraints ?? 0,
    },
  ];
  const W = 760,
    H = 360,
    left = 70,
    bottom = 60,
    top = 40;
  const lo = 3,
    hi = 7; // 10^3 .. 10^7
  const y = (v: number) => top + (H - top - bottom) * (1 - (Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo));
  const groupW = (W - left - 20) / Math.max(rep.rows.length, 1);
  const barW = (groupW - 20) / series.length;
  const parts: string[] = [];
  for (let e = lo; e <= hi; e++) {
    parts.push(`<line x1="${left}" x2="${W - 20}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#e4e7eb"/>`);
    parts.push(`<text x="${left - 6}" y="${y(10 ** e) + 4}" text-anchor="end" font-size="11">10^${e}</text>`);
  }
  rep.rows.forEach((r, g) => {
    const x0 = left + g * groupW + 10;
    series.forEach((s, k) => {
      const v = s.get(r);
      if (!v) return;
      parts.push(
        `<rect x="${(x0 + k * barW).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(H - bottom - y(v)).toFixed(1)}" fill="${s.color}"><title>${s.name}: ${v.toLocaleString("en-US")}</title></rect>`,
      );
    });
    parts.push(
      `<text x="${(x0 + (groupW - 20) / 2).toFixed(1)}" y="${H - bottom + 16}" text-anchor="middle" font-size="11">${r.label}</text>`,
    );
  });
  series.forEach((s, k) => {
    parts.push(
      `<rect x="${left + k * 170}" y="10" width="10" height="10" fill="${s.color}"/><text x="${left + k * 170 + 14}" y="19" font-size="11">${s.name}</text>`,
    );
  });
  parts.push(
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="11">constraints (log scale); ${rep.machine.cpus} cores, ${rep.date.slice(0, 10)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">\n${parts.join("\n")}\n</svg>\n`;
}
