// A requant's rescale: y[i] = floor((x[i] + 2^(shift-1)) / 2^shift), the floor of the js
// reference (quantize/layout.ts rescale) for negative values too. Item i: one element.
fn run(i: u32) {
  let s = p_shift();
  var v = ld_x(i);
  if (s > 0u) {
    v = n_sar(n_add(v, n_shl(n_of(1), s - 1u)), s);
  }
  st_y(i, v);
}
