/**
 * Powers of tau for development: generated locally, cached by power, never for production.
 *
 * snarkjs's own route (`powersoftau new` + `prepare phase2`) spends minutes to hours on FFTs
 * over curve points (78 s at power 12, ~1.8 h at 18 on 2 cores). Here tau, alpha and beta are
 * drawn at random and every section is computed directly from them: the plain powers with
 * ffjavascript's batchApplyKey, and the Lagrange-basis sections ([L_i(tau)]G, a closed form in
 * tau) with a fixed-base table. The toxic waste exists on this machine while the file is
 * made, so anyone who could read its memory could forge proofs: every artifact that depends
 * on such a file says "development only". For production, pass a public ceremony's prepared
 * file with --ptau.
 */
import { promises as fs } from "node:fs";
import * as path from "node:path";
import * as os from "node:os";
import { randomBytes } from "node:crypto";
import type { Curve } from "ffjavascript";
import { binFileHeader, sectionHeader } from "../formats/binfile.js";
import {
  BN254_Q,
  PTAU_MAGIC,
  PTAU_SECTION,
  PTAU_VERSION,
  ptauSectionPoints,
  readPtauLayout,
  type PtauInfo,
  type PtauLayout,
} from "../formats/ptau.js";
import { withFixedBase } from "./fixedbase.js";
import { getCurve } from "./curve.js";
import { exists } from "../util/fsx.js";
import { ZkError, isZkError } from "../errors.js";
import { rememberPtau, verifyPtau, type PtauVerdict, type VerifyPtauOptions } from "./ptau-trust.js";
import type { Progress } from "../util/progress.js";

export const MAX_DEV_POWER = 20;

export function cacheDir(): string {
  if (process.env.ZKINFER_CACHE) return process.env.ZKINFER_CACHE;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  return path.join(base, "zkinfer");
}

export function devPtauPath(power: number): string {
  return path.join(cacheDir(), "ptau", `zkinfer-dev-bn254-${power}.ptau`);
}

export interface DevPtau {
  readonly file: string;
  readonly generated: boolean;
  readonly verdict: PtauVerdict;
  /** Set when a cached file failed its check and was made again. */
  readonly warning?: string;
}

/**
 * Returns the cached development ptau of this power, generating it first if needed. A cached
 * file is checked like any other before use (once per process): the cache is only a folder
 * anyone with the user's rights can write, and a torn or corrupted file would otherwise only
 * show up as keys that cannot prove.
 */
export async function ensureDevPtau(power: number, progress?: Progress): Promise<DevPtau> {
  if (power > MAX_DEV_POWER) {
    throw new ZkError(
      "RESOURCE",
      `a development ptau of power ${power} would take too long to generate here (limit ${MAX_DEV_POWER}); pass a prepared ceremony file with --ptau`,
    );
  }
  const file = devPtauPath(power);
  let warning: string | undefined;
  if (await exists(file)) {
    try {
      const layout = await readPtauLayout(file);
      if (layout.info.power !== power || !layout.info.prepared) {
        throw new ZkError(
          "BAD_FILE",
          `${file}: holds power ${layout.info.power}${layout.info.prepared ? "" : ", unprepared"}, expected a prepared file of power ${power}`,
        );
      }
      // a development file is never a ceremony's: no table to hash against
      return { file, generated: false, verdict: await verifyPtau(file, layout, power, { known: [], progress }) };
    } catch (e) {
      if (!isZkError(e)) throw e;
      warning = `the cached development ptau failed its check and was generated again (${e.message})`;
    }
  }
  await generateDevPtau(power, file, progress);
  const verdict: PtauVerdict = { method: "generated", power };
  await rememberPtau(file, verdict);
  return { file, generated: true, verdict, ...(warning ? { warning } : {}) };
}

function randomScalar(curve: Curve): bigint {
  let v = 0n;
  while (v === 0n) v = BigInt("0x" + randomBytes(40).toString("hex")) % curve.r;
  return v;
}

function powMod(b: bigint, e: bigint, p: bigint): bigint {
  let r = 1n;
  b %= p;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % p;
    b = (b * b) % p;
    e >>= 1n;
  }
  return r;
}

/** Montgomery's batch inversion: n inverses for one exponentiation. */
function batchInverse(xs: bigint[], p: bigint): bigint[] {
  const prefix = new Array<bigint>(xs.length);
  let acc = 1n;
  for (let i = 0; i < xs.length; i++) {
    prefix[i] = acc;
    acc = (acc * xs[i]!) % p;
  }
  let inv = powMod(acc, p - 2n, p);
  const out = new Array<bigint>(xs.length);
  for (let i = xs.length - 1; i >= 0; i--) {
    out[i] = (inv * prefix[i]!) % p;
    inv = (inv * xs[i]!) % p;
  }
  return out;
}

/**
 * L_i(tau) on the domain of size n = 2^p (ffjavascript's roots, so the same points snarkjs's
 * IFFT gives): L_i(tau) = (tau^n - 1)/n · w^i/(tau - w^i). With `dropLast`, the polynomial
 * behind the tau powers lacks its tau^(n-1) term (snarkjs's level power+1 of section 12):
 * subtract w^i·tau^(n-1)/n.
 */
export function lagrangeScalars(curve: Curve, tau: bigint, p: number, dropLast: boolean): bigint[] {
  const r = curve.r;
  const n = 2 ** p;
  const w = curve.Fr.toObject(curve.Fr.w[p]!);
  const wi: bigint[] = new Array(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) {
    wi[i] = acc;
    acc = (acc * w) % r;
  }
  const nInv = powMod(BigInt(n), r - 2n, r);
  const c = (((powMod(tau, BigInt(n), r) - 1n + r) % r) * nInv) % r;
  const inv = batchInverse(
    wi.map((x) => (tau - x + r) % r),
    r,
  );
  const last = dropLast ? (powMod(tau, BigInt(n - 1), r) * nInv) % r : 0n;
  return wi.map((x, i) => (((((c * x) % r) * inv[i]!) % r) - ((x * last) % r) + r) % r);
}

function scalarBytes(values: readonly bigint[], times: bigint, r: bigint): Uint8Array {
  const out = new Uint8Array(values.length * 32);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    let x = (v * times) % r;
    for (let j = 0; j < 32; j += 8) {
      view.setBigUint64(i * 32 + j, BigInt.asUintN(64, x), true);
      x >>= 64n;
    }
  });
  return out;
}

function repeat(point: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(point.length * n);
  for (let i = 0; i < n; i++) out.set(point, i * point.length);
  return out;
}

export async function generateDevPtau(power: number, file: string, progress?: Progress): Promise<void> {
  const curve = await getCurve();
  const r = curve.r;
  const tau = randomScalar(curve),
    alpha = randomScalar(curve),
    beta = randomScalar(curve);
  const Fr = curve.Fr;
  const n = 2 ** power;
  const sizes = ptauSectionPoints(power);
  const total = 2 ** (power + 4); // Lagrange points weighted by cost (a G2 point ≈ 4 G1), the slow part
  let done = 0;
  const tick = (k: number) => {
    done += k;
    progress?.update(`ptau power ${power}`, done / total);
  };

  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fh = await fs.open(tmp, "w");
  try {
    const write = (b: Uint8Array) => fh.write(b);
    const section = async (type: number, size: number, body: () => Promise<void>) => {
      await write(sectionHeader(type, size));
      await body();
    };
    await write(binFileHeader(PTAU_MAGIC, PTAU_VERSION, 11));
    await section(PTAU_SECTION.HEADER, 4 + 32 + 4 + 4, async () => {
      const h = new Uint8Array(44);
      const v = new DataView(h.buffer);
      v.setUint32(0, 32, true);
      let q = BN254_Q;
      for (let j = 0; j < 32; j += 8) {
        v.setBigUint64(4 + j, BigInt.asUintN(64, q), true);
        q >>= 64n;
      }
      v.setUint32(36, power, true);
      v.setUint32(40, power, true);
      await write(h);
    });
    const powers = async (type: number, group: "G1" | "G2", first: bigint) => {
      const { count, bytes } = sizes[type]!;
      await section(type, count * bytes, async () => {
        await write(await curve[group].batchApplyKey(repeat(curve[group].oneAffine, count), Fr.e(first), Fr.e(tau)));
      });
    };
    await powers(PTAU_SECTION.TAU_G1, "G1", 1n);
    await powers(PTAU_SECTION.TAU_G2, "G2", 1n);
    await powers(PTAU_SECTION.ALPHA_TAU_G1, "G1", alpha);
    await powers(PTAU_SECTION.BETA_TAU_G1, "G1", beta);
    await section(PTAU_SECTION.BETA_G2, 128, async () => {
      await write(await curve.G2.batchApplyKey(curve.G2.oneAffine, Fr.e(beta), Fr.e(1n)));
    });
    await section(PTAU_SECTION.CONTRIBUTIONS, 4, async () => {
      await write(new Uint8Array(4)); // no contributions: this file never was a ceremony
    });
    // Lagrange sections: per level p, [L_i(tau)]G (times alpha or beta for 14 and 15)
    const lagrange = async (
      multiply: (s: Uint8Array) => Uint8Array,
      type: number,
      times: bigint,
      levels: number,
      weight: number,
    ) => {
      const { count, bytes } = sizes[type]!;
      await section(type, count * bytes, async () => {
        for (let p = 0; p <= levels; p++) {
          const scalars = lagrangeScalars(curve, tau, p, p === power + 1);
          await write(multiply(scalarBytes(scalars, times, r)));
          tick(scalars.length * weight);
          await new Promise((res) => setImmediate(res)); // let the progress line draw
        }
      });
    };
    await withFixedBase(curve, "G1", (mul) => lagrange(mul, PTAU_SECTION.LAGRANGE_TAU_G1, 1n, power + 1, 1));
    await withFixedBase(curve, "G2", (mul) => lagrange(mul, PTAU_SECTION.LAGRANGE_TAU_G2, 1n, power, 4));
    await withFixedBase(curve, "G1", async (mul) => {
      await lagrange(mul, PTAU_SECTION.LAGRANGE_ALPHA_TAU_G1, alpha, power, 1);
      await lagrange(mul, PTAU_SECTION.LAGRANGE_BETA_TAU_G1, beta, power, 1);
    });
    await fh.close();
    await fs.rename(tmp, file);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw e;
  }
  progress?.done(`ptau power ${power}: generated (${n} powers)`);
}

export interface CheckedPtau {
  readonly info: PtauInfo;
  readonly verdict: PtauVerdict;
}

/** The cheap part of checking a user-supplied ptau, before any heavy work: BN254, prepared, big enough. */
export async function inspectUserPtau(file: string, needPower: number): Promise<PtauLayout> {
  const layout = await readPtauLayout(file);
  const info = layout.info;
  if (!info.prepared) {
    throw new ZkError(
      "BAD_FILE",
      `${file}: this ptau file is not prepared for phase 2; run \`snarkjs powersoftau prepare phase2\` on it first or use a *_final_*.ptau file`,
    );
  }
  if (info.power < needPower) {
    throw new ZkError(
      "RESOURCE",
      `${file}: power ${info.power} is too small; this circuit needs power ${needPower} (2^${needPower} ≥ constraints + public signals + 1)`,
    );
  }
  return layout;
}

/**
 * Checks a user-supplied ptau: the header first, then its content (a known ceremony file's
 * hash, or the consistency check at the power this circuit needs).
 */
export async function checkUserPtau(
  file: string,
  needPower: number,
  opts: VerifyPtauOptions = {},
): Promise<CheckedPtau> {
  const layout = await inspectUserPtau(file, needPower);
  return { info: layout.info, verdict: await verifyPtau(file, layout, needPower, opts) };
}
