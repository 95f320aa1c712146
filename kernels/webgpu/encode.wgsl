// encode: wires[wire + i] = x[i] as a field element. Item i: one element.
fn run(i: u32) {
  put_wires(p_wire() + i, ld_x(i));
}
