// W-limb two's-complement integers: N = array<u32, W>, limb 0 least significant. W (1..7) and
// the alias N come from the prelude the host writes per pipeline (src/witness/backends/webgpu/
// shaders.ts), chosen from the plan's value bounds (formats.ts).
//
// Arithmetic is modulo 2^(32·W). Sums and products of integers whose true result fits in W
// limbs are exact even when a partial result wraps (the integers mod 2^(32·W) are a ring), so
// an accumulator needs only the width of the final value, not of its partial sums. Comparisons,
// shifts and the field encoding read the value as signed.

fn n_of(v: i32) -> N {
  var r: N;
  r[0] = bitcast<u32>(v);
  let ext = select(0u, 0xffffffffu, v < 0);
  for (var k = 1u; k < W; k++) {
    r[k] = ext;
  }
  return r;
}

fn n_isneg(a: N) -> bool {
  return (a[W - 1u] >> 31u) != 0u;
}

fn n_add(a: N, b: N) -> N {
  var r: N;
  var carry = 0u;
  for (var k = 0u; k < W; k++) {
    let s = a[k] + b[k];
    let t = s + carry;
    carry = select(0u, 1u, s < a[k]) + select(0u, 1u, t < s);
    r[k] = t;
  }
  return r;
}

fn n_neg(a: N) -> N {
  var r: N;
  var carry = 1u;
  for (var k = 0u; k < W; k++) {
    let t = ~a[k] + carry;
    carry = select(0u, 1u, carry == 1u && t == 0u);
    r[k] = t;
  }
  return r;
}

fn n_sub(a: N, b: N) -> N {
  return n_add(a, n_neg(b));
}

/** The full 64-bit product of two u32, as (low, high), from 16-bit halves. */
fn mul32(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let mid = a0 * b1;
  let mid2 = mid + a1 * b0;
  let midCarry = select(0u, 0x10000u, mid2 < mid);
  let lo = p00 + (mid2 << 16u);
  let loCarry = select(0u, 1u, lo < p00);
  return vec2<u32>(lo, a1 * b1 + (mid2 >> 16u) + midCarry + loCarry);
}

/**
 * a·b mod 2^(32·W), schoolbook over limbs. Each step adds r[i+j] + a[i]·b[j] + carry, at most
 * (2^32 - 1) + (2^32 - 1)^2 + (2^32 - 1) = 2^64 - 1, so the next carry fits a u32.
 */
fn n_mul(a: N, b: N) -> N {
  var r: N;
  if (W == 1u) {
    r[0] = a[0] * b[0];
    return r;
  }
  for (var i = 0u; i < W; i++) {
    var carry = 0u;
    for (var j = 0u; i + j < W; j++) {
      let p = mul32(a[i], b[j]);
      let s = r[i + j] + p.x;
      let t = s + carry;
      carry = p.y + select(0u, 1u, s < p.x) + select(0u, 1u, t < s);
      r[i + j] = t;
    }
  }
  return r;
}

/** a·2^s mod 2^(32·W). */
fn n_shl(a: N, s: u32) -> N {
  var r: N;
  let q = s / 32u;
  let b = s % 32u;
  for (var k = q; k < W; k++) {
    var v = a[k - q] << b;
    if (b > 0u && k > q) {
      v = v | (a[k - q - 1u] >> (32u - b));
    }
    r[k] = v;
  }
  return r;
}

fn limb_or(a: N, k: u32, ext: u32) -> u32 {
  if (k < W) {
    return a[k];
  }
  return ext;
}

/** floor(a / 2^s): an arithmetic shift right. */
fn n_sar(a: N, s: u32) -> N {
  var r: N;
  let q = s / 32u;
  let b = s % 32u;
  let ext = select(0u, 0xffffffffu, n_isneg(a));
  for (var k = 0u; k < W; k++) {
    let lo = limb_or(a, k + q, ext);
    if (b == 0u) {
      r[k] = lo;
    } else {
      r[k] = (lo >> b) | (limb_or(a, k + q + 1u, ext) << (32u - b));
    }
  }
  return r;
}

/** a < b, signed. */
fn n_lt(a: N, b: N) -> bool {
  let ta = bitcast<i32>(a[W - 1u]);
  let tb = bitcast<i32>(b[W - 1u]);
  if (ta != tb) {
    return ta < tb;
  }
  for (var k = W - 1u; k > 0u; k--) {
    if (a[k - 1u] != b[k - 1u]) {
      return a[k - 1u] < b[k - 1u];
    }
  }
  return false;
}

fn n_max(a: N, b: N) -> N {
  if (n_lt(a, b)) {
    return b;
  }
  return a;
}

/** Bit j (< 32·W) of a's two's-complement form. */
fn n_bit(a: N, j: u32) -> u32 {
  return (a[j / 32u] >> (j % 32u)) & 1u;
}

/** a's low limb (a small non-negative value: a segment index, a count). */
fn n_low(a: N) -> u32 {
  return a[0];
}

fn n_eq(a: N, b: N) -> bool {
  for (var k = 0u; k < W; k++) {
    if (a[k] != b[k]) {
      return false;
    }
  }
  return true;
}
