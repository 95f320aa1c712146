// Field elements of BN254's scalar field as the .wtns stores them: 8 little-endian u32 limbs
// of v mod p. A wire window binding `NAME` gets `put_NAME(wire, v)` and `put_bit_NAME(wire, b)`
// from the prelude; both land here with the wire's first u32 index in the window.

const P_LIMBS = array<u32, 8>(
  0xf0000001u, 0x43e1f593u, 0x79b97091u, 0x2833e848u,
  0x8181585du, 0xb85045b6u, 0xe131a029u, 0x30644e72u,
);

/**
 * v mod p as 8 limbs: v itself when v ≥ 0 (|v| < 2^223 < p), else p - |v|, subtracting the
 * magnitude (read unsigned, so the most negative W-limb value works too) with borrows.
 */
fn field_limbs(v: N) -> array<u32, 8> {
  var r: array<u32, 8>;
  if (!n_isneg(v)) {
    for (var k = 0u; k < W; k++) {
      r[k] = v[k];
    }
    return r;
  }
  let m = n_neg(v);
  var borrow = 0u;
  for (var k = 0u; k < 8u; k++) {
    var mk = 0u;
    if (k < W) {
      mk = m[k];
    }
    let d = P_LIMBS[k] - mk;
    let e = d - borrow;
    borrow = select(0u, 1u, P_LIMBS[k] < mk) + select(0u, 1u, d < borrow);
    r[k] = e;
  }
  return r;
}
