// bits (and a requant's decomposition): wires[wire + i·nBits + j] = bit j of x[i] + offset.
// Item k = i·nBits + j: one wire, so neighbouring invocations write neighbouring wires.
fn run(k: u32) {
  let nb = p_nbits();
  put_bit_wires(p_wire() + k, n_bit(n_add(ld_x(k / nb), c_offset()), k % nb));
}
