// zkinfer's witness kernels (AssemblyScript → WebAssembly with SIMD).
//
// Memory is laid out by the JS side (src/witness/wasm/backend.ts): every pointer argument is a
// byte address, tensors are i64, and each kernel takes an index range [from, to) so several
// threads can share one (shared) memory and split a step. Semantics are those of the js
// backend (src/witness/backends/js.ts), which is the oracle the tests compare against byte
// for byte. Field elements are 32 bytes, little-endian, in normal form (the .wtns layout).

// p, BN254's scalar field, as four little-endian u64 limbs
const P0: u64 = 0x43e1f593f0000001;
const P1: u64 = 0x2833e84879b97091;
const P2: u64 = 0xb85045b68181585d;
const P3: u64 = 0x30644e72e131a029;

export function heap_base(): usize {
  return __heap_base;
}

/** v mod p as 32 bytes at dst (|v| < 2^63). */
@inline function encodeOne(dst: usize, v: i64): void {
  if (v >= 0) {
    store<i64>(dst, v);
    store<u64>(dst, 0, 8);
    store<u64>(dst, 0, 16);
    store<u64>(dst, 0, 24);
  } else {
    const a = <u64>(-v);
    store<u64>(dst, P0 - a);
    store<u64>(dst, P1 - (a > P0 ? 1 : 0), 8);
    store<u64>(dst, P2, 16);
    store<u64>(dst, P3, 24);
  }
}

/** Field elements for src[from..to) at dst + 32·i. */
export function encode(src: usize, dst: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) encodeOne(dst + (<usize>i << 5), load<i64>(src + (<usize>i << 3)));
}

/** The nBits bits of (src[i] + offset), each a field element, at dst + 32·(i·nBits + j). */
export function bits(src: usize, offset: i64, nBits: i32, dst: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) writeBits(dst + <usize>(i * nBits) * 32, load<i64>(src + (<usize>i << 3)) + offset, nBits);
}

@inline function writeBits(dst: usize, t: i64, nBits: i32): void {
  for (let j = 0; j < nBits; j++) {
    const p = dst + (<usize>j << 5);
    store<i64>(p, (t >> j) & 1);
    store<u64>(p, 0, 8);
    store<u64>(p, 0, 16);
    store<u64>(p, 0, 24);
  }
}

// ---- conversions ----

export function f64_to_i64(src: usize, dst: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) store<i64>(dst + (<usize>i << 3), <i64>load<f64>(src + (<usize>i << 3)));
}

export function i64_to_f64(src: usize, dst: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) store<f64>(dst + (<usize>i << 3), <f64>load<i64>(src + (<usize>i << 3)));
}

/** Rows of an i64 matrix [rows][k] as int16 rows of stride kp (zero-padded): the SIMD gemm's input. */
export function pack_i16(src: usize, k: i32, kp: i32, dst: usize, from: i32, to: i32): void {
  for (let r = from; r < to; r++) {
    const s = src + <usize>(r * k) * 8, d = dst + <usize>(r * kp) * 2;
    for (let j = 0; j < k; j++) store<i16>(d + (<usize>j << 1), <i16>load<i64>(s + (<usize>j << 3)));
    for (let j = k; j < kp; j++) store<i16>(d + (<usize>j << 1), 0);
  }
}

// ---- matrix products ----

/**
 * out[r·outRow + n·outCol] = bias[n] + Σ_k x[r][k]·w[n][k] for rows [from, to): int16 operands
 * (rows of kp = 8·k8 values, zero-padded), i32x4.dot_i16x8_s, widened to i64 every `block`
 * dot products so no i32 lane can overflow (the caller sizes block from the value bounds).
 */
export function gemm_i16(x: usize, w: usize, bias: usize, out: usize, k8: i32, n: i32, outRow: i32, outCol: i32, block: i32, from: i32, to: i32): void {
  const rowBytes = <usize>k8 << 4;
  for (let r = from; r < to; r++) {
    const xr = x + <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= n; c += 4) {
      const w0 = w + <usize>c * rowBytes, w1 = w0 + rowBytes, w2 = w1 + rowBytes, w3 = w2 + rowBytes;
      let s0: i64 = 0, s1: i64 = 0, s2: i64 = 0, s3: i64 = 0;
      for (let k = 0; k < k8; ) {
        const end = min(k + block, k8);
        let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
        for (; k < end; k++) {
          const off = <usize>k << 4;
          const xv = v128.load(xr + off);
          a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xv, v128.load(w0 + off)));
          a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xv, v128.load(w1 + off)));
          a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xv, v128.load(w2 + off)));
          a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xv, v128.load(w3 + off)));
        }
        s0 += hsum(a0); s1 += hsum(a1); s2 += hsum(a2); s3 += hsum(a3);
      }
      if (bias) {
        s0 += load<i64>(bias + (<usize>c << 3)); s1 += load<i64>(bias + (<usize>(c + 1) << 3));
        s2 += load<i64>(bias + (<usize>(c + 2) << 3)); s3 += load<i64>(bias + (<usize>(c + 3) << 3));
      }
      const o = out + <usize>(r * outRow) * 8;
      store<i64>(o + <usize>(c * outCol) * 8, s0);
      store<i64>(o + <usize>((c + 1) * outCol) * 8, s1);
      store<i64>(o + <usize>((c + 2) * outCol) * 8, s2);
      store<i64>(o + <usize>((c + 3) * outCol) * 8, s3);
    }
    for (; c < n; c++) {
      const wc = w + <usize>c * rowBytes;
      let s: i64 = bias ? load<i64>(bias + (<usize>c << 3)) : 0;
      for (let k = 0; k < k8; ) {
        const end = min(k + block, k8);
        let a = i32x4.splat(0);
        for (; k < end; k++) a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(xr + (<usize>k << 4)), v128.load(wc + (<usize>k << 4))));
        s += hsum(a);
      }
      store<i64>(out + <usize>(r * outRow + c * outCol) * 8, s);
    }
  }
}

@inline function hsum(a: v128): i64 {
  return <i64>i32x4.extract_lane(a, 0) + <i64>i32x4.extract_lane(a, 1) + <i64>i32x4.extract_lane(a, 2) + <i64>i32x4.extract_lane(a, 3);
}

/** The same product in plain i64 (values too wide for int16): x [rows][k], w [n][k]. */
export function gemm_i64(x: usize, w: usize, bias: usize, out: usize, k: i32, n: i32, outRow: i32, outCol: i32, from: i32, to: i32): void {
  for (let r = from; r < to; r++) {
    const xr = x + <usize>(r * k) * 8;
    for (let c = 0; c < n; c++) {
      const wc = w + <usize>(c * k) * 8;
      let s: i64 = bias ? load<i64>(bias + (<usize>c << 3)) : 0;
      for (let j = 0; j < k; j++) s += load<i64>(xr + (<usize>j << 3)) * load<i64>(wc + (<usize>j << 3));
      store<i64>(out + <usize>(r * outRow + c * outCol) * 8, s);
    }
  }
}

/**
 * im2col for one image and one group of a 2-D convolution: row r = oy·ow + ox holds the
 * window's cg·kh·kw inputs (0 where the window is in the padding), as int16 (wide = 0) with
 * row stride kp, or i64 (wide = 1) with row stride k.
 */
export function im2col(x: usize, h: i32, wd: i32, c0: i32, cg: i32, kh: i32, kw: i32, sh: i32, sw: i32, pt: i32, pl: i32, dh: i32, dw: i32, ow: i32, kp: i32, wide: i32, dst: usize, from: i32, to: i32): void {
  const k = cg * kh * kw;
  const planeBytes = <usize>(h * wd) * 8;
  for (let r = from; r < to; r++) {
    const oy = r / ow, ox = r % ow;
    const iy0 = oy * sh - pt, ix0 = ox * sw - pl;
    if (!wide && iy0 >= 0 && iy0 + (kh - 1) * dh < h && ix0 >= 0 && ix0 + (kw - 1) * dw < wd) {
      // the window lies inside the image (most rows): no bounds checks
      let d = dst + <usize>(r * kp) * 2;
      let plane = x + <usize>c0 * planeBytes + <usize>(iy0 * wd + ix0) * 8;
      for (let c = 0; c < cg; c++, plane += planeBytes) {
        for (let ky = 0; ky < kh; ky++) {
          const row = plane + <usize>(ky * dh * wd) * 8;
          for (let kx = 0; kx < kw; kx++, d += 2) store<i16>(d, <i16>load<i64>(row + <usize>(kx * dw) * 8));
        }
      }
      for (let j = k; j < kp; j++, d += 2) store<i16>(d, 0);
      continue;
    }
    let j = 0;
    for (let c = 0; c < cg; c++) {
      const plane = x + <usize>(c0 + c) * planeBytes;
      for (let ky = 0; ky < kh; ky++) {
        const iy = iy0 + ky * dh;
        for (let kx = 0; kx < kw; kx++, j++) {
          const ix = ix0 + kx * dw;
          const v: i64 = iy >= 0 && iy < h && ix >= 0 && ix < wd ? load<i64>(plane + <usize>(iy * wd + ix) * 8) : 0;
          if (wide) store<i64>(dst + <usize>(r * k + j) * 8, v);
          else store<i16>(dst + <usize>(r * kp + j) * 2, <i16>v);
        }
      }
    }
    if (!wide) for (; j < kp; j++) store<i16>(dst + <usize>(r * kp + j) * 2, 0);
  }
}

// ---- elementwise and data movement ----

/** out[i] = x[xi(i)]·mul[mi(i)] + add[ai(i)]; a 0 index pointer means "i", a 0 mul/add pointer "none". */
export function affine(x: usize, xIdx: usize, mul: usize, mulIdx: usize, add: usize, addIdx: usize, out: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    let v = load<i64>(x + (<usize>(xIdx ? load<i32>(xIdx + (<usize>i << 2)) : i) << 3));
    if (mul) v *= load<i64>(mul + (<usize>(mulIdx ? load<i32>(mulIdx + (<usize>i << 2)) : i) << 3));
    if (add) v += load<i64>(add + (<usize>(addIdx ? load<i32>(addIdx + (<usize>i << 2)) : i) << 3));
    store<i64>(out + (<usize>i << 3), v);
  }
}

/** out[i] = a[ai(i)]·ka + b[bi(i)]·kb (aligned scales and the sign are in ka, kb). */
export function add2(a: usize, aIdx: usize, ka: i64, b: usize, bIdx: usize, kb: i64, out: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const va = load<i64>(a + (<usize>(aIdx ? load<i32>(aIdx + (<usize>i << 2)) : i) << 3));
    const vb = load<i64>(b + (<usize>(bIdx ? load<i32>(bIdx + (<usize>i << 2)) : i) << 3));
    store<i64>(out + (<usize>i << 3), va * ka + vb * kb);
  }
}

/** out[i] = fill where addr[i] < 0, else (the i64 at byte address addr[i]) << shift[i]: select maps. */
export function gather(addr: usize, shift: usize, fill: i64, out: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const a = load<i32>(addr + (<usize>i << 2));
    store<i64>(out + (<usize>i << 3), a < 0 ? fill : load<i64>(<usize>a) << <i64>load<u8>(shift + <usize>i));
  }
}

/** out[g] = mult[g]·Σ x[idx[j]] over j in [start[g], start[g+1]) (mult 0: no factor). */
export function sum_groups(x: usize, start: usize, idx: usize, mult: usize, out: usize, from: i32, to: i32): void {
  for (let g = from; g < to; g++) {
    let s: i64 = 0;
    const e = load<i32>(start + (<usize>(g + 1) << 2));
    for (let j = load<i32>(start + (<usize>g << 2)); j < e; j++) s += load<i64>(x + (<usize>load<i32>(idx + (<usize>j << 2)) << 3));
    store<i64>(out + (<usize>g << 3), mult ? s * load<i64>(mult + (<usize>g << 3)) : s);
  }
}

/**
 * Max over groups as a chain of comparisons (gadgets/max.ts): comparison c writes the m bits
 * of (cur - b + 2^(m-1)) and then max(cur, b), in blocks of m + 1 wires from `wires`.
 */
export function max_groups(x: usize, start: usize, idx: usize, out: usize, wires: usize, m: i32, from: i32, to: i32): void {
  const half: i64 = <i64>1 << (m - 1);
  for (let g = from; g < to; g++) {
    const s = load<i32>(start + (<usize>g << 2)), e = load<i32>(start + (<usize>(g + 1) << 2));
    let cur = load<i64>(x + (<usize>load<i32>(idx + (<usize>s << 2)) << 3));
    let c = s - g;
    for (let j = s + 1; j < e; j++, c++) {
      const b = load<i64>(x + (<usize>load<i32>(idx + (<usize>j << 2)) << 3));
      const block = wires + <usize>(c * (m + 1)) * 32;
      writeBits(block, cur - b + half, m);
      if (b > cur) cur = b;
      encodeOne(block + <usize>m * 32, cur);
    }
    store<i64>(out + (<usize>g << 3), cur);
  }
}

// ---- rescale and activations (gadgets/requant.ts, gadgets/activation.ts) ----

/** The first i in [from, to) with src[i] outside [lo, hi], or -1 (a windowed rescale's input check). */
export function first_outside(src: usize, lo: i64, hi: i64, from: i32, to: i32): i32 {
  for (let i = from; i < to; i++) {
    const v = load<i64>(src + (<usize>i << 3));
    if (v < lo || v > hi) return i;
  }
  return -1;
}

/** q = floor((x + 2^(shift-1)) / 2^shift) into out, and the decomposition bits of x + offset. */
export function requant(x: usize, shift: i32, out: usize, wires: usize, offset: i64, nBits: i32, from: i32, to: i32): void {
  const half: i64 = shift > 0 ? <i64>1 << (shift - 1) : 0;
  for (let i = from; i < to; i++) {
    const v = load<i64>(x + (<usize>i << 3));
    store<i64>(out + (<usize>i << 3), (v + half) >> shift);
    writeBits(wires + <usize>(i * nBits) * 32, v + offset, nBits);
  }
}

/** ReLU (leaky = 0) or leaky ReLU on q in place; the relu product [q ≥ 0]·q goes to its wire. */
export function act_relu(q: usize, wire: usize, leaky: i32, alpha: i64, alphaShift: i32, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const p = q + (<usize>i << 3);
    const v = load<i64>(p);
    const r: i64 = v < 0 ? 0 : v;
    encodeOne(wire + (<usize>i << 5), r);
    store<i64>(p, leaky ? (v >= 0 ? v << alphaShift : alpha * v) : r);
  }
}

/** Clip q in place: lower clamp (its wire, if loWire), then the upper clamp's decomposition and wire. */
export function act_clip(q: usize, hasLo: i32, lo: i64, loWire: usize, hasHi: i32, hi: i64, hiBits: usize, hiOffset: i64, m2: i32, hiWire: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const p = q + (<usize>i << 3);
    let y = load<i64>(p);
    if (hasLo) {
      if (y < lo) y = lo;
      encodeOne(loWire + (<usize>i << 5), y);
    }
    if (hasHi) {
      writeBits(hiBits + <usize>(i * m2) * 32, hi - y + hiOffset, m2);
      if (y > hi) y = hi;
      encodeOne(hiWire + (<usize>i << 5), y);
    }
    store<i64>(p, y);
  }
}

/**
 * A piecewise polynomial on q in place (PolyTable): per element, the segment's one-hot
 * products level by level, then the Horner products, written from wire + i·per·32.
 */
export function act_poly(q: usize, coeffs: usize, qMin: i64, t: i32, w: i32, d: i32, wire: usize, per: i32, from: i32, to: i32): void {
  const mask: i64 = (<i64>1 << w) - 1;
  for (let i = from; i < to; i++) {
    const p = q + (<usize>i << 3);
    const z = load<i64>(p) - qMin;
    const seg = z >> w, u = z & mask;
    let next = wire + <usize>(i * per) * 32;
    for (let j = 1; j < t; j++) {
      const lowMask: i64 = (<i64>1 << (j + 1)) - 1;
      for (let k = 0; k < (1 << j); k++, next += 32) encodeOne(next, (seg & lowMask) == <i64>(k + (1 << j)) ? 1 : 0);
    }
    const c = coeffs + <usize>(<i32>seg * (d + 1)) * 8;
    let h = load<i64>(c + (<usize>d << 3));
    for (let j = d - 1; j >= 0; j--, next += 32) {
      const prod = h * u;
      encodeOne(next, prod);
      h = prod + (load<i64>(c + (<usize>j << 3)) << (w * (d - j)));
    }
    store<i64>(p, h);
  }
}
