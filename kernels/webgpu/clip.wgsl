// clip on q in place, as the js reference (gadgets/activation.ts): the lower clamp y = max(q, lo)
// (its wire from `lo`, when lowire), then for the upper clamp the nbits bits of hi - y + hioff
// (from `bits`, when hibits) and min(y, hi) (from `hi`, when hiwire), all in one window of the
// wires that spans the three. Item i: one element.
fn run(i: u32) {
  var y = ld_q(i);
  if (p_haslo() != 0u) {
    y = n_max(y, c_lo());
    if (p_lowire() != 0u) {
      put_wires(p_lo() + i, y);
    }
  }
  if (p_hashi() != 0u) {
    let hi = c_hi();
    if (p_hibits() != 0u) {
      let nb = p_nbits();
      let d = n_add(n_sub(hi, y), c_hioff());
      for (var j = 0u; j < nb; j++) {
        put_bit_wires(p_bits() + i * nb + j, n_bit(d, j));
      }
    }
    if (n_lt(hi, y)) {
      y = hi;
    }
    if (p_hiwire() != 0u) {
      put_wires(p_hi() + i, y);
    }
  }
  st_q(i, y);
}
