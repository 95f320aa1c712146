/**
 * Bookkeeping for the soundness suite: per gadget, how many lies were tried and how many the
 * R1CS caught (every one, or the suite fails). Each test file writes its rows to
 * test/artifacts/soundness-<file>.json for the closing report.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const rows = new Map<string, { tried: number; caught: number }>();

export function record(gadget: string, lie: string, caught: boolean): void {
  const key = `${gadget} | ${lie}`;
  const r = rows.get(key) ?? { tried: 0, caught: 0 };
  r.tried++;
  if (caught) r.caught++;
  rows.set(key, r);
}

export function writeTally(file: string): void {
  const dir = path.resolve("test/artifacts");
  mkdirSync(dir, { recursive: true });
  const table = [...rows].map(([k, v]) => ({ gadget: k.split(" | ")[0], lie: k.split(" | ")[1], ...v }));
  writeFileSync(path.join(dir, `soundness-${file}.json`), JSON.stringify(table, null, 2) + "\n");
  for (const r of table)
    console.log(`${r.gadget.padEnd(24)} ${r.lie.padEnd(44)} tried ${String(r.tried).padStart(6)}  caught ${r.caught}`);
}
