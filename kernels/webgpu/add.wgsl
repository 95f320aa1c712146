// add: y[i] = a[ai]·2^ashift ± b[bi]·2^bshift (neg: minus), broadcasting through index maps in
// `idx` as affine does. Item i: one element.
fn at(map: u32, i: u32) -> u32 {
  if (map == 0u) {
    return i;
  }
  return u32(idx[map - 1u + i]);
}

fn run(i: u32) {
  let a = n_shl(ld_a(at(p_amap(), i)), p_ashift());
  var b = n_shl(ld_b(at(p_bmap(), i)), p_bshift());
  if (p_neg() != 0u) {
    b = n_neg(b);
  }
  st_y(i, n_add(a, b));
}
