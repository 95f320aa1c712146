/**
 * Whether a prepared powers-of-tau file may feed setup for a circuit of power k:
 *   1. a file whose blake2b-512 is a public ceremony file's (ptau-known.ts) is that file, and is
 *      accepted at once;
 *   2. a development file this machine generated is accepted when its blake2b-512 is still the
 *      one recorded beside it when it was made (ptau.ts says why that is all a check can give);
 *   3. any other file passes the randomized consistency check (ptau-check.ts) or is refused.
 * A verdict is remembered for the rest of the process, keyed by the file's identity, size and
 * modification time, so one run never checks the same file twice.
 */
import { promises as fs } from "node:fs";
import type { PtauLayout } from "../formats/ptau.js";
import { fileDigestHex } from "../util/hash.js";
import { ZkError } from "../errors.js";
import type { Progress } from "../util/progress.js";
import { getCurve } from "./curve.js";
import { checkPtauPoints } from "./ptau-check.js";
import { KNOWN_PTAU, findKnownPtau, type KnownPtau } from "./ptau-known.js";

/** How a file earned its use; setup.json records it. */
export type PtauVerdict =
  /** byte for byte a public ceremony's file */
  | { readonly method: "blake2b"; readonly known: string }
  /** consistent, for every circuit up to this power */
  | { readonly method: "consistency"; readonly power: number }
  /** made by this process from secrets it chose (a development file) */
  | { readonly method: "generated"; readonly power: number }
  /** a development file made earlier on this machine, unchanged since: its hash is the one recorded then */
  | { readonly method: "recorded"; readonly power: number; readonly blake2b: string };

/** What ptau.ts writes beside a development file it generated. */
export interface PtauRecord {
  readonly power: number;
  readonly size: number;
  /** blake2b-512 of the whole file, hex */
  readonly blake2b: string;
}

export interface VerifyPtauOptions {
  /** Files accepted on their hash: the public table unless a caller (a test) passes its own. */
  readonly known?: readonly KnownPtau[];
  readonly progress?: Progress;
}

/**
 * Hashing reads the whole file, ~1.15 KB per power at 0.5–0.7 GB/s here; the check reads only
 * what a power-k circuit uses, at 0.3–0.8 ms per power (18–58 s at 2^16 on 2 shared cores,
 * README). So a file up to 2^6 times the circuit's size hashes in a fraction of the check's
 * time, and past that the check is the quicker route: a good file passes it just the same
 * (setup.json then says "consistency" rather than the ceremony file's name). 2^28 powers,
 * 288 GB, hash in 7–10 minutes.
 */
export const HASH_MAX_EXTRA_POWERS = 6;

/** Verdicts, and checks under way (two setups in one process wait for the same check). */
const verdicts = new Map<string, Promise<PtauVerdict>>();

async function identity(file: string): Promise<string> {
  const st = await fs.stat(file);
  return [await fs.realpath(file), st.dev, st.ino, st.size, st.mtimeMs].join(":");
}

function covers(v: PtauVerdict, need: number): boolean {
  return v.method === "blake2b" || v.power >= need;
}

/**
 * The remembered verdict when it covers `need`, else `check`'s (remembered in turn unless it
 * throws). A file's record vouches for it only on the cache's route: passed with --ptau, the
 * same file is checked as any user's file is.
 */
async function once(
  route: "user" | "recorded",
  file: string,
  need: number,
  check: () => Promise<PtauVerdict>,
): Promise<PtauVerdict> {
  const key = `${route === "user" ? "" : "recorded:"}${await identity(file)}`;
  const pending = verdicts.get(key); // looked up with no await before the set below, so concurrent callers share one run
  const seen = pending ? await pending.catch(() => null) : null;
  if (seen && covers(seen, need)) return seen;
  const run = check();
  verdicts.set(key, run);
  // a refusal is not remembered: the next call checks again (and fails again, with its message)
  run.catch(() => verdicts.get(key) === run && verdicts.delete(key));
  return run;
}

/** Throws a ZkError (BAD_FILE) naming the file and the failed check, or says why the file is fine. */
export function verifyPtau(
  file: string,
  layout: PtauLayout,
  need: number,
  opts: VerifyPtauOptions = {},
): Promise<PtauVerdict> {
  return once(
    "user",
    file,
    need,
    async () =>
      (await matchKnown(file, layout, need, opts)) ?? (await checkConsistency(file, layout, need, opts.progress)),
  );
}

/** Accepts a development file whose size and blake2b-512 are the record's; throws a ZkError (BAD_FILE) otherwise. */
export function verifyRecorded(
  file: string,
  layout: PtauLayout,
  record: PtauRecord,
  progress?: Progress,
): Promise<PtauVerdict> {
  return once("recorded", file, record.power, async () => {
    const hash =
      layout.size === record.size
        ? await fileDigestHex(file, "blake2b512", (done) =>
            progress?.update(`hashing ptau (${(layout.size / 2 ** 30).toFixed(1)} GiB)`, done / layout.size),
          )
        : null;
    progress?.done();
    if (hash !== record.blake2b || layout.info.power !== record.power)
      throw new ZkError(
        "BAD_FILE",
        `${file}: changed since it was generated (${hash === null ? `${layout.size} bytes, ${record.size} recorded` : `blake2b-512 ${hash.slice(0, 16)}…, ${record.blake2b.slice(0, 16)}… recorded`})`,
      );
    return { method: "recorded", power: record.power, blake2b: hash };
  });
}

/** Records a verdict reached without checking (a file this process just generated), on both routes. */
export async function rememberPtau(file: string, verdict: PtauVerdict): Promise<void> {
  const key = await identity(file);
  verdicts.set(key, Promise.resolve(verdict));
  verdicts.set(`recorded:${key}`, Promise.resolve(verdict));
}

async function matchKnown(
  file: string,
  layout: PtauLayout,
  need: number,
  opts: VerifyPtauOptions,
): Promise<PtauVerdict | null> {
  const table = opts.known ?? KNOWN_PTAU;
  const power = layout.info.power;
  if (!table.some((k) => k.power === power) || power - need > HASH_MAX_EXTRA_POWERS) return null;
  const hash = await fileDigestHex(file, "blake2b512", (done) =>
    opts.progress?.update(`hashing ptau (${(layout.size / 2 ** 30).toFixed(1)} GiB)`, done / layout.size),
  );
  opts.progress?.done();
  const hit = findKnownPtau(table, power, hash);
  return hit ? { method: "blake2b", known: hit.name } : null;
}

async function checkConsistency(
  file: string,
  layout: PtauLayout,
  need: number,
  progress?: Progress,
): Promise<PtauVerdict> {
  await checkPtauPoints(await getCurve(), file, layout, need, progress);
  return { method: "consistency", power: need };
}
