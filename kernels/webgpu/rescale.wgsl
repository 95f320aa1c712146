// A requant's rescale: y[i] = floor((x[i] + 2^(shift-1)) / 2^shift), the floor of the js
// reference (quantize/layout.ts rescale) for negative values too. A windowed rescale
// (quantize/window.ts) has no witness for x[i] outside [wlo, whi]: such an item sets this
// call's flag (flags[flag] = 1; every writer writes the same value), and the host refuses the
// input as the reference does. Item i: one element.
fn run(i: u32) {
  let s = p_shift();
  var v = ld_x(i);
  if (p_win() != 0u && (n_lt(v, c_wlo()) || n_lt(c_whi(), v))) {
    st_flags(p_flag(), n_of(1));
  }
  if (s > 0u) {
    v = n_sar(n_add(v, n_shl(n_of(1), s - 1u)), s);
  }
  st_y(i, v);
}
