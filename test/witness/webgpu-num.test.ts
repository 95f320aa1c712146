/**
 * The WGSL integers (kernels/webgpu/num.wgsl) and field encoder (field.wgsl) at every width the
 * backend implements, 1 to 7 limbs, against BigInt: add, sub, mul (mod 2^(32·W)), shifts both
 * ways, signed comparison, bits and the field element of a signed value, over random operands
 * of every magnitude (a plan's values only reach a fraction of these widths today). Skipped
 * without a WebGPU adapter, unless ZKINFER_REQUIRE_WEBGPU=1.
 */
import { describe, expect, it } from "vitest";
import { nodeDevice, nodeGpu } from "../../src/witness/backends/webgpu/node-gpu.js";
import { arithmeticSource } from "../../src/witness/backends/webgpu/shaders.js";
import { MAX_LIMBS } from "../../src/witness/backends/webgpu/formats.js";
import { P } from "../../src/field.js";
import { rng } from "../helpers/onnx.js";

const gpu = await nodeGpu();
if (gpu.adapters.length === 0 && process.env.ZKINFER_REQUIRE_WEBGPU === "1")
  throw new Error(`ZKINFER_REQUIRE_WEBGPU=1 but ${gpu.problem}`);

/** Per case, outputs: add, sub, mul, shl, sar (W limbs each), lt, bit (1 each), field (8). */
const KERNEL = `
@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read> s: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;
fn ld(buf: u32, i: u32) -> N {
  var r: N;
  for (var k = 0u; k < W; k++) {
    if (buf == 0u) { r[k] = a[i * W + k]; } else { r[k] = b[i * W + k]; }
  }
  return r;
}
fn st(at: u32, v: N) { for (var k = 0u; k < W; k++) { out[at + k] = v[k]; } }
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= arrayLength(&s)) { return; }
  let x = ld(0u, i);
  let y = ld(1u, i);
  let o = i * (5u * W + 10u);
  st(o, n_add(x, y));
  st(o + W, n_sub(x, y));
  st(o + 2u * W, n_mul(x, y));
  st(o + 3u * W, n_shl(x, s[i]));
  st(o + 4u * W, n_sar(x, s[i]));
  out[o + 5u * W] = select(0u, 1u, n_lt(x, y));
  out[o + 5u * W + 1u] = n_bit(x, s[i]);
  let f = field_limbs(x);
  for (var k = 0u; k < 8u; k++) { out[o + 5u * W + 2u + k] = f[k]; }
}`;

const toLimbs = (v: bigint, w: number) =>
  Array.from({ length: w }, (_, k) => Number(BigInt.asUintN(32, BigInt.asUintN(32 * w, v) >> BigInt(32 * k))));
const fromLimbs = (u: Uint32Array, at: number, w: number) => {
  let v = 0n;
  for (let k = w - 1; k >= 0; k--) v = (v << 32n) | BigInt(u[at + k]!);
  return v;
};

describe.skipIf(gpu.adapters.length === 0)("WGSL integers against BigInt", () => {
  for (let w = 1; w <= MAX_LIMBS; w++) {
    it(`${w} limb${w > 1 ? "s" : ""}`, async () => {
      const { device } = await nodeDevice();
      const r = rng(100 + w);
      const bits = 32 * w;
      const n = 256;
      const random = () => {
        // magnitudes of every size, both signs, and the extremes
        const len = Math.floor(r() * bits);
        let v = 0n;
        for (let k = 0; k < len; k += 16) v = (v << 16n) | BigInt(Math.floor(r() * 65536));
        v = BigInt.asUintN(Math.max(len, 1), v);
        return r() < 0.5 ? -v : v;
      };
      const signed = (v: bigint) => BigInt.asIntN(bits, v);
      const xs = Array.from({ length: n }, (_, i) =>
        i === 0 ? -(1n << BigInt(bits - 1)) : i === 1 ? (1n << BigInt(bits - 1)) - 1n : random(),
      );
      const ys = Array.from({ length: n }, () => random());
      const ss = Array.from({ length: n }, () => Math.floor(r() * bits));
      const upload = (data: Uint32Array<ArrayBuffer>) => {
        const buf = device.createBuffer({ size: Math.max(16, data.byteLength), usage: 0x80 | 0x8 });
        device.queue.writeBuffer(buf, 0, data);
        return buf;
      };
      const per = 5 * w + 10;
      const out = device.createBuffer({ size: n * per * 4, usage: 0x80 | 0x4 });
      const read = device.createBuffer({ size: n * per * 4, usage: 0x1 | 0x8 });
      const module = device.createShaderModule({ code: arithmeticSource(w) + KERNEL });
      const pipeline = await device.createComputePipelineAsync({
        layout: "auto",
        compute: { module, entryPoint: "main" },
      });
      const bg = device.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          upload(Uint32Array.from(xs.flatMap((v) => toLimbs(v, w)))),
          upload(Uint32Array.from(ys.flatMap((v) => toLimbs(v, w)))),
          upload(Uint32Array.from(ss)),
          out,
        ].map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
      const enc = device.createCommandEncoder();
      const pass = enc.beginComputePass();
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(n / 64);
      pass.end();
      enc.copyBufferToBuffer(out, 0, read, 0, n * per * 4);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(0x1);
      const u = new Uint32Array(read.getMappedRange().slice(0));
      read.unmap();
      for (let i = 0; i < n; i++) {
        const [x, y, s] = [xs[i]!, ys[i]!, BigInt(ss[i]!)];
        const o = i * per;
        const got = (k: number) => signed(fromLimbs(u, o + k * w, w));
        const what = `${w} limbs, x = ${x}, y = ${y}, s = ${s}`;
        expect(got(0), `add, ${what}`).toBe(signed(x + y));
        expect(got(1), `sub, ${what}`).toBe(signed(x - y));
        expect(got(2), `mul, ${what}`).toBe(signed(x * y));
        expect(got(3), `shl, ${what}`).toBe(signed(x << s));
        expect(got(4), `sar, ${what}`).toBe(x >> s);
        expect(u[o + 5 * w], `lt, ${what}`).toBe(x < y ? 1 : 0);
        expect(u[o + 5 * w + 1], `bit, ${what}`).toBe(Number((BigInt.asUintN(bits, x) >> s) & 1n));
        expect(fromLimbs(u, o + 5 * w + 2, 8), `field, ${what}`).toBe(((x % P) + P) % P);
      }
    });
  }
});
