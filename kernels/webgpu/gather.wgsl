// select, for one of its inputs: pairs (out, src) in `pairs`; y[out] = x[src]·2^shift, or the
// fill value where src < 0. Item k: pair k, from the pair offset `at`.
fn run(k: u32) {
  let o = u32(pairs[p_at() + 2u * k]);
  let src = pairs[p_at() + 2u * k + 1u];
  if (src < 0) {
    st_y(o, c_fill());
  } else {
    st_y(o, n_shl(ld_x(u32(src)), p_shift()));
  }
}
