// poly: a piecewise polynomial on q in place (quantize/qgraph.ts PolyTable). z = q - qmin, its
// segment z >> w and offset u = z mod 2^w; per element, the segment's one-hot products level
// by level, then the Horner products, from wires[wire + i·per]. Item i: one element.
fn run(i: u32) {
  let z = n_sub(ld_q(i), c_qmin());
  let w = p_w();
  let seg = n_low(n_sar(z, w));
  let u = n_sub(z, n_shl(n_sar(z, w), w));
  var next = p_wire() + i * p_per();
  for (var j = 1u; j < p_t(); j++) {
    let low = seg & ((2u << j) - 1u);
    for (var k = 0u; k < (1u << j); k++) {
      put_bit_wires(next, select(0u, 1u, low == k + (1u << j)));
      next++;
    }
  }
  let d = p_d();
  let c = seg * (d + 1u);
  var h = ld_coef(c + d);
  for (var j = d; j > 0u; j--) {
    let prod = n_mul(h, u);
    put_wires(next, prod);
    next++;
    h = n_add(prod, n_shl(ld_coef(c + j - 1u), w * (d - j + 1u)));
  }
  st_q(i, h);
}
