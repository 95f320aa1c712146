// affine: y[i] = x[xi]·mul[mi] + add[ai], broadcasting through index maps laid end to end in
// `idx` (a map's offset + 1 in xmap/mmap/amap; 0: the element's own index). mul and add are
// optional (flags). Item i: one element.
fn at(map: u32, i: u32) -> u32 {
  if (map == 0u) {
    return i;
  }
  return u32(idx[map - 1u + i]);
}

fn run(i: u32) {
  var v = ld_x(at(p_xmap(), i));
  if (p_mul() != 0u) {
    v = n_mul(v, ld_mul(at(p_mmap(), i)));
  }
  if (p_add() != 0u) {
    v = n_add(v, ld_add(at(p_amap(), i)));
  }
  st_y(i, v);
}
