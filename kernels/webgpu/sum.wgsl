// sum: y[g] = mult[g]·Σ x[indices[j]] over j in [start[g], start[g+1]), with the group starts
// (nGroups + 1) then the indices laid end to end in `groups`. Item g: one group.
fn run(g: u32) {
  let n = p_ngroups() + 1u;
  var s = n_of(0);
  for (var j = u32(groups[g]); j < u32(groups[g + 1u]); j++) {
    s = n_add(s, ld_x(u32(groups[n + j])));
  }
  if (p_mult() != 0u) {
    s = n_mul(s, ld_mult(g));
  }
  st_y(g, s);
}
