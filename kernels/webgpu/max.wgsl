// max over groups (pooling) as a chain of comparisons (circuit/gadgets/max.ts): comparison c
// writes the m bits of cur - b + 2^(m-1), then max(cur, b), in blocks of m + 1 wires from
// `wire`; group g's first comparison is c = start[g] - g. `groups` holds the starts
// (nGroups + 1) then the indices. Item g: one group.
fn run(g: u32) {
  let n = p_ngroups() + 1u;
  let m = p_m();
  let s = u32(groups[g]);
  let e = u32(groups[g + 1u]);
  let half = n_shl(n_of(1), m - 1u);
  var cur = ld_x(u32(groups[n + s]));
  var block = p_wire() + (s - g) * (m + 1u);
  for (var j = s + 1u; j < e; j++) {
    let b = ld_x(u32(groups[n + j]));
    let d = n_add(n_sub(cur, b), half);
    for (var k = 0u; k < m; k++) {
      put_bit_wires(block + k, n_bit(d, k));
    }
    if (n_lt(cur, b)) {
      cur = b;
    }
    put_wires(block + m, cur);
    block += m + 1u;
  }
  st_y(g, cur);
}
