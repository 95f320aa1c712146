// relu (and leaky ReLU) on q in place: the relu product [q ≥ 0]·q goes to wires[wire + i];
// q becomes max(q, 0), or for leaky q·2^ashift (q ≥ 0) / alpha·q (q < 0). Item i: one element.
fn run(i: u32) {
  let v = ld_q(i);
  let neg = n_isneg(v);
  var r = v;
  if (neg) {
    r = n_of(0);
  }
  put_wires(p_wire() + i, r);
  if (p_leaky() != 0u) {
    if (neg) {
      r = n_mul(v, c_alpha());
    } else {
      r = n_shl(v, p_ashift());
    }
  }
  st_q(i, r);
}
