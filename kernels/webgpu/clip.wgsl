// clip on q, as the js reference (gadgets/activation.ts): the lower clamp y = max(q, lo), then
// for the upper clamp the nbits bits of hi - y + hioff and min(y, hi). The three wire outputs
// lie far apart in the wire vector, so each is its own dispatch (`part`: 0 the lower clamp's
// wire, 1 the upper clamp's bits, 2 its wire; 3 none), binding one window of the wires; the
// last writes the clipped value back into q (`store`). Item i: one element.
fn run(i: u32) {
  var y = ld_q(i);
  if (p_haslo() != 0u) {
    y = n_max(y, c_lo());
  }
  let part = p_part();
  if (part == 0u) {
    put_wires(p_wire() + i, y);
  }
  if (p_hashi() != 0u) {
    let hi = c_hi();
    if (part == 1u) {
      let nb = p_nbits();
      let d = n_add(n_sub(hi, y), c_hioff());
      for (var j = 0u; j < nb; j++) {
        put_bit_wires(p_wire() + i * nb + j, n_bit(d, j));
      }
    }
    if (n_lt(hi, y)) {
      y = hi;
    }
    if (part == 2u) {
      put_wires(p_wire() + i, y);
    }
  }
  if (p_store() != 0u) {
    st_q(i, y);
  }
}
